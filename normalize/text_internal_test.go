package normalize

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// tableRunes lists the runes t holds.
func tableRunes(t *runeTable) []rune {
	var rs []rune
	for _, g := range tableRanges {
		for r := g.lo; r < g.hi; r++ {
			if t.loaded().lookup(r).kind != inContext {
				rs = append(rs, r)
			}
		}
	}
	return rs
}

// identitySample is every 499th identity rune and both ends of each range;
// TestIdentityRunes covers the rest one by one.
func identitySample() []rune {
	rs := []rune{0x3400, 0x4DBF, 0x4E00, 0x9FFF, 0xAC00, 0xD7A3}
	for r := rune(0x3400); r <= 0xD7A3; r += 499 {
		if isIdentityRune(r) {
			rs = append(rs, r)
		}
	}
	return rs
}

// nonLatin is the part of a table past Latin, Greek and Cyrillic: the blocks
// whose context-freedom rests on the choice of tableRanges, so each of its
// runes is tried next to every partner.
func nonLatin(rs []rune) []rune {
	var out []rune
	for _, r := range rs {
		if r >= 0x0530 {
			out = append(out, r)
		}
	}
	return out
}

// pairPartners is what nonLatin runes are paired with: all of ASCII and
// Latin-1, every 5th other Latin rune, and the non-Latin runes themselves.
func pairPartners(rs []rune) []rune {
	var out []rune
	for i, r := range rs {
		if r < 0x0100 || r >= 0x0530 || i%5 == 0 {
			out = append(out, r)
		}
	}
	return append(out, identitySample()...)
}

