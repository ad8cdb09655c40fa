package engine_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/internal/kyctest"
	"github.com/kycmatch/kycmatch/normalize"
)

// profileCase is one stored line and one asked attribute. For a false
// verdict, held and sub are the normalised values the score compares (held:
// every stored variant), written out so that the table shows what the
// profile did.
type profileCase struct {
	stored    []string // field, value, …
	field     string
	submitted string
	verdict   engine.Verdict
	held      []string
	sub       string
}

// TestProfileMatches: de and nl on every text field, compositions included,
// through a generation built under the profile and a matcher that reads the
// profile from the generation.
func TestProfileMatches(t *testing.T) {
	T, F := engine.True, engine.False
	tables := map[string][]profileCase{
		"de": {
			{stored: []string{"familyName", "Müller"}, field: "familyName", submitted: "MUELLER", verdict: T},
			{stored: []string{"familyName", "Müller"}, field: "familyName", submitted: "Mueller", verdict: T},
			{stored: []string{"familyName", "MÜLLER"}, field: "familyName", submitted: "müller", verdict: T},
			{stored: []string{"familyName", "Müller"}, field: "familyName", submitted: "Muller", verdict: F, held: []string{"mueller"}, sub: "muller"},
			{stored: []string{"givenName", "Jürgen"}, field: "givenName", submitted: "Juergen", verdict: T},
			{stored: []string{"name", "Jörg Müller"}, field: "name", submitted: "Joerg Mueller", verdict: T},
			{stored: []string{"middleNames", "Björn"}, field: "middleNames", submitted: "Bjoern", verdict: T},
			{stored: []string{"familyNameAtBirth", "Schröder"}, field: "familyNameAtBirth", submitted: "Schroeder", verdict: T},
			{stored: []string{"address", "Königstraße 5"}, field: "address", submitted: "Koenigstrasse 5", verdict: T},
			{stored: []string{"streetName", "Düsseldorfer Straße"}, field: "streetName", submitted: "Duesseldorfer Strasse", verdict: T},
			{stored: []string{"region", "Thüringen"}, field: "region", submitted: "Thueringen", verdict: T},
			{stored: []string{"locality", "Köln"}, field: "locality", submitted: "Koln", verdict: F, held: []string{"koeln"}, sub: "koln"},
			{stored: []string{"cityOfBirth", "München"}, field: "cityOfBirth", submitted: "Muenchen", verdict: T},
			{stored: []string{"givenName", "Jürgen", "familyName", "Müller"}, field: "name", submitted: "Mueller Juergen", verdict: T},
			{stored: []string{"givenName", "Jürgen", "familyName", "Müller"}, field: "name", submitted: "Jurgen Muller", verdict: F,
				held: []string{"juergen mueller", "mueller juergen"}, sub: "jurgen muller"},
			{stored: []string{"streetName", "Königsallee", "streetNumber", "12"}, field: "address", submitted: "Koenigsallee 12", verdict: T},
		},
		"nl": {
			{stored: []string{"familyName", "van der Berg"}, field: "familyName", submitted: "Berg", verdict: T},
			{stored: []string{"familyName", "van der Berg"}, field: "familyName", submitted: "v.d. Berg", verdict: T},
			{stored: []string{"familyName", "Berg"}, field: "familyName", submitted: "Van Der Berg", verdict: T},
			{stored: []string{"familyName", "van der Berg"}, field: "familyName", submitted: "Bergh", verdict: F, held: []string{"berg"}, sub: "bergh"},
			{stored: []string{"familyName", "van der Berg"}, field: "familyName", submitted: "van der", verdict: F, held: []string{"berg"}, sub: "van der"},
			{stored: []string{"name", "Jan de Vries"}, field: "name", submitted: "Jan Vries", verdict: T},
			{stored: []string{"familyNameAtBirth", "van den Heuvel"}, field: "familyNameAtBirth", submitted: "Heuvel", verdict: T},
			{stored: []string{"givenName", "Jan van"}, field: "givenName", submitted: "Jan", verdict: F, held: []string{"jan van"}, sub: "jan"},
			{stored: []string{"middleNames", "van Dijk"}, field: "middleNames", submitted: "Dijk", verdict: F, held: []string{"van dijk"}, sub: "dijk"},
			{stored: []string{"address", "Van Baerlestraat 1"}, field: "address", submitted: "Baerlestraat 1", verdict: F,
				held: []string{"van baerlestraat 1"}, sub: "baerlestraat 1"},
			{stored: []string{"streetName", "Van Eeghenstraat"}, field: "streetName", submitted: "Eeghenstraat", verdict: F,
				held: []string{"van eeghenstraat"}, sub: "eeghenstraat"},
			{stored: []string{"region", "Den Haag"}, field: "region", submitted: "Haag", verdict: F, held: []string{"den haag"}, sub: "haag"},
			{stored: []string{"locality", "Den Bosch"}, field: "locality", submitted: "Bosch", verdict: F, held: []string{"den bosch"}, sub: "bosch"},
			{stored: []string{"cityOfBirth", "Den Helder"}, field: "cityOfBirth", submitted: "Helder", verdict: F, held: []string{"den helder"}, sub: "helder"},
			{stored: []string{"givenName", "Jan", "familyName", "van der Berg"}, field: "name", submitted: "Jan Berg", verdict: T},
			{stored: []string{"givenName", "Jan", "familyName", "van der Berg"}, field: "name", submitted: "Berg Jan", verdict: T},
			{stored: []string{"givenName", "Jan", "familyName", "van der Berg"}, field: "name", submitted: "Jan v.d. Berg", verdict: T},
			{stored: []string{"givenName", "Jan", "familyName", "van der Berg"}, field: "name", submitted: "Jan Bergman", verdict: F,
				held: []string{"jan berg", "berg jan"}, sub: "jan bergman"},
		},
	}
	for name, cases := range tables {
		t.Run(name, func(t *testing.T) {
			p, err := normalize.Builtin(name)
			if err != nil {
				t.Fatal(err)
			}
			lines := make([]engine.Line, len(cases))
			for i, c := range cases {
				lines[i] = line(true, append([]string{"phoneNumber", profilePhone(i)}, c.stored...)...)
			}
			m := mustMatcherWith(t, p, lines...)
			for i, c := range cases {
				res, err := m.Match(context.Background(), request(profilePhone(i), c.field, c.submitted), engine.Options{})
				if err != nil {
					t.Fatalf("%v %s %q: %v", c.stored, c.field, c.submitted, err)
				}
				a, _ := engine.ParseAttribute(c.field)
				want := int(engine.NoScore)
				for _, h := range c.held {
					want = max(want, kyctest.PlainScore(h, c.sub))
				}
				if res.Verdict[a] != c.verdict || int(res.Score[a]) != want {
					t.Errorf("%v %s %q: %s %d, want %s %d", c.stored, c.field, c.submitted, res.Verdict[a], res.Score[a], c.verdict, want)
				}
			}
		})
	}
}

