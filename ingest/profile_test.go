package ingest_test

import (
	"strings"
	"testing"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/ingest"
	"github.com/kycmatch/kycmatch/normalize"
)

// TestDeltaKeepsProfile: a full build records its profile, a delta applies
// the base's and refuses one of its own, and the summary names it.
func TestDeltaKeepsProfile(t *testing.T) {
	e := newEnv(t)
	nl, _ := normalize.Builtin("nl")
	sum, rejects, err := e.ingestCSV(t, header+"+34629255833,,Jan,van der Berg,,,,\n", func(o *ingest.Options) { o.Profile = nl })
	if err != nil || rejects != "" {
		t.Fatalf("full: %v; rejects %q", err, rejects)
	}
	if sum.Generation.Profile != "nl" || string(sum.Generation.ProfileDefinition) != string(nl.Definition()) ||
		!strings.Contains(sum.String(), "profile nl") {
		t.Errorf("full build: %s, %s, %q", sum.Generation.Profile, sum.Generation.ProfileDefinition, sum.String())
	}
	const delta = "op,phoneNumber,familyName\nupsert,+34629255834,van den Heuvel\n"
	if _, _, err := e.ingestCSV(t, delta, func(o *ingest.Options) { o.Delta, o.Profile = true, normalize.DefaultProfile }); err == nil {
		t.Error("a delta took a profile of its own")
	}
	sum, rejects, err = e.ingestCSV(t, delta, func(o *ingest.Options) { o.Delta = true })
	if err != nil || rejects != "" || sum.Generation.Profile != "nl" || !strings.Contains(sum.String(), "profile nl") {
		t.Fatalf("delta: %v, %s; rejects %q", err, sum.Generation.Profile, rejects)
	}
	for phone, sub := range map[string]string{"+34629255833": "Berg", "+34629255834": "Heuvel"} {
		res, err := e.match(t, phone, "familyName", sub)
		if err != nil || res.Verdict[engine.FamilyName] != engine.True {
			t.Errorf("%s %s: %v, %v", phone, sub, res, err)
		}
	}
}
