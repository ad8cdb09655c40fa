package hashing

import (
	"encoding/binary"
	"path/filepath"
	"slices"
	"testing"

	"github.com/kycmatch/kycmatch/keys"
	"github.com/kycmatch/kycmatch/normalize"
)

// TestCodeBooks: line codes give the same rune unrelated codes in two
// lines, and no line's codes are the scheme's; the scheme's codes of older
// records are one book for every line. Two lines with equal values are
// what a global substitution code would give away.
func TestCodeBooks(t *testing.T) {
	kr, err := keys.Create(filepath.Join(t.TempDir(), "kr"), keys.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := NewScheme(kr.Active(), normalize.DefaultProfile, []string{"familyName"}).NewHasher()
	values := [][]byte{[]byte("sanchez arjona")}
	scheme := dictionary(t, h, &Salt{}, values, SchemeCodes)
	for _, c := range []struct {
		codes   Codes
		perLine bool
	}{{LineCodes, true}, {SchemeCodes, false}} {
		seen := map[uint64]int{}
		for line := range 50 {
			salt := Salt{byte(line), 1}
			for _, code := range dictionary(t, h, &salt, values, c.codes) {
				seen[code]++
				if c.perLine && slices.Contains(scheme, code) {
					t.Fatalf("line %d holds a code of the scheme's book", line)
				}
			}
		}
		for code, n := range seen {
			if c.perLine && n != 1 {
				t.Fatalf("codes %d: a code in %d lines", c.codes, n)
			}
			if !c.perLine && n != 50 {
				t.Fatalf("codes %d: code %x in %d lines of 50", c.codes, code, n)
			}
		}
	}
}

// dictionary builds and opens a block and returns its dictionary's codes.
func dictionary(t *testing.T, h *Hasher, salt *Salt, values [][]byte, c Codes) []uint64 {
	t.Helper()
	b := h.AppendTokenBlock(nil, salt, values, c)
	if _, err := h.OpenTokenBlock(salt, b, len(values), c); err != nil {
		t.Fatal(err)
	}
	return append([]uint64(nil), h.dictCodes...)
}

// TestCodeKnownAnswer pins both code books to their definitions, since
// stored records depend on them: F(r) is the first 6 bytes of AES(k_F,
// 0^12 ‖ r) and F_s(r) the first or (odd r) second 6 bytes of AES(k_L,
// s[:12] ‖ ⌊r/2⌋), big-endian input, little-endian codes.
func TestCodeKnownAnswer(t *testing.T) {
	kr, err := keys.Create(filepath.Join(t.TempDir(), "kr"), keys.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := NewScheme(kr.Active(), normalize.DefaultProfile, nil)
	h := s.NewHasher()
	salt := Salt{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	for _, c := range []struct {
		codes Codes
		key   string
		pre   []byte
		pairs bool
	}{{SchemeCodes, labelRune, make([]byte, 12), false}, {LineCodes, labelLineRune, salt[:12], true}} {
		h.useCodes(c.codes, &salt)
		for _, r := range []rune{'a', 'b', 'é', '山', 0x10FFFF, 0} {
			in, off := uint32(r), 0
			if c.pairs {
				in, off = in>>1, TokenSize*int(r&1)
			}
			out := make([]byte, 16)
			kr.Active().NewBlock(c.key).Encrypt(out, binary.BigEndian.AppendUint32(append([]byte(nil), c.pre...), in))
			if want := binary.LittleEndian.Uint64(out[off:]) & codeMask; h.code(r) != want || h.cachedCode(r) != want {
				t.Errorf("codes %d, %q: %x, want %x", c.codes, r, h.code(r), want)
			}
		}
	}
}
