package hashing_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/kycmatch/kycmatch/hashing"
	"github.com/kycmatch/kycmatch/keys"
)

func testScheme(t *testing.T) *hashing.Scheme {
	t.Helper()
	kr, err := keys.Create(filepath.Join(t.TempDir(), "kr"), keys.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return hashing.NewScheme(kr.Active(), hashing.DefaultProfile, []string{"familyName", "givenName"})
}

// sealed builds a token section as the engine does: in the clear, then
// under the record's key stream from offset off.
func sealed(h *hashing.Hasher, field int, salt *hashing.Salt, off int, value string) []byte {
	sec := h.AppendTokenSection(nil, field, []rune(value))
	h.TokenStream(salt, off).XORKeyStream(sec[1:], sec[1:])
	return sec
}

func tokensOf(sec []byte) [][]byte {
	var out [][]byte
	for p := 3; p+hashing.TokenSize <= len(sec); p += hashing.TokenSize {
		out = append(out, sec[p:p+hashing.TokenSize])
	}
	return out
}

// TestTokensNeverRepeat: a rune repeated within a value, the same value in
// another field, at another stream offset (a second variant) or in another
// line gives different tokens; and eq still answers exactly.
func TestTokensNeverRepeat(t *testing.T) {
	h := testScheme(t).NewHasher()
	salt, other := hashing.Salt{1}, hashing.Salt{2}
	sections := [][]byte{
		sealed(h, 0, &salt, 0, "aaaaaaaaaaaa"),
		sealed(h, 1, &salt, 200, "aaaaaaaaaaaa"),
		sealed(h, 0, &salt, 400, "aaaaaaaaaaaa"),
		sealed(h, 0, &other, 0, "aaaaaaaaaaaa"),
	}
	seen := map[string]bool{}
	for _, sec := range sections {
		for _, tok := range tokensOf(sec) {
			if seen[string(tok)] {
				t.Fatalf("token %x repeats", tok)
			}
			seen[string(tok)] = true
		}
	}
	seq, err := h.OpenTokens(0, &salt, sections[0], 0)
	if err != nil {
		t.Fatal(err)
	}
	if seq.Len() != 12 || !seq.Eq(0, 'a') || !seq.Eq(11, 'a') || seq.Eq(5, 'b') || seq.Eq(12, 'a') {
		t.Errorf("eq answers wrong: len %d", seq.Len())
	}
	if _, err := h.OpenTokens(0, &other, sections[0], 0); err == nil {
		if s, _ := h.OpenTokens(0, &other, sections[0], 0); s.Len() == 12 && s.Eq(0, 'a') {
			t.Error("another line's key stream opens the section")
		}
	}
}

// TestTokenLengthsBucketed: values of lengths 1 to 8 give sections of one
// size, so the store shows lengths only to within eight runes.
func TestTokenLengthsBucketed(t *testing.T) {
	h := testScheme(t).NewHasher()
	salt := hashing.Salt{3}
	size := len(sealed(h, 0, &salt, 0, "a"))
	for _, v := range []string{"ab", "abcdefg", "abcdefgh"} {
		if n := len(sealed(h, 0, &salt, 0, v)); n != size {
			t.Errorf("%q: section of %d bytes, %q of %d", v, n, "a", size)
		}
	}
	if n := len(sealed(h, 0, &salt, 0, "abcdefghi")); n == size {
		t.Error("nine runes in the bucket of one")
	}
	if bytes.Equal(sealed(h, 0, &salt, 0, "ab")[1:3], sealed(h, 0, &salt, 0, "abc")[1:3]) {
		t.Error("the length is readable")
	}
}
