package normalize

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Profile is a named set of normalisation rules (contract §5,
// "Normalisation profiles"), chosen at ingest and recorded in the
// generation, definition and all, so that serve, match and every delta
// apply the same rules. Profiles change only the text kind. Safe for
// concurrent use.
type Profile struct {
	def    Definition
	text   *textRules
	drop   dropSet
	dropIn fieldSet // the fields drop_words applies to
}

// dropSet holds the words of drop_words as the default rules leave them.
// Most words of a value are longer than any of them or start with another
// byte, which the filters tell before the map is asked.
type dropSet struct {
	words  map[string]struct{}
	maxLen int
	first  [256]bool
}

func (d *dropSet) add(w string) {
	d.words[w] = struct{}{}
	d.maxLen = max(d.maxLen, len(w))
	d.first[w[0]] = true
}

func (d *dropSet) has(w []byte) bool {
	if len(w) == 0 || len(w) > d.maxLen || !d.first[w[0]] {
		return false
	}
	_, ok := d.words[string(w)]
	return ok
}

// Definition is a profile as its file states it. It is what a generation
// records, in the JSON form Profile.Definition gives.
type Definition struct {
	Name      string            `json:"name"`
	Replace   map[string]string `json:"replace,omitempty"`
	DropWords *DropWords        `json:"drop_words,omitempty"`
}

// DropWords is the drop_words rule of a profile.
type DropWords struct {
	Fields []string `json:"fields"`
	Words  []string `json:"words"`
}

// The built-in profiles, in the form an operator's file takes.
//
//go:embed profiles/*.yaml
var builtinFiles embed.FS

var builtins = func() map[string]*Profile {
	m := make(map[string]*Profile)
	for _, name := range []string{"default", "de", "nl"} {
		b, err := builtinFiles.ReadFile("profiles/" + name + ".yaml")
		if err != nil {
			panic(err)
		}
		p, err := ParseProfile(b)
		if err != nil || p.Name() != name {
			panic(fmt.Sprintf("normalize: built-in profile %s: %v", name, err))
		}
		m[name] = p
	}
	return m
}()

// DefaultProfile holds the rules of contract §5 and nothing more.
var DefaultProfile = builtins["default"]

// BuiltinNames lists the built-in profiles.
func BuiltinNames() []string { return slices.Sorted(maps.Keys(builtins)) }

// ErrUnknownProfile reports a name that is neither a built-in profile nor a
// profile file.
var ErrUnknownProfile = errors.New("unknown normalisation profile")

// Builtin returns the built-in profile called name; "" is default.
func Builtin(name string) (*Profile, error) {
	if name == "" {
		return DefaultProfile, nil
	}
	p, ok := builtins[name]
	if !ok {
		return nil, fmt.Errorf("%w %s (built-in: %s; or a file ending in .yaml or .yml)", ErrUnknownProfile, quoteKey(name), strings.Join(BuiltinNames(), ", "))
	}
	return p, nil
}

// LoadProfile returns the profile ingest's --profile names: a built-in by
// name, or the file at arg when it ends in .yaml or .yml.
func LoadProfile(arg string) (*Profile, error) {
	if !strings.HasSuffix(arg, ".yaml") && !strings.HasSuffix(arg, ".yml") {
		return Builtin(arg)
	}
	b, err := readLimited(arg)
	if err != nil {
		return nil, fmt.Errorf("read profile: %w", err)
	}
	p, err := ParseProfile(b)
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", arg, err)
	}
	if _, ok := builtins[p.Name()]; ok {
		return nil, fmt.Errorf("profile %s: name %s is a built-in profile's; a file names rules of its own", arg, p.Name())
	}
	return p, nil
}

// maxProfileFile bounds a profile file: real ones are a few hundred bytes.
const maxProfileFile = 1 << 20

func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxProfileFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxProfileFile {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, maxProfileFile)
	}
	return b, nil
}

// Name returns the profile's name, as logs, metrics and generations show it.
func (p *Profile) Name() string { return p.def.Name }

