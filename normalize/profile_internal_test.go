package normalize

import (
	"testing"
)

// testProfileFiles exercise every branch of a text table under replace: a
// key of one rune outside Latin-1, keys of several runes, an ASCII key, an
// identity key and a replacement that is a combining mark.
var testProfileFiles = []string{
	"name: pl\nreplace:\n  \"ł\": \"l\"\n",
	"name: multi\nreplace:\n  \"ij\": \"y\"\n  \"sch\": \"s\"\n  \"ä\": \"ae\"\n",
	"name: ascii\nreplace:\n  \"x\": \"ks\"\n  \"ø\": \"oe\"\n",
	"name: kanji\nreplace:\n  \"髙\": \"高\"\n",
	"name: mark\nreplace:\n  \"ð\": \"d\\u0301\"\n  \"q\": \"\\u0301\"\n",
}

func builtinProfiles() []*Profile {
	var out []*Profile
	for _, name := range BuiltinNames() {
		out = append(out, builtins[name])
	}
	return out
}

// testProfiles are the built-ins and testProfileFiles.
func testProfiles(t testing.TB) []*Profile {
	out := builtinProfiles()
	for _, f := range testProfileFiles {
		p, err := ParseProfile([]byte(f))
		if err != nil {
			t.Fatalf("%q: %v", f, err)
		}
		out = append(out, p)
	}
	return out
}

// profileRunes are the runes of p's keys and replacements.
func profileRunes(p *Profile) []rune {
	var rs []rune
	for k, v := range p.def.Replace {
		rs = append(rs, []rune(k+v)...)
	}
	return rs
}

// changedRunes are the runes whose entry in t's table is not the default
// table's, and the runes of its keys.
func changedRunes(t *textRules) []rune {
	var rs []rune
	def := defaultText.table.loaded()
	for _, g := range tableRanges {
		for r := g.lo; r < g.hi; r++ {
			if *t.table.loaded().lookup(r) != *def.lookup(r) {
				rs = append(rs, r)
			}
		}
	}
	return rs
}

// FuzzParseProfile: the parser never panics; what it accepts reads back from
// its recorded definition as the same profile, and its text table agrees
// with its chain on strings of its own keys and replacements.
func FuzzParseProfile(f *testing.F) {
	for _, s := range testProfileFiles {
		f.Add([]byte(s))
	}
	for _, name := range BuiltinNames() {
		b, _ := builtinFiles.ReadFile("profiles/" + name + ".yaml")
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParseProfile(b)
		if err != nil {
			if p != nil {
				t.Fatal("a profile and an error")
			}
			return
		}
		again, err := ParseProfile(p.Definition())
		if err != nil || string(again.Definition()) != string(p.Definition()) {
			t.Fatalf("%s reads back as %v", p.Definition(), err)
		}
		rs := profileRunes(p)
		for i := 0; i < len(rs) && i < 64; i++ {
			s := string(rs[i:min(len(rs), i+5)]) + " Ab" + string(rs[i])
			if fast, ref := string(appendText(nil, s, p.text)), string(appendTextChain(nil, s, p.text.rep)); fast != ref {
				t.Fatalf("%+q: table %+q, chain %+q", s, fast, ref)
			}
		}
	})
}

// TestBuiltinTablesCoverTheirRunes: under every built-in the runes it
// replaces take the table, and ASCII the shortcut, so a German or Dutch
// export never falls back to the chain for them.
func TestBuiltinTablesCoverTheirRunes(t *testing.T) {
	for _, p := range builtinProfiles() {
		if !p.text.asciiPlain || !p.text.identity {
			t.Errorf("%s: the ASCII or identity shortcut is off", p.Name())
		}
		for _, r := range "äöüÄÖÜßéñøłÆ" {
			if p.text.table.loaded().lookup(r).kind == inContext {
				t.Errorf("%s: %q takes the chain", p.Name(), r)
			}
		}
	}
	if got := string(appendText(nil, "Müller", builtins["de"].text)); got != "mueller" {
		t.Errorf("de: Müller → %q", got)
	}
}
