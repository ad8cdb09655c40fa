package ingest

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"

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
//	date_format: DD.MM.YYYY
type Mapping struct {
	Rename map[string]string
	Ignore []string
	// DateFormat is the export's date_format; nil when the file names none.
	DateFormat *DateFormat
}

// LoadMapping reads and checks a mapping file. Its errors name a key and a
// line, and quote nothing that does not look like a column name: an
// operator pastes a line of the export into the wrong file more often than
// one would think.
func LoadMapping(path string) (*Mapping, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read mapping: %w", err)
	}
	m, err := parseMapping(b)
	if err != nil {
		return nil, fmt.Errorf("mapping %s: %w", path, err)
	}
	return m, nil
}

func parseMapping(b []byte) (*Mapping, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, yamlSyntax(err)
	}
	m := &Mapping{}
	if len(doc.Content) == 0 {
		return m, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: want the keys rename, ignore and date_format", root.Line)
	}
	seen := make(map[string]bool)
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if seen[k.Value] {
			return nil, fmt.Errorf("line %d: key %s appears twice", k.Line, quoteName(k.Value))
		}
		seen[k.Value] = true
		var err error
		switch k.Value {
		case "rename":
			err = m.parseRename(v)
		case "ignore":
			err = m.parseIgnore(v)
		case "date_format":
			err = m.parseDateFormat(v)
		default:
			what := "a key"
			if nameLike.MatchString(k.Value) {
				what = "key " + strconv.Quote(k.Value)
			}
			err = fmt.Errorf("line %d: %s is not one of rename, ignore or date_format", k.Line, what)
		}
		if err != nil {
			return nil, err
		}
	}
	return m, m.validate()
}

var yamlLine = regexp.MustCompile(`line ([0-9]+)`)

// yamlSyntax keeps the line of a YAML syntax error and drops the parser's
// text, which may quote the file.
func yamlSyntax(err error) error {
	if l := yamlLine.FindStringSubmatch(err.Error()); l != nil {
		return fmt.Errorf("line %s is not valid YAML", l[1])
	}
	return errors.New("the file is not valid YAML")
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

func scalar(n *yaml.Node, what string) (string, error) {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		return "", fmt.Errorf("line %d: %s must be a plain name", n.Line, what)
	}
	return n.Value, nil
}

func (m *Mapping) parseRename(v *yaml.Node) error {
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: rename must map export columns to contract names", v.Line)
	}
	m.Rename = make(map[string]string)
	for i := 0; i+1 < len(v.Content); i += 2 {
		from, err := scalar(v.Content[i], "a renamed column")
		if err != nil {
			return err
		}
		to, err := scalar(v.Content[i+1], "the new name of "+quoteName(from))
		if err != nil {
			return err
		}
		if _, dup := m.Rename[from]; dup {
			return fmt.Errorf("line %d: %s is renamed twice", v.Content[i].Line, columnName(from))
		}
		if _, ok := columnTarget(to); !ok {
			return fmt.Errorf("line %d: %s is renamed to %s", v.Content[i+1].Line, columnName(from), notColumn(to))
		}
		m.Rename[from] = to
	}
	return nil
}

func (m *Mapping) parseIgnore(v *yaml.Node) error {
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		return fmt.Errorf("line %d: ignore must be a list of export columns", v.Line)
	}
	for _, c := range v.Content {
		name, err := scalar(c, "an ignored column")
		if err != nil {
			return err
		}
		m.Ignore = append(m.Ignore, name)
	}
	return nil
}

func (m *Mapping) parseDateFormat(v *yaml.Node) error {
	s, err := scalar(v, "date_format")
	if err != nil {
		return err
	}
	f, err := ParseDateFormat(s)
	if err != nil {
		return fmt.Errorf("line %d: date_format: %w", v.Line, err)
	}
	m.DateFormat = &f
	return nil
}

func (m *Mapping) validate() error {
	for _, c := range m.Ignore {
		if _, ok := m.Rename[c]; ok {
			return fmt.Errorf("%s is both renamed and ignored", columnName(c))
		}
	}
	return nil
}

// nameLike is what an operator would call a column. A header cell or JSON
// key outside it is probably a value (a headerless export takes its first
// row for the header) and is never quoted back in an error.
var nameLike = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_ .-]{0,63}$`)

// quoteName quotes s when it looks like a name, else says only that it is
// not one.
func quoteName(s string) string {
	if nameLike.MatchString(s) {
		return strconv.Quote(s)
	}
	return "a name that is not a column name"
}

// notColumn says that s is not a contract column name.
func notColumn(s string) string {
	if nameLike.MatchString(s) {
		return strconv.Quote(s) + ", which is not a contract column"
	}
	return "something that is not a contract column"
}

// columnName names a column of a mapping file for an error message.
func columnName(s string) string {
	if nameLike.MatchString(s) {
		return "column " + strconv.Quote(s)
	}
	return "a column"
}

// columnRef names column i (0-based) of an export's header.
func columnRef(header []string, i int) string {
	if nameLike.MatchString(header[i]) {
		return "column " + strconv.Quote(header[i])
	}
	return "column " + strconv.Itoa(i+1)
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

// errNoHeader is a first row in which no column has a known name: almost
// always an export written without its header row.
var errNoHeader = errors.New("the first row names no known column: the export needs a header row with the contract's column names (or a --mapping file for the operator's own)")

// resolve maps an export's column names to targets: the mapping first, then
// the contract's own names. Unknown and duplicate columns are errors, since
// a silently dropped column would load a generation without that attribute.
func (m *Mapping) resolve(header []string) ([]int, error) {
	targets := make([]int, len(header))
	seen := make(map[int]int)
	known := false
	var unknown error
	for i, name := range header {
		t, ok := m.target(name)
		if !ok {
			if unknown == nil {
				unknown = fmt.Errorf("unknown %s: rename or ignore it in a --mapping file", columnRef(header, i))
			}
			continue
		}
		known = true
		targets[i] = t
		if t == colIgnore {
			continue
		}
		if prev, dup := seen[t]; dup {
			return nil, fmt.Errorf("%s and %s both load %s", columnRef(header, prev), columnRef(header, i), targetName(t))
		}
		seen[t] = i
	}
	switch {
	case !known:
		return nil, errNoHeader
	case unknown != nil:
		return nil, unknown
	}
	if _, ok := seen[int(engine.PhoneNumber)]; !ok {
		return nil, errors.New("the export has no phoneNumber column (map the operator's column with --mapping)")
	}
	return targets, nil
}

// target resolves one column name or JSON key.
func (m *Mapping) target(name string) (int, bool) {
	if m != nil {
		if to, ok := m.Rename[name]; ok {
			t, _ := columnTarget(to)
			return t, true
		}
		for _, c := range m.Ignore {
			if c == name {
				return colIgnore, true
			}
		}
	}
	return columnTarget(name)
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
