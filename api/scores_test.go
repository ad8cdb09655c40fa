package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/hashing"
	"github.com/kycmatch/kycmatch/ingest"
	"github.com/kycmatch/kycmatch/jarowinkler"
	"github.com/kycmatch/kycmatch/synth"
)

// TestScoresOverGeneratedExport asks, through both API versions, about
// every line of a generated export with every scored field slightly wrong,
// and checks each …MatchScore against Jaro–Winkler computed on the
// plaintext (contract §5: normalised values, best of the compositions).
// Every response is validated against its OpenAPI file on the way.
func TestScoresOverGeneratedExport(t *testing.T) {
	const rows, seed = 400, 11
	e := newEnv(t)
	var csv bytes.Buffer
	if err := synth.Write(&csv, synth.Options{Count: rows, Seed: seed}); err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Run(context.Background(), ingest.Options{Input: &csv, Keyring: e.kr, Store: e.st, TempDir: e.data}); err != nil {
		t.Fatal(err)
	}
	srv := newServer(t, e.live(t), nil)
	scored := 0
	for i := 0; i < rows; i++ {
		s := synth.Generate(seed, i, false)
		if !s.Eligible {
			continue
		}
		phone, err := hashing.ParsePhone(s.Values[engine.PhoneNumber], "")
		if err != nil {
			t.Fatal(err)
		}
		kv := alteredScoredFields(&s)
		for _, v := range []string{"v0.4", "vwip"} {
			r := srv.do(t, call{version: v, body: jsonBody(phone, kv...)})
			if r.status != 200 {
				t.Fatalf("row %d %s: %d %s", i, v, r.status, r.body)
			}
			for j := 0; j < len(kv); j += 2 {
				a, _ := engine.ParseAttribute(kv[j])
				want := scoreOracle(t, &s, a, kv[j+1])
				got := -1
				if n, ok := r.fields[kv[j]+"MatchScore"].(json.Number); ok {
					v, _ := n.Int64()
					got = int(v)
					scored++
				}
				if got != want {
					t.Fatalf("row %d %s %s: score %d, plaintext %d", i, v, kv[j], got, want)
				}
			}
		}
	}
	if scored < rows {
		t.Errorf("only %d scores compared", scored)
	}
}

// alteredScoredFields asks every scored field the line holds (and name and
// address as compositions), each with one letter added.
func alteredScoredFields(s *synth.Subscriber) []string {
	var kv []string
	for _, a := range engine.Attributes()[1:] {
		if !a.Scored() {
			continue
		}
		v := held(s, a)
		if v == "" {
			continue
		}
		switch a.Kind() {
		case hashing.KindKana:
			v += "ア"
		case hashing.KindEmail:
			v = "x" + v
		default:
			v += "x"
		}
		kv = append(kv, a.String(), v)
	}
	return kv
}

// held is the line's raw value of a, or its composition.
func held(s *synth.Subscriber, a engine.Attribute) string {
	v := &s.Values
	switch {
	case v[a] != "":
		return v[a]
	case a == engine.Name && v[engine.GivenName] != "" && v[engine.FamilyName] != "":
		return joinHeld(v[engine.GivenName], v[engine.MiddleNames], v[engine.FamilyName])
	case a == engine.Address && v[engine.StreetName] != "" && v[engine.StreetNumber] != "":
		return joinHeld(v[engine.StreetName], v[engine.StreetNumber], v[engine.HouseNumberExtension])
	}
	return ""
}

func joinHeld(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}

// scoreOracle is ⌊100 × JW⌋ of the normalised values, best over the
// compositions a line without the whole value holds; -1 when equal.
func scoreOracle(t *testing.T, s *synth.Subscriber, a engine.Attribute, submitted string) int {
	norm := func(k hashing.Kind, v string) []rune {
		n, err := hashing.DefaultProfile.Normalize(k, v)
		if err != nil {
			t.Fatalf("%s %q: %v", a, v, err)
		}
		return []rune(n)
	}
	vals := &s.Values
	var stored [][]rune
	switch {
	case vals[a] != "":
		stored = append(stored, norm(a.Kind(), vals[a]))
	case a == engine.Name:
		stored = append(stored, norm(hashing.KindText, joinHeld(vals[engine.GivenName], vals[engine.MiddleNames], vals[engine.FamilyName])),
			norm(hashing.KindText, joinHeld(vals[engine.FamilyName], vals[engine.GivenName])))
	case a == engine.Address:
		stored = append(stored, norm(hashing.KindText, joinHeld(vals[engine.StreetName], vals[engine.StreetNumber], vals[engine.HouseNumberExtension])),
			norm(hashing.KindText, joinHeld(vals[engine.StreetNumber], vals[engine.StreetName], vals[engine.HouseNumberExtension])))
	}
	sub := norm(a.Kind(), submitted)
	best := -1
	for _, st := range stored {
		if string(st) == string(sub) {
			return -1
		}
		best = max(best, jarowinkler.Score(len(st), sub, func(i int, c rune) bool { return st[i] == c }))
	}
	return best
}
