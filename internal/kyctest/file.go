package kyctest

import (
	"os"
	"testing"
)

// WriteFileAtomic replaces path through a rename, as an operator's
// deployment replaces a JWKS file, so a watcher never reads half a file.
func WriteFileAtomic(tb testing.TB, path string, data []byte) {
	tb.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		tb.Fatal(err)
	}
}
