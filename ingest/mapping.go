package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"go.yaml.in/yaml/v3"

	"github.com/kycmatch/kycmatch/engine"
)

// Mapping renames an operator's export columns (or JSON keys) to the
// contract's names, and lists the ones to ignore. In YAML:
//
//	rename:
//	  MSISDN: phoneNumber
//	  FIRST_NAME: givenName
//	  ACTIVE: eligible
//	ignore:
//	  - CUSTOMER_ID
type Mapping struct {
	Rename map[string]string `yaml:"rename"`
	Ignore []string          `yaml:"ignore"`
}

// LoadMapping reads and checks a mapping file.
func LoadMapping(path string) (*Mapping, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read mapping: %w", err)
	}
	var m Mapping
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("mapping %s: %w", path, err)
	}
	if err := m.validate(); err != nil {
		return nil, fmt.Errorf("mapping %s: %w", path, err)
	}
	return &m, nil
}

func (m *Mapping) validate() error {
	for from, to := range m.Rename {
		if _, ok := columnTarget(to); !ok {
			return fmt.Errorf("column %q is renamed to %q, which is not a contract column", from, to)
		}
	}
	for _, c := range m.Ignore {
		if _, ok := m.Rename[c]; ok {
			return fmt.Errorf("column %q is both renamed and ignored", c)
		}
	}
	return nil
}

// Column targets beyond the attributes.
const (
	colEligible = int(engine.NumAttributes) + iota
	colOp
	colIgnore
	numTargets = colIgnore
)

func columnTarget(name string) (int, bool) {
	switch name {
	case "eligible":
		return colEligible, true
	case "op":
		return colOp, true
	}
	a, ok := engine.ParseAttribute(name)
	return int(a), ok
}

// resolve maps an export's column names to targets: the mapping first, then
// the contract's own names. Unknown and duplicate columns are errors, since
// a silently dropped column would load a generation without that attribute.
func (m *Mapping) resolve(header []string) ([]int, error) {
	targets := make([]int, len(header))
	seen := make(map[int]string)
	for i, name := range header {
		t, err := m.target(name)
		if err != nil {
			return nil, err
		}
		targets[i] = t
		if t == colIgnore {
			continue
		}
		if prev, dup := seen[t]; dup {
			return nil, fmt.Errorf("columns %q and %q both load %s", prev, name, targetName(t))
		}
		seen[t] = name
	}
	if _, ok := seen[int(engine.PhoneNumber)]; !ok {
		return nil, errors.New("the export has no phoneNumber column (map the operator's column with --mapping)")
	}
	return targets, nil
}

func (m *Mapping) target(name string) (int, error) {
	if m != nil {
		if to, ok := m.Rename[name]; ok {
			t, _ := columnTarget(to)
			return t, nil
		}
		for _, c := range m.Ignore {
			if c == name {
				return colIgnore, nil
			}
		}
	}
	if t, ok := columnTarget(name); ok {
		return t, nil
	}
	return 0, fmt.Errorf("unknown column %q: rename or ignore it in a --mapping file", name)
}

func targetName(t int) string {
	switch t {
	case colEligible:
		return "eligible"
	case colOp:
		return "op"
	}
	return engine.Attribute(t).String()
}
