package hashing

import (
	"math/rand/v2"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// TestTextTableMatchesChain holds the table fast path to the full chain on
// random strings drawn from the table's range, marks excluded.
func TestTextTableMatchesChain(t *testing.T) {
	textTableOnce.Do(buildTextTable)
	var pool []rune
	for r := rune(0); r < tableEnd; r++ {
		if textTableOK[r] {
			pool = append(pool, r)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		rs := make([]rune, 1+rng.IntN(12))
		for j := range rs {
			rs[j] = pool[rng.IntN(len(pool))]
		}
		s := string(rs)
		if fast, chain := string(appendText(nil, s)), string(appendTextChain(nil, s)); fast != chain {
			t.Fatalf("%q: table %q, chain %q", s, fast, chain)
		}
	}
}

func TestTextTableCoversCommonScripts(t *testing.T) {
	textTableOnce.Do(buildTextTable)
	for _, r := range "aZ09 éÉßøŁİıΣςжЁ" {
		if !textTableOK[r] {
			t.Errorf("%q (%U) takes the slow path", r, r)
		}
	}
	if textTableOK[0x0301] || !unicode.Is(unicode.Mn, 0x0301) {
		t.Error("combining acute must not be in the table")
	}
}

// TestKanaFastPathMatchesNFKC holds the full-width fast path to the NFKC
// path on every rune it accepts.
func TestKanaFastPathMatchesNFKC(t *testing.T) {
	for r := rune(0x3000); r < 0x3100; r++ {
		s := string([]rune{'カ', r, 'ア'})
		fast, ok := appendKanaFast(nil, s)
		if !ok {
			continue
		}
		var slow []byte
		for _, c := range norm.NFKC.String(s) {
			if !unicode.IsSpace(c) {
				slow = utf8.AppendRune(slow, hiraganaToKatakana(c))
			}
		}
		if string(fast) != string(slow) {
			t.Errorf("%U: fast %q, NFKC %q", r, fast, slow)
		}
	}
}
