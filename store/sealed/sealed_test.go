package sealed_test

import (
	"crypto/aes"
	"crypto/cipher"
	"testing"

	"github.com/kycmatch/kycmatch/store/sealed"
)

// TestRecordADNamesGeneration: with the key and salt of one generation, a
// record still opens only under its generation's id, so binding does not
// rest on every generation drawing a new salt.
func TestRecordADNamesGeneration(t *testing.T) {
	b, _ := aes.NewCipher(make([]byte, 32))
	aead, _ := cipher.NewGCMWithRandomNonce(b)
	key := []byte("0123456789abcdef")
	rec := sealed.NewSealer(aead, "00000001").Seal(key, []byte("record"))
	for _, tt := range []struct {
		id          string
		bound, want bool
	}{{"00000001", true, true}, {"00000002", true, false}, {"00000001", false, false}} {
		if _, err := sealed.NewOpener(aead, tt.id, tt.bound).Open(nil, key, rec); (err == nil) != tt.want {
			t.Errorf("generation %s bound %v: opened %v, want %v", tt.id, tt.bound, err == nil, tt.want)
		}
	}
}