func profilePhone(i int) string { return fmt.Sprintf("+3161%07d", i) }

// TestProfileEmptied: a submitted value the profile turns into nothing is
// refused as before; dropping words never empties one.
func TestProfileEmptied(t *testing.T) {
	p, _ := normalize.Builtin("nl")
	m := mustMatcherWith(t, p, line(true, "phoneNumber", profilePhone(0), "familyName", "de"))
	if _, err := m.Match(context.Background(), request(profilePhone(0), "familyName", " - "), engine.Options{}); engine.ErrorCode(err) != engine.EINVALID {
		t.Errorf("punctuation only: %v", err)
	}
	res, err := m.Match(context.Background(), request(profilePhone(0), "familyName", "De"), engine.Options{})
	if err != nil || res.Verdict[engine.FamilyName] != engine.True {
		t.Errorf("a value of prefixes only: %v, %v", res, err)
	}
}

// TestProfileOf: a generation's recorded definition is its profile; one made
// before definitions were recorded names a built-in, and a definition that
// is not the profile it names is refused.
func TestProfileOf(t *testing.T) {
	nl, _ := normalize.Builtin("nl")
	for _, tt := range []struct {
		info engine.GenerationInfo
		want string // profile name; "" for an error
	}{
		{engine.GenerationInfo{Profile: "default"}, "default"},
		{engine.GenerationInfo{}, "default"},
		{engine.GenerationInfo{Profile: "nl", ProfileDefinition: nl.Definition()}, "nl"},
		{engine.GenerationInfo{Profile: "pl", ProfileDefinition: []byte(`{"name":"pl","replace":{"ł":"l"}}`)}, "pl"},
		{engine.GenerationInfo{Profile: "pl"}, ""},
		{engine.GenerationInfo{Profile: "de", ProfileDefinition: nl.Definition()}, ""},
		{engine.GenerationInfo{Profile: "x", ProfileDefinition: []byte(`{"name":"x","colour":"red"}`)}, ""},
	} {
		p, err := engine.ProfileOf(tt.info)
		if (tt.want == "") != (err != nil) || (err == nil && p.Name() != tt.want) {
			t.Errorf("%s %s: %v, %v; want %q", tt.info.Profile, tt.info.ProfileDefinition, p, err, tt.want)
		}
	}
}
