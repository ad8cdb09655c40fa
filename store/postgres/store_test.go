package postgres_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/internal/kyctest"
	"github.com/kycmatch/kycmatch/store/postgres"
	"github.com/kycmatch/kycmatch/store/storetest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	kyctest.StopSharedPostgres()
	os.Exit(code)
}

// openAt opens a store on url for the test's duration.
func openAt(t *testing.T, url string, o postgres.Options) *postgres.Store {
	t.Helper()
	st, err := postgres.Open(url, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	return st
}

// newDB is an empty database of the package's shared server.
func newDB(t *testing.T) string {
	return kyctest.SharedPostgres(t).NewDatabase(t)
}

// TestContract runs the store contract against PostgreSQL.
func TestContract(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		New: func(t *testing.T) func(*testing.T, storetest.Options) engine.Store {
			url := newDB(t)
			return func(t *testing.T, o storetest.Options) engine.Store {
				return openAt(t, url, postgres.Options{Keys: o.Keys, Plaintext: o.Plaintext, AllowUnsealed: o.Plaintext, Streams: o.Streams})
			}
		},
		Raw: func(t *testing.T, g engine.Generation) ([][2][]byte, func(key, v []byte) ([]byte, error)) {
			var lines [][2][]byte
			if err := postgres.RawScan(g, func(k, v []byte) error {
				lines = append(lines, [2][]byte{bytes.Clone(k), bytes.Clone(v)})
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			return lines, func(k, v []byte) ([]byte, error) { return postgres.OpenRaw(g, k, v) }
		},
	})
}

// TestMetadataAuthenticated: a metadata row altered in the database, or
// its MAC taken from another generation, is refused by a reader, with a
// message naming the generation.
func TestMetadataAuthenticated(t *testing.T) {
	tests := []struct {
		name, sql, want string
	}{
		{"LinesChanged", `UPDATE kycmatch_generations SET meta = convert_to(replace(convert_from(meta, 'UTF8'), '"lines": 10', '"lines": 11'), 'UTF8') WHERE id = '00000002'`, "does not authenticate"},
		{"SealingStripped", `UPDATE kycmatch_generations SET meta = convert_to(replace(convert_from(meta, 'UTF8'), '"sealing": "aes-256-gcm"', '"sealing": ""'), 'UTF8') WHERE id = '00000002'`, "does not authenticate"},
		{"MACOfAnotherGeneration", `UPDATE kycmatch_generations SET mac = (SELECT mac FROM kycmatch_generations WHERE id = '00000001') WHERE id = '00000002'`, "does not authenticate"},
		{"RowCopied", `UPDATE kycmatch_generations SET (meta, mac) = (SELECT meta, mac FROM kycmatch_generations WHERE id = '00000001') WHERE id = '00000002'`, "names generation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := newDB(t)
			st := openAt(t, url, postgres.Options{Keys: storetest.Key})
			storetest.Build(t, st, 10, "a")
			storetest.Build(t, st, 10, "b")
			db := url[strings.LastIndex(url, "/")+1 : strings.Index(url, "?")]
			kyctest.SharedPostgres(t).Exec(t, db, tt.sql)
			_, err := st.Current(context.Background())
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "generation 00000002") {
				t.Fatalf("opened or wrong error: %v, want %q", err, tt.want)
			}
		})
	}
}