// checkContextFree compares rule on every pair of a rune from left with one
// from partners, both ways round, and on random strings of pool, with the
// concatenation of the per-rune outputs that fast, the table path, gives.
func checkContextFree(t *testing.T, fast, rule func([]byte, string) []byte, left, partners, pool []rune) {
	t.Helper()
	check := func(s string) {
		if f, r := string(fast([]byte("x"), s)), string(rule([]byte("x"), s)); f != r {
			t.Fatalf("%+q: table %+q, rule %+q", s, f, r)
		}
	}
	for _, a := range left {
		for _, b := range partners {
			check(string([]rune{a, b}))
			check(string([]rune{b, a}))
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		rs := make([]rune, 1+rng.IntN(12))
		for j := range rs {
			rs[j] = pool[rng.IntN(len(pool))]
		}
		check(string(rs))
	}
}

// TestTextTableMatchesChain holds the table and identity fast paths to the
// full chain: every entry alone, every pair with an entry outside Latin, and
// random strings drawn from the whole table; for a profile, every pair with
// an entry its replace changes or leaves out.
func TestTextTableMatchesChain(t *testing.T) {
	seen := make(map[*textRules]bool) // nl shares default's
	for _, tp := range testProfiles(t) {
		if seen[tp.text] {
			continue
		}
		seen[tp.text] = true
		t.Run(tp.Name(), func(t *testing.T) {
			tr := tp.text
			fast := func(dst []byte, s string) []byte { return appendText(dst, s, tr) }
			chain := func(dst []byte, s string) []byte { return appendTextChain(dst, s, tr.rep) }
			rs := tableRunes(tr.table)
			pool := append(append([]rune(nil), rs...), identitySample()...)
			pool = append(pool, profileRunes(tp)...)
			for _, r := range pool {
				if f, c := string(fast(nil, string(r))), string(chain(nil, string(r))); f != c {
					t.Fatalf("%U: table %+q, chain %+q", r, f, c)
				}
			}
			left := nonLatin(rs)
			if tr != defaultText {
				left = changedRunes(tr)
			}
			checkContextFree(t, fast, chain, left, pairPartners(rs), pool)
		})
	}
}

// TestIdentityRunes holds isIdentityRune to every rule it short-cuts, on
// every rune of its ranges.
func TestIdentityRunes(t *testing.T) {
	n := 0
	for r := rune(0); r <= 0x10FFFF; r++ {
		if !isIdentityRune(r) {
			continue
		}
		n++
		s := string(r)
		if len(s) != identityRuneLen {
			t.Fatalf("%U is %d bytes", r, len(s))
		}
		if got := string(textChainCore(nil, s, nil)); got != s {
			t.Fatalf("%U: text chain gives %+q", r, got)
		}
		if got := string(appendCompactSlow(nil, s)); got != s {
			t.Fatalf("%U: compact gives %+q", r, got)
		}
		if !norm.NFKC.PropertiesString(s).BoundaryBefore() {
			t.Fatalf("%U combines with what precedes it", r)
		}
	}
	if n != 0x4DBF-0x3400+1+0x9FFF-0x4E00+1+0xD7A3-0xAC00+1 {
		t.Fatalf("%d identity runes", n)
	}
}

func TestTextTableCoversCommonScripts(t *testing.T) {
	for _, r := range "aZ09 éÉßøŁİıΣςжЁ　、。ー・かガゔゝヴヾ々〒ＡＺａｚ０９－ｱｯｰ￥" {
		if defaultText.table.loaded().lookup(r).kind == inContext {
			t.Errorf("%q (%U) takes the slow path", r, r)
		}
	}
	for _, r := range "\u0301\u3099\u309aﾞﾟ\u302aヿゟ" {
		if ok := defaultText.table.loaded().lookup(r).kind != inContext; ok != (r == 'ヿ' || r == 'ゟ') {
			t.Errorf("%q (%U): in the table = %v", r, r, ok)
		}
	}
}

func TestCollapseSpaces(t *testing.T) {
	for _, s := range []string{"", " ", "  a  b ", "ab", " a", "a ", "a  b  c"} {
		want := strings.Join(strings.Fields(s), " ")
		if got := string(collapseSpaces([]byte("x"+s), 1)); got != "x"+want {
			t.Errorf("%q: %q", s, got)
		}
	}
}

// textChainStrings is the chain as it was first written, with a string and
// an allocation per step. TestTextChainBuffers holds the buffered chain to it.
func textChainStrings(s string) string {
	f := cases.Fold()
	folded := f.String(norm.NFKC.String(s))
	if strings.ContainsFunc(folded, func(r rune) bool { return (r >= 0xAB70 && r <= 0xABBF) || (r >= 0x13F8 && r <= 0x13FD) }) {
		folded = strings.Map(func(r rune) rune {
			switch {
			case r >= 0xAB70 && r <= 0xABBF:
				return r - 0xAB70 + 0x13A0
			case r >= 0x13F8 && r <= 0x13FD:
				return r - 8
			}
			return r
		}, folded)
	}
	stripped := norm.NFC.Bytes(dropLGCMarks(nil, []byte(norm.NFD.String(folded))))
	var dst []byte
	kept := false
	for _, r := range string(stripped) {
		switch {
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			kept = true
		case unicode.Is(unicode.M, r) && kept:
		default:
			r, kept = ' ', false
		}
		dst = utf8.AppendRune(dst, r)
	}
	return string(dst)
}

// TestTextChainBuffers compares the buffered chain with the string chain on
// random strings of any script, marks and all, some longer than the 128-byte
// chunks transform.String feeds a caser.
func TestTextChainBuffers(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	blocks := [][2]rune{{0x20, 0x7F}, {0xA0, 0x250}, {0x300, 0x370}, {0x370, 0x530}, {0x590, 0x700}, {0x900, 0x980},
		{0x1100, 0x1200}, {0x13A0, 0x1400}, {0x1E00, 0x2000}, {0x2000, 0x2200}, {0x3000, 0x3100}, {0x3130, 0x3190},
		{0x3200, 0x3400}, {0xAB70, 0xABC0}, {0xAC00, 0xAC40}, {0xFB00, 0xFB50}, {0xFE00, 0xFE70}, {0xFF00, 0xFFF0},
		{0x1D400, 0x1D800}, {0x10400, 0x10450}}
	for i := 0; i < 20000; i++ {
		rs := make([]rune, 1+rng.IntN(20))
		if i%10 == 0 {
			rs = make([]rune, 40+rng.IntN(120))
		}
		for j := range rs {
			b := blocks[rng.IntN(len(blocks))]
			rs[j] = b[0] + rune(rng.IntN(int(b[1]-b[0])))
		}
		s := strings.ToValidUTF8(string(rs), "")
		if got, want := string(textChainCore(nil, s, nil)), textChainStrings(s); got != want {
			t.Fatalf("%+q: buffered %+q, strings %+q", s, got, want)
		}
	}
}

// TestCompactTableMatchesRule does for the compact rule what
// TestTextTableMatchesChain does for text.
func TestCompactTableMatchesRule(t *testing.T) {
	rs := tableRunes(compactTable)
	pool := append(append([]rune(nil), rs...), identitySample()...)
	for _, r := range pool {
		if f, c := string(appendCompactRule(nil, string(r))), string(appendCompactSlow(nil, string(r))); f != c {
			t.Fatalf("%U: table %+q, rule %+q", r, f, c)
		}
	}
	checkContextFree(t, appendCompactRule, appendCompactSlow, nonLatin(rs), pairPartners(rs), pool)
	for _, r := range "4º B ２－３ サンハイツ 1203号室 1ª straße ǰ-1 ΐ" {
		if compactTable.loaded().lookup(r).kind == inContext && !isIdentityRune(r) {
			t.Errorf("%q (%U) takes the slow path", r, r)
		}
	}
}

func TestASCIIShortcuts(t *testing.T) {
	for c := byte(0); c < utf8.RuneSelf; c++ {
		if got, want := isASCIICompactSeparator(c), isCompactSeparator(rune(c)); got != want {
			t.Errorf("%q: ASCII separator %v, separator %v", c, got, want)
		}
		if got, want := string(foldASCII(c)), string(textChainCore(nil, string(rune(c)), nil)); got != want {
			t.Errorf("%q: foldASCII %q, chain %q", c, got, want)
		}
	}
}
