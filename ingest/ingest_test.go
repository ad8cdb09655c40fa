package ingest_test

import (
	"io"
	"path/filepath"
	"testing"

	"github.com/kycmatch/kycmatch/ingest"
	"github.com/kycmatch/kycmatch/keys"
	"github.com/kycmatch/kycmatch/store"
)

// env is a keyring and a real store in temporary directories.
type env struct {
	kr   *keys.Keyring
	st   *store.Store
	data string
}

func newEnv(tb testing.TB) *env {
	tb.Helper()
	dir := tb.TempDir()
	kr, err := keys.Create(filepath.Join(dir, "keyring"), keys.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	e := &env{kr: kr, data: filepath.Join(dir, "data")}
	e.st = e.openStore(tb, false)
	return e
}

func (e *env) openStore(tb testing.TB, plaintext bool) *store.Store {
	st, err := store.Open(e.data, store.Options{Plaintext: plaintext, StorageKey: func(id string) ([]byte, error) {
		k, err := e.kr.Key(id)
		if err != nil {
			return nil, err
		}
		return k.StorageKey("badger-encryption"), nil
	}})
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

func (e *env) options(in io.Reader, f ingest.Format) ingest.Options {
	return ingest.Options{Input: in, Format: f, Keyring: e.kr, Store: e.st, TempDir: e.data}
}
