package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/ingest"
	"github.com/kycmatch/kycmatch/internal/kyctest"
	"github.com/kycmatch/kycmatch/normalize"
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
		phone, err := normalize.ParsePhone(s.Values[engine.PhoneNumber], "")
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
				_, want := kyctest.Oracle(t, &s.Values, a, kv[j+1])
				got := engine.NoScore
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
		held := kyctest.Held(&s.Values, a)
		if held == nil {
			continue
		}
		v := held[0]
		switch a.Kind() {
		case normalize.KindKana:
			v += "ア"
		case normalize.KindEmail:
			v = "x" + v
		default:
			v += "x"
		}
		kv = append(kv, a.String(), v)
	}
	return kv
}
