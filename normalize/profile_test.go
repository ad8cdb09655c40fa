package normalize_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kycmatch/kycmatch/normalize"
)

// textFields are the fields of the text kind, the only ones profiles change.
var textFields = []string{"name", "givenName", "familyName", "middleNames", "familyNameAtBirth",
	"address", "streetName", "region", "locality", "cityOfBirth"}

// TestBuiltinProfiles: what de and nl make of values on every text field
// (contract §5), and that the other kinds are untouched.
func TestBuiltinProfiles(t *testing.T) {
	type c struct{ field, in, want string }
	de := []c{
		{"familyName", "Müller", "mueller"}, {"familyName", "MÜLLER", "mueller"}, {"familyName", "Mueller", "mueller"},
		{"familyName", "Muller", "muller"}, {"familyName", "Mu\u0308ller", "mueller"}, {"familyName", "Weiß", "weiss"},
		{"name", "Jörg Müller", "joerg mueller"}, {"givenName", "Jürgen", "juergen"}, {"middleNames", "Björn", "bjoern"},
		{"familyNameAtBirth", "Schröder", "schroeder"}, {"address", "Königstraße 5", "koenigstrasse 5"},
		{"streetName", "Düsseldorfer Straße", "duesseldorfer strasse"}, {"region", "Thüringen", "thueringen"},
		{"locality", "Köln", "koeln"}, {"cityOfBirth", "München", "muenchen"}, {"locality", "Zürich-Höngg", "zuerich hoengg"},
		{"familyName", "Gómez", "gomez"}, {"familyName", "Øster", "øster"}, {"familyName", "Ǖber", "uber"}, /* ǖ is a letter of its own after folding */
		{"email", "Jörg@Müller.de", "jörg@xn--mller-kva.de"}, {"postalCode", "ü-1", "Ü1"},
	}
	nl := []c{
		{"familyName", "van der Berg", "berg"}, {"familyName", "Berg", "berg"}, {"familyName", "v.d. Berg", "berg"},
		{"familyName", "Van Den Heuvel", "heuvel"}, {"familyName", "'t Hart", "hart"}, {"familyName", "van", "van"},
		{"familyName", "van der", "van der"}, {"name", "Jan de Vries", "jan vries"}, {"name", "Jan Vries", "jan vries"},
		{"familyNameAtBirth", "ter Horst", "horst"}, {"givenName", "Jan van", "jan van"}, {"middleNames", "van Dijk", "van dijk"},
		{"address", "Van Baerlestraat 1", "van baerlestraat 1"}, {"streetName", "Van Eeghenstraat", "van eeghenstraat"},
		{"region", "Den Haag", "den haag"}, {"locality", "Den Bosch", "den bosch"}, {"cityOfBirth", "Den Helder", "den helder"},
		{"familyName", "Müller-van Dijk", "muller dijk"},
	}
	for name, cases := range map[string][]c{"de": de, "nl": nl} {
		p, err := normalize.Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range cases {
			got, err := p.Normalize(normalize.MustField(tc.field), tc.in)
			if err != nil || got != tc.want {
				t.Errorf("%s: %s %q = %q, %v; want %q", name, tc.field, tc.in, got, err, tc.want)
			}
		}
	}
	for _, f := range textFields {
		if normalize.MustField(f).Kind() != normalize.KindText {
			t.Errorf("%s is not a text field", f)
		}
	}
}

