package normalize

import (
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// checkKanaFast fails when the fast path accepts s but disagrees with the
// reference, or refuses it but touches dst.
func checkKanaFast(t *testing.T, s string) bool {
	t.Helper()
	prefix := []byte("x")
	fast, ok := appendKanaFast(prefix, s)
	if !ok {
		if string(fast) != "x" {
			t.Fatalf("%+q: refused but appended %+q", s, fast)
		}
		return false
	}
	if ref := appendKanaNFKC([]byte("x"), s); string(fast) != string(ref) {
		t.Fatalf("%+q: fast %+q, NFKC %+q", s, fast, ref)
	}
	return true
}

// kanaAlphabet is every rune the fast path accepts.
func kanaAlphabet(t *testing.T) []rune {
	var rs []rune
	for r := rune(0); r <= 0x10FFFF; r++ {
		if _, ok := appendKanaFast(nil, string(r)); ok {
			rs = append(rs, r)
		}
	}
	if len(rs) < 250 {
		t.Fatalf("fast path accepts only %d runes", len(rs))
	}
	return rs
}

// TestKanaFastPathMatchesNFKC holds the fast path to NFKC on every rune it
// accepts, alone and in every pair; on every triple of the runes where
// composition happens; and on random readings.
func TestKanaFastPathMatchesNFKC(t *testing.T) {
	alpha := kanaAlphabet(t)
	for _, a := range alpha {
		for _, b := range alpha {
			checkKanaFast(t, string([]rune{a, b}))
		}
	}

	// Bases that compose, in all three widths, their neighbours that do not,
	// the marks and the spaces.
	var comp []rune
	for _, r := range alpha {
		if composeVoicing(r, voicedMark) != 0 || composeVoicing(r, semiVoicedMark) != 0 {
			comp = append(comp, r)
		}
	}
	comp = append(comp, []rune("ｶｳﾜｦﾊｱｰ･ワわゐヰヴゔガパ 　ﾞﾟ\u3099\u309a")...)
	for _, a := range comp {
		for _, b := range comp {
			for _, c := range "ﾞﾟ\u3099\u309a ｶカかﾊ" {
				checkKanaFast(t, string([]rune{a, b, c}))
			}
		}
	}

	rng := rand.New(rand.NewPCG(3, 4))
	marks := []rune("ﾞﾟ\u3099\u309a  　")
	for i := 0; i < 50000; i++ {
		rs := make([]rune, 1+rng.IntN(16))
		for j := range rs {
			if rng.IntN(4) == 0 {
				rs[j] = marks[rng.IntN(len(marks))]
			} else {
				rs[j] = alpha[rng.IntN(len(alpha))]
			}
		}
		if !checkKanaFast(t, string(rs)) {
			t.Fatalf("%+q refused", string(rs))
		}
	}
}

func TestKanaFastPathCoversReadings(t *testing.T) {
	for _, s := range []string{"ﾔﾏﾀﾞ ﾀﾛｳ", "ﾌｪﾙﾅﾝﾃﾞｽ ﾏﾘｱ ﾊﾟﾄﾞﾚ", "ｳﾞｧｲｵﾘﾝ", "ヤマダ　タロウ", "やまだ たろう", "ゔぁ", "ｶﾞｯｺｳ", "ｱﾞ", "ﾞｶ", "ｶﾞﾞ"} {
		if !checkKanaFast(t, s) {
			t.Errorf("%+q takes the NFKC path", s)
		}
	}
}

// TestKanaFastPathLongMarkRuns covers x/text's stream-safe limit: after 30
// non-starters it inserts U+034F, which the fast path leaves to NFKC.
func TestKanaFastPathLongMarkRuns(t *testing.T) {
	for _, base := range []string{"", "ｶ", "ガ", "か", " "} {
		for n := 0; n <= 40; n++ {
			for _, m := range []string{"ﾞ", "ﾟ", "\u3099"} {
				s := base + strings.Repeat(m, n) + "ｱ"
				checkKanaFast(t, s)
				if got, want := string(appendKana(nil, s)), string(settled(s, appendKanaNFKC)); got != want {
					t.Fatalf("%+q: %+q, NFKC %+q", s, got, want)
				}
			}
		}
	}
}

func TestHalfwidthKanaTable(t *testing.T) {
	for r := rune(0xFF61); r < 0xFF9E; r++ {
		if want := norm.NFKC.String(string(r)); string(halfwidthToFull[r-0xFF61]) != want {
			t.Errorf("%U: table %q, NFKC %q", r, halfwidthToFull[r-0xFF61], want)
		}
	}
}

func TestAppendKanaBlock(t *testing.T) {
	for r := rune(0x3000); r < 0x3100; r++ {
		if got, want := string(appendKanaBlock(nil, r)), string(r); got != want || len(got) != kanaBlockLen {
			t.Errorf("%U: %+q, want %+q", r, got, want)
		}
	}
}
