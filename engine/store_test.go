package engine_test

import (
	"bytes"
	"testing"

	"github.com/kycmatch/kycmatch/engine"
)

// TestStreamBounds: every first byte belongs to exactly the stream whose
// bounds contain it, for every stream count a writer may offer.
func TestStreamBounds(t *testing.T) {
	for n := 1; n <= 16; n++ {
		for b := 0; b < 256; b++ {
			key := []byte{byte(b), 0xff}
			s := engine.StreamOf(key, n)
			lo, hi := engine.StreamBounds(s, n)
			if (lo != nil && bytes.Compare(key, lo) < 0) || (hi != nil && bytes.Compare(key, hi) >= 0) {
				t.Fatalf("n=%d byte=%d: stream %d bounds [%x, %x)", n, b, s, lo, hi)
			}
		}
	}
}