// Definition returns the complete definition as JSON, which ParseProfile
// reads back to the same profile (JSON is YAML).
func (p *Profile) Definition() []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p.def); err != nil {
		panic(err) // strings and maps of strings always encode
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// ParseProfile reads a profile definition in the YAML form of contract §5
// and refuses, with a sentence naming the key, anything outside it.
func ParseProfile(b []byte) (*Profile, error) {
	def, err := parseDefinition(b)
	if err != nil {
		return nil, err
	}
	return newProfile(def)
}

func parseDefinition(b []byte) (Definition, error) {
	var def Definition
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		return def, profileSyntax(err)
	}
	var more yaml.Node
	switch err := dec.Decode(&more); {
	case err == nil:
		return def, fmt.Errorf("line %d: a profile is one YAML document", more.Line)
	case !errors.Is(err, io.EOF):
		return def, profileSyntax(err)
	}
	if len(doc.Content) == 0 {
		return def, errors.New("the profile is empty: it needs at least the key name")
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return def, fmt.Errorf("line %d: a profile is a mapping with the keys name, replace and drop_words", root.Line)
	}
	err := eachKey(root, func(k, v *yaml.Node) error {
		switch k.Value {
		case "name":
			return parseName(&def, v)
		case "replace":
			return parseReplace(&def, v)
		case "drop_words":
			return parseDropWords(&def, v)
		}
		return fmt.Errorf("line %d: unknown key %s (a profile has name, replace and drop_words)", k.Line, quoteKey(k.Value))
	})
	if err == nil && def.Name == "" {
		err = errors.New("the key name is missing")
	}
	return def, err
}

var yamlLine = regexp.MustCompile(`line ([0-9]+)`)

// profileSyntax keeps the line of a YAML syntax error and drops the
// parser's text.
func profileSyntax(err error) error {
	if errors.Is(err, io.EOF) {
		return errors.New("the profile is empty: it needs at least the key name")
	}
	if l := yamlLine.FindStringSubmatch(err.Error()); l != nil {
		return fmt.Errorf("line %s is not valid YAML", l[1])
	}
	return errors.New("the profile is not valid YAML")
}

// eachKey calls f on every key and value of mapping m, refusing repeated
// keys, keys that are not plain strings and YAML aliases.
func eachKey(m *yaml.Node, f func(k, v *yaml.Node) error) error {
	seen := make(map[string]bool)
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return fmt.Errorf("line %d: a key must be a plain string", k.Line)
		}
		if seen[k.Value] {
			return fmt.Errorf("line %d: key %s appears twice", k.Line, quoteKey(k.Value))
		}
		seen[k.Value] = true
		if v.Kind == yaml.AliasNode || k.Value == "<<" {
			return fmt.Errorf("line %d: key %s: YAML aliases and merges are not part of a profile", k.Line, quoteKey(k.Value))
		}
		if err := f(k, v); err != nil {
			return err
		}
	}
	return nil
}

// quoteKey quotes a key for an error message, cut short: keys are the
// operator's own words, never personal data, but the message must stay one
// line.
func quoteKey(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	return fmt.Sprintf("%q", s)
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

func str(n *yaml.Node, what string) (string, error) {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		return "", fmt.Errorf("line %d: %s must be a string", n.Line, what)
	}
	return n.Value, nil
}