func TestParseProfileRefuses(t *testing.T) {
	for _, tt := range []struct{ name, yaml, want string }{
		{"unknown key", "name: x\ncolour: red\n", `line 2: unknown key "colour" (a profile has name, replace and drop_words)`},
		{"unknown drop key", "name: x\ndrop_words:\n  fields: [name]\n  word: [van]\n", `line 4: unknown key "word" in drop_words`},
		{"non-text field", "name: x\ndrop_words:\n  fields: [birthdate]\n  words: [van]\n", "birthdate is not a text field"},
		{"no such field", "name: x\ndrop_words:\n  fields: [nickname]\n  words: [van]\n", `"nickname" is not a field of the request`},
		{"empty words", "name: x\ndrop_words:\n  fields: [name]\n  words: []\n", "drop_words.words must be a non-empty list"},
		{"blank word", "name: x\ndrop_words:\n  fields: [name]\n  words: [\"--\"]\n", `drop_words.words: "--" has no letters or digits`},
		{"two-word word", "name: x\ndrop_words:\n  fields: [name]\n  words: [\"van der\"]\n", "is more than one word"},
		{"no words", "name: x\ndrop_words:\n  fields: [name]\n", "drop_words needs both fields and words"},
		{"field twice", "name: x\ndrop_words:\n  fields: [name, name]\n  words: [van]\n", "name is listed twice"},
		{"missing name", "replace:\n  \"ä\": \"ae\"\n", "the key name is missing"},
		{"bad name", "name: \"a b\"\n", "line 1: name must be"},
		{"empty", "", "the profile is empty"},
		{"not a mapping", "- name\n", "line 1: a profile is a mapping"},
		{"syntax", "name: [x\n", "is not valid YAML"},
		{"two documents", "name: x\n---\nname: y\n", "a profile is one YAML document"},
		{"broken second document", "name: x\n---\n[\n", "is not valid YAML"},
		{"comments only", "# nothing\n", "the profile is empty"},
		{"key twice", "name: x\nname: y\n", `key "name" appears twice`},
		{"unfolded key", "name: x\nreplace:\n  \"Ä\": \"ae\"\n", `replace key "Ä" never matches`},
		{"unfolded value", "name: x\nreplace:\n  \"ä\": \"AE\"\n", "the replacement must be written as case folding leaves it"},
		{"empty key", "name: x\nreplace:\n  \"\": \"ae\"\n", "a replace key must hold at least one character"},
		{"list replace", "name: x\nreplace: [a]\n", "replace must map strings to strings"},
		{"alias", "name: &n x\nreplace:\n  \"ä\": *n\n", "YAML aliases and merges are not part of a profile"},
	} {
		_, err := normalize.ParseProfile([]byte(tt.yaml))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
		}
	}
}

// TestDefinitionRoundTrip: what a generation records reads back as the same
// profile.
func TestDefinitionRoundTrip(t *testing.T) {
	custom, err := normalize.ParseProfile([]byte("name: pl\nreplace:\n  \"ł\": \"l\"\n  \"<&>\": \"\"\ndrop_words:\n  fields: [name]\n  words: [z]\n"))
	if err != nil {
		t.Fatal(err)
	}
	ps := []*normalize.Profile{custom}
	for _, n := range normalize.BuiltinNames() {
		p, _ := normalize.Builtin(n)
		ps = append(ps, p)
	}
	for _, p := range ps {
		again, err := normalize.ParseProfile(p.Definition())
		if err != nil || string(again.Definition()) != string(p.Definition()) {
			t.Errorf("%s: %s reads back as %v, %v", p.Name(), p.Definition(), again, err)
		}
	}
	if got := string(normalize.DefaultProfile.Definition()); got != `{"name":"default"}` {
		t.Errorf("default's definition %s", got)
	}
}

func TestLoadProfile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	for _, arg := range []string{"", "default", "de", "nl"} {
		if p, err := normalize.LoadProfile(arg); err != nil || (arg != "" && p.Name() != arg) {
			t.Errorf("LoadProfile(%q) = %v, %v", arg, p, err)
		}
	}
	if p, err := normalize.LoadProfile(write("pl.yml", "name: pl\nreplace: {\"ł\": \"l\"}\n")); err != nil || p.Name() != "pl" {
		t.Errorf("pl.yml: %v, %v", p, err)
	}
	if _, err := normalize.LoadProfile("fr"); !errors.Is(err, normalize.ErrUnknownProfile) {
		t.Errorf("unknown built-in: %v", err)
	}
	if _, err := normalize.LoadProfile(write("de.yaml", "name: de\n")); err == nil || !strings.Contains(err.Error(), "is a built-in profile's") {
		t.Errorf("a file named like a built-in: %v", err)
	}
	if _, err := normalize.LoadProfile(filepath.Join(dir, "absent.yaml")); err == nil || errors.Is(err, normalize.ErrUnknownProfile) {
		t.Errorf("absent file: %v", err)
	}
}
