// Package buildinfo owns what a build says about itself: module version,
// VCS revision, Go version and the record formats it reads. The --version
// line and the kycmatch_build_info metric both come from here.
package buildinfo

import (
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/kycmatch/kycmatch/engine"
)

// Info describes the running build. Every field is safe to print.
type Info struct {
	Version   string // module version, "(devel)" for go run and tests
	Revision  string // 12 hex digits of the commit, "+dirty" when modified; "unknown" without VCS stamping
	GoVersion string // e.g. go1.26.8
	Formats   string // record formats read, e.g. "2, 3"
}

// Read returns the build's Info.
func Read() Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return fromBuild(nil)
	}
	return fromBuild(bi)
}

func fromBuild(bi *debug.BuildInfo) Info {
	info := Info{Version: "(devel)", Revision: "unknown", GoVersion: runtime.Version(), Formats: formats()}
	if bi == nil {
		return info
	}
	if v := bi.Main.Version; v != "" {
		info.Version = v
	}
	if bi.GoVersion != "" {
		info.GoVersion = bi.GoVersion
	}
	var rev string
	var dirty bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev != "" {
		info.Revision = rev[:min(12, len(rev))]
		if dirty {
			info.Revision += "+dirty"
		}
	}
	return info
}

func formats() string {
	fs := engine.ReadableFormats()
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = strconv.Itoa(f)
	}
	return strings.Join(s, ", ")
}

// String is the --version line: kycmatch VERSION (commit REV, GOVERSION);
// record formats F.
func (i Info) String() string {
	return "kycmatch " + i.Version + " (commit " + i.Revision + ", " + i.GoVersion + "); record formats " + i.Formats
}
