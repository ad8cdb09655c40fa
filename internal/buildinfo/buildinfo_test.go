package buildinfo

import (
	"runtime/debug"
	"testing"
)

func TestFromBuild(t *testing.T) {
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		want Info
	}{
		{"no build info", nil, Info{Version: "(devel)", Revision: "unknown"}},
		{"go run", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			Info{Version: "(devel)", Revision: "unknown", GoVersion: "go1.26.8"}},
		{"stamped", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "1a2b3c4d5e6f7a8b9c0d"}, {Key: "vcs.modified", Value: "false"}}},
			Info{Version: "v1.2.3", Revision: "1a2b3c4d5e6f", GoVersion: "go1.26.8"}},
		{"dirty", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "1a2b3c4d5e6f7a8b9c0d"}, {Key: "vcs.modified", Value: "true"}}},
			Info{Version: "v1.2.3", Revision: "1a2b3c4d5e6f+dirty", GoVersion: "go1.26.8"}},
	}
	for _, tt := range tests {
		got := fromBuild(tt.bi)
		if tt.want.GoVersion == "" {
			tt.want.GoVersion = got.GoVersion // runtime.Version()
		}
		tt.want.Formats = "2, 3, 4, 5"
		if got != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
	line := fromBuild(tests[2].bi).String()
	if want := "kycmatch v1.2.3 (commit 1a2b3c4d5e6f, go1.26.8); record formats 2, 3, 4, 5"; line != want {
		t.Errorf("line %q, want %q", line, want)
	}
}
