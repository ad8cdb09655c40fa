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
