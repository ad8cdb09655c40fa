package api_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kycmatch/kycmatch/ingest"
	"github.com/kycmatch/kycmatch/normalize"
)

// ingestWith is env.ingest under the profile --profile arg names.
func (e *env) ingestWith(tb testing.TB, arg string, lines []map[string]string) {
	tb.Helper()
	p, err := normalize.LoadProfile(arg)
	if err != nil {
		tb.Fatal(err)
	}
	var rejects bytes.Buffer
	sum, err := ingest.Run(context.Background(), ingest.Options{
		Input: strings.NewReader(exportCSV(tb, lines)), Format: ingest.CSV, Profile: p,
		Keyring: e.kr, Store: e.st, TempDir: e.data, Rejects: &rejects, Workers: 2,
	})
	if err != nil || rejects.Len() > 0 || sum.Generation.Profile != p.Name() {
		tb.Fatalf("ingest: %v, profile %s; rejects:\n%s", err, sum.Generation.Profile, rejects.String())
	}
}

// TestProfilesOverHTTP: a generation built under a profile answers by its
// rules over HTTP, a built-in's and an operator file's alike.
func TestProfilesOverHTTP(t *testing.T) {
	pl := filepath.Join(t.TempDir(), "pl.yaml")
	if err := os.WriteFile(pl, []byte("name: pl-operator\nreplace:\n  \"ł\": \"l\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		profile string
		stored  map[string]string
		kv      []string
		want    map[string]string
	}{
		{"nl", map[string]string{"givenName": "Jan", "familyName": "van der Berg"},
			[]string{"familyName", "Berg", "name", "Jan Berg"}, map[string]string{"familyName": "true", "name": "true"}},
		{"nl", map[string]string{"givenName": "Jan", "familyName": "van der Berg"},
			[]string{"familyName", "Bergen"}, map[string]string{"familyName": "false"}},
		{"default", map[string]string{"familyName": "van der Berg"},
			[]string{"familyName", "Berg"}, map[string]string{"familyName": "false"}},
		{pl, map[string]string{"locality": "Łódź", "familyName": "Białowąs"},
			[]string{"locality", "Lodz", "familyName", "BIALOWAS"}, map[string]string{"locality": "true", "familyName": "true"}},
		{"default", map[string]string{"locality": "Łódź"},
			[]string{"locality", "Lodz"}, map[string]string{"locality": "false"}},
	} {
		t.Run(filepath.Base(tt.profile)+"/"+tt.kv[1], func(t *testing.T) {
			e := newEnv(t)
			line := map[string]string{"phoneNumber": lineAna}
			for k, v := range tt.stored {
				line[k] = v
			}
			e.ingestWith(t, tt.profile, []map[string]string{line})
			s := newServer(t, e.live(t), nil)
			r := s.do(t, call{version: "vwip", body: jsonBody(lineAna, tt.kv...)})
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			checkKeys(t, "vwip", fieldsOf(tt.kv...), r, tt.want)
		})
	}
}
