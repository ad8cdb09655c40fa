package hashing

import (
	"math/rand/v2"
	"testing"
	"unicode"
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