func strList(n *yaml.Node, what string) ([]string, error) {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		return nil, fmt.Errorf("line %d: %s must be a non-empty list", n.Line, what)
	}
	out := make([]string, 0, len(n.Content))
	for _, e := range n.Content {
		s, err := str(e, "every entry of "+what)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// profileName keeps names fit for a metric label and a log line.
var profileName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

func parseName(def *Definition, v *yaml.Node) error {
	s, err := str(v, "name")
	if err != nil {
		return err
	}
	if !profileName.MatchString(s) {
		return fmt.Errorf("line %d: name must be 1 to 64 letters, digits, dots, hyphens or underscores, starting with a letter or digit", v.Line)
	}
	def.Name = s
	return nil
}

func parseReplace(def *Definition, v *yaml.Node) error {
	if v.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: replace must map strings to strings", v.Line)
	}
	def.Replace = make(map[string]string)
	return eachKey(v, func(k, to *yaml.Node) error {
		s, err := str(to, "replace "+quoteKey(k.Value))
		if err != nil {
			return err
		}
		if k.Value == "" {
			return fmt.Errorf("line %d: a replace key must hold at least one character", k.Line)
		}
		if folded := foldForKey(k.Value); folded != k.Value {
			return fmt.Errorf("line %d: replace key %s never matches: keys are written as case folding leaves them (%s)", k.Line, quoteKey(k.Value), quoteKey(folded))
		}
		if folded := foldForKey(s); folded != s {
			return fmt.Errorf("line %d: replace %s: the replacement must be written as case folding leaves it (%s)", to.Line, quoteKey(k.Value), quoteKey(folded))
		}
		def.Replace[k.Value] = s
		return nil
	})
}

func parseDropWords(def *Definition, v *yaml.Node) error {
	if v.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: drop_words must have the keys fields and words", v.Line)
	}
	dw := &DropWords{}
	err := eachKey(v, func(k, l *yaml.Node) error {
		var err error
		switch k.Value {
		case "fields":
			dw.Fields, err = strList(l, "drop_words.fields")
		case "words":
			dw.Words, err = strList(l, "drop_words.words")
		default:
			err = fmt.Errorf("line %d: unknown key %s in drop_words (it has fields and words)", k.Line, quoteKey(k.Value))
		}
		return err
	})
	if err != nil {
		return err
	}
	if dw.Fields == nil || dw.Words == nil {
		return fmt.Errorf("line %d: drop_words needs both fields and words", v.Line)
	}
	def.DropWords = dw
	return nil
}

// newProfile checks what the YAML form cannot say and prepares the rules.
func newProfile(def Definition) (*Profile, error) {
	p := &Profile{def: def, text: defaultText}
	if len(def.Replace) > 0 {
		p.text = newTextRules(def.Replace)
	}
	if dw := def.DropWords; dw != nil {
		if err := p.prepareDrop(dw); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (p *Profile) prepareDrop(dw *DropWords) error {
	for _, name := range dw.Fields {
		f, ok := FieldNamed(name)
		switch {
		case !ok:
			return fmt.Errorf("drop_words.fields: %s is not a field of the request", quoteKey(name))
		case f.Kind() != KindText:
			return fmt.Errorf("drop_words.fields: %s is not a text field; profiles change only text", name)
		case p.dropIn.has(f):
			return fmt.Errorf("drop_words.fields: %s is listed twice", name)
		}
		p.dropIn |= 1 << (f.id - 1)
	}
	p.drop.words = make(map[string]struct{}, len(dw.Words))
	for _, w := range dw.Words {
		n, err := appendKind(nil, KindText, w, defaultText)
		switch {
		case err != nil || len(n) == 0:
			return fmt.Errorf("drop_words.words: %s has no letters or digits", quoteKey(w))
		case bytes.IndexByte(n, ' ') >= 0:
			return fmt.Errorf("drop_words.words: %s is more than one word; list each word", quoteKey(w))
		}
		p.drop.add(string(n))
	}
	return nil
}

// appendDropped removes from the normalised text b[start:] every word in
// p.drop, unless that would remove them all. It moves the words it keeps
// left over those it drops, in one pass: until a word is kept nothing is
// written, so a value of dropped words only is left as it was.
func (p *Profile) appendDropped(b []byte, start int) []byte {
	out, kept := start, false
	for i := start; i < len(b); {
		j := i
		for j < len(b) && b[j] != ' ' {
			j++
		}
		if w := b[i:j]; !p.drop.has(w) {
			if kept {
				b[out] = ' '
				out++
			}
			out += copy(b[out:], w) // never ahead of what is read
			kept = true
		}
		i = j + 1
	}
	if !kept {
		return b
	}
	return b[:out]
}
