package store

import (
	"crypto/aes"
	"crypto/cipher"
	"testing"
)

// TestRecordADNamesGeneration: with the key and salt of one generation, a
// record still opens only under its generation's id, so binding does not
// rest on every generation drawing a new salt.
func TestRecordADNamesGeneration(t *testing.T) {
	b, _ := aes.NewCipher(make([]byte, 32))
	aead, _ := cipher.NewGCMWithRandomNonce(b)
	gen := func(id string, bound bool) *Generation {
		g := &Generation{meta: meta{ID: id}, aead: aead, bound: bound}
		g.ads.New = func() any { return new([]byte) }
		return g
	}
	key := []byte("0123456789abcdef")
	sealed := aead.Seal(nil, nil, []byte("record"), recordAD(nil, "00000001", key))
	for _, tt := range []struct {
		g    *Generation
		want bool
	}{{gen("00000001", true), true}, {gen("00000002", true), false}, {gen("00000001", false), false}} {
		if _, err := tt.g.open(nil, key, sealed); (err == nil) != tt.want {
			t.Errorf("generation %s bound %v: opened %v, want %v", tt.g.meta.ID, tt.g.bound, err == nil, tt.want)
		}
	}
}
