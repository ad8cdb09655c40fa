package postgres_test

import (
	"bytes"
	"os"
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
