package hashing_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kycmatch/kycmatch/hashing"
	"github.com/kycmatch/kycmatch/internal/kyctest"
	"github.com/kycmatch/kycmatch/keys"
	"github.com/kycmatch/kycmatch/normalize"
)

func testScheme(t *testing.T) *hashing.Scheme { return testSchemeFor(t) }

func testSchemeFor(t testing.TB) *hashing.Scheme {
	t.Helper()
	kr, err := keys.Create(filepath.Join(t.TempDir(), "kr"), keys.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return hashing.NewScheme(kr.Active(), normalize.DefaultProfile, []string{"familyName", "givenName"})
}

// block builds the token block of one record's scored values, with line
// codes.
func block(h *hashing.Hasher, salt *hashing.Salt, values ...string) []byte {
	return blockOf(h, salt, hashing.LineCodes, values...)
}

func blockOf(h *hashing.Hasher, salt *hashing.Salt, c hashing.Codes, values ...string) []byte {
	var bs [][]byte
	for _, v := range values {
		bs = append(bs, []byte(v))
	}
	return h.AppendTokenBlock(nil, salt, bs, c)
}

// openSeq opens value j of a block of line codes.
func openSeq(t *testing.T, h *hashing.Hasher, salt *hashing.Salt, b []byte, n, j int) hashing.TokenSeq {
	t.Helper()
	return openSeqOf(t, h, salt, hashing.LineCodes, b, n, j)
}

func openSeqOf(t *testing.T, h *hashing.Hasher, salt *hashing.Salt, c hashing.Codes, b []byte, n, j int) hashing.TokenSeq {
	t.Helper()
	blk, err := h.OpenTokenBlock(salt, b, n, c)
	if err != nil {
		t.Fatal(err)
	}
	seq, err := blk.Seq(j)
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

// checkEq asserts that seq answers eq exactly for value and the runes of
// probe.
func checkEq(t *testing.T, seq hashing.TokenSeq, value, probe string) {
	t.Helper()
	v := []rune(value)
	if seq.Len() != len(v) {
		t.Fatalf("length %d, want %d", seq.Len(), len(v))
	}
	for i := range v {
		for _, c := range probe + value {
			if got := seq.Eq(i, c); got != (v[i] == c) {
				t.Fatalf("eq(%d, %q) = %v at stored %q", i, c, got, v[i])
			}
		}
	}
	if seq.Eq(-1, v[0]) || seq.Eq(len(v), v[0]) {
		t.Error("eq outside the value")
	}
}

// TestTokenBlockEq: every value of a block answers eq exactly, whether its
// dictionary takes one-byte indices or, past 256 distinct runes, two, and
// whether it holds line codes or the scheme's codes of older records.
func TestTokenBlockEq(t *testing.T) {
	h := testScheme(t).NewHasher()
	var wide []rune
	for r := rune(0x4E00); len(wide) < 300; r += 7 {
		wide = append(wide, r)
	}
	tests := map[string][]string{
		"one value":      {"federica"},
		"shared runes":   {"federica", "sanchez arjona", "federica sanchez arjona", "calle mayor 5"},
		"scripts":        {"άννα", "ヤマダ タロウ", "山田 太郎", "ß"},
		"300 distinct":   {string(wide), "山田", string(wide[:5])},
		"long":           {strings.Repeat("abcdefghij", 100)},
		"composed pairs": {"ana maria lopez", "lopez ana", "c. mayor 5 b", "5 c. mayor b"},
	}
	for name, values := range tests {
		for _, c := range []hashing.Codes{hashing.LineCodes, hashing.SchemeCodes} {
			t.Run(fmt.Sprintf("%s/codes %d", name, c), func(t *testing.T) {
				salt := hashing.Salt{7}
				b := blockOf(h, &salt, c, values...)
				if n, err := hashing.TokenBlockSize(b, len(values)); err != nil || n != len(b) {
					t.Fatalf("TokenBlockSize = %d, %v; block is %d bytes", n, err, len(b))
				}
				for j, v := range values {
					checkEq(t, openSeqOf(t, h, &salt, c, b, len(values), j), v, "xyzé山")
				}
			})
		}
	}
}

// TestTokensNeverRepeat: the same values in another line, or at another
// place in one block, share no stored code; positions holding one rune do
// not show it; and another line's key stream cannot open a block.
func TestTokensNeverRepeat(t *testing.T) {
	h := testScheme(t).NewHasher()
	value := strings.Repeat("a", 200)
	seen := map[string]bool{}
	for line := byte(0); line < 50; line++ {
		salt := hashing.Salt{line}
		b := block(h, &salt, value, value)
		code := string(b[2+2+2 : 2+2+2+hashing.TokenSize]) // the one dictionary entry
		if seen[code] {
			t.Fatalf("line %d repeats a stored code", line)
		}
		seen[code] = true
		// The 200 positions of the first value all hold index 0; under key
		// stream they must look like 200 random bytes.
		pos := b[2+2+2+8*hashing.TokenSize+2:][:200]
		distinct := map[byte]bool{}
		for _, c := range pos {
			distinct[c] = true
		}
		if len(distinct) < 100 {
			t.Fatalf("line %d: 200 positions of one rune show only %d distinct bytes", line, len(distinct))
		}
	}
	salt, other := hashing.Salt{1}, hashing.Salt{2}
	b := block(h, &salt, "aaaaaaaaaaaa")
	if blk, err := h.OpenTokenBlock(&other, b, 1, hashing.LineCodes); err == nil {
		if s, err := blk.Seq(0); err == nil && s.Len() == 12 && s.Eq(0, 'a') {
			t.Error("another line's key stream opens the block")
		}
	}
}

// TestTokenLengthsBucketed: values of lengths 1 to 4 give blocks of one
// size, so the store shows lengths only to within four runes, and the
// length itself is under key stream.
func TestTokenLengthsBucketed(t *testing.T) {
	h := testScheme(t).NewHasher()
	salt := hashing.Salt{3}
	size := len(block(h, &salt, "a"))
	for _, v := range []string{"ab", "abc", "abcd"} {
		if n := len(block(h, &salt, v)); n != size {
			t.Errorf("%q: block of %d bytes, %q of %d", v, n, "a", size)
		}
	}
	if n := len(block(h, &salt, "abcde")); n == size {
		t.Error("five runes in the bucket of one")
	}
	lenAt := 2 + 1 + 2 + 8*hashing.TokenSize
	if bytes.Equal(block(h, &salt, "ab")[lenAt:lenAt+2], block(h, &salt, "abc")[lenAt:lenAt+2]) {
		t.Error("the length is readable")
	}
}

// TestTokenBlockMalformed: truncated or inconsistent blocks are refused,
// never read past their end.
func TestTokenBlockMalformed(t *testing.T) {
	h := testScheme(t).NewHasher()
	salt := hashing.Salt{4}
	b := block(h, &salt, "federica", "sanchez")
	for n := 0; n < len(b); n++ {
		if _, err := hashing.TokenBlockSize(b[:n], 2); err == nil {
			t.Errorf("a block cut to %d of %d bytes has a size", n, len(b))
		}
	}
	if _, err := hashing.TokenBlockSize(b, 3); err == nil {
		t.Error("a third value read past the block")
	}
	blk, err := h.OpenTokenBlock(&salt, b, 2, hashing.LineCodes)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := blk.Seq(2); err == nil {
		t.Error("a block of two values has a third")
	}
}

// FuzzTokenBlock: any bytes opened as a token block are refused or read
// without panics, and any values sealed in a block answer eq exactly.
func FuzzTokenBlock(f *testing.F) {
	f.Add("federica", "sánchez arjona", 2, []byte{1, 0, 9, 9})
	f.Add("山田", "", 1, []byte{})
	h := testSchemeFor(f).NewHasher()
	f.Fuzz(func(t *testing.T, a, b string, n int, junk []byte) {
		salt := hashing.Salt{9}
		if blk, err := h.OpenTokenBlock(&salt, junk, n%4, hashing.LineCodes); err == nil {
			for j := 0; j < n%4; j++ {
				if seq, err := blk.Seq(j); err == nil {
					seq.Eq(0, 'a')
				}
			}
		}
		var values []string
		for _, v := range []string{a, b} {
			if v != "" && utf8.ValidString(v) && utf8.RuneCountInString(v) <= hashing.MaxRunes {
				values = append(values, v)
			}
		}
		blk := block(h, &salt, values...)
		for j, v := range values {
			checkEq(t, openSeq(t, h, &salt, blk, len(values), j), v, "aé")
		}
	})
}

// TestClear: after Clear, nothing reachable from a Hasher holds the phone
// number, a value or anything of the token block it built and opened: not
// its buffers to their capacity, not the code cache, not the tail of a
// message in a MAC state. Everything but the MAC states and the scheme's
// keys is zero.
func TestClear(t *testing.T) {
	h := testScheme(t).NewHasher()
	salt := hashing.Salt{5, 5, 5}
	phone, value := "+34600111222", "federica sanchez"
	h.LookupKey(phone)
	h.Digest(1, &salt, []byte(value))
	b := block(h, &salt, value, "arjona")
	checkEq(t, openSeq(t, h, &salt, b, 2, 0), value, "xyz")
	scratch := func(p string) bool { return p == "s" || p == "pad" || p == "lookup" || strings.HasPrefix(p, "macs") }
	keysOnly := func(p string) bool { return p == "s" || p == "pad" }
	for _, cleared := range []bool{false, true} {
		if cleared {
			h.Clear()
		}
		all := kyctest.ScanHeap(h, keysOnly)
		for _, needle := range []string{phone, value} {
			if all.Contains([]byte(needle)) != !cleared {
				t.Errorf("cleared %v: %q found %v", cleared, needle, !cleared)
			}
		}
		if nz := kyctest.ScanHeap(h, scratch).NonZero; (len(nz) == 0) != cleared {
			t.Errorf("cleared %v: non-zero scratch %.10q", cleared, nz)
		}
	}
	checkEq(t, openSeq(t, h, &salt, b, 2, 0), value, "xyz") // still works after
}
