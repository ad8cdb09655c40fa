package store

import (
	"testing"
	"time"
)

// TestDataKeyLifetime: Badger treats its newest data key as fresh while
// time.Since(created) < lifetime. A reader of a generation built any time
// this century must find the key fresh (or Badger would try to write a new
// one into a read-only registry and log.Fatal); a writer starting from an
// empty registry (created = 1970) must find none.
func TestDataKeyLifetime(t *testing.T) {
	life := dataKeyLifetime()
	if built := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC); time.Since(built) >= life {
		t.Errorf("a key from 2020 is stale after %s", life)
	}
	if time.Since(time.Unix(0, 0)) < life {
		t.Errorf("an empty registry counts as fresh")
	}
}
