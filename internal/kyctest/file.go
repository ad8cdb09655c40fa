package kyctest

import (
	"testing"

	"github.com/kycmatch/kycmatch/internal/atomicfile"
)

// WriteFileAtomic replaces path through a rename, as an operator's
// deployment replaces a JWKS file, so a watcher never reads half a file.
func WriteFileAtomic(tb testing.TB, path string, data []byte) {
	tb.Helper()
	if err := atomicfile.WriteFile(path, data); err != nil {
		tb.Fatal(err)
	}
}
