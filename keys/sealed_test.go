package keys_test

import "testing"

// TestSealed: Sealed tells a passphrase-sealed keyring from a plain one,
// also after reopening, so callers can refuse a plain one in its place.
func TestSealed(t *testing.T) {
	for _, tt := range []struct {
		name   string
		sealed bool
	}{{"plain", false}, {"sealed", true}} {
		o := plainOptions()
		if tt.sealed {
			o = sealedOptions()
		}
		kr, path := MustCreate(t, o)
		if kr.Sealed() != tt.sealed || MustOpen(t, path, o).Sealed() != tt.sealed {
			t.Errorf("%s keyring: Sealed() = %v", tt.name, kr.Sealed())
		}
	}
}
