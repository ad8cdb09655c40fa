package normalize

import (
	"testing"
	"unicode/utf8"
)

// FuzzFastPaths holds every fast path to the rule it short-cuts, and the
// buffered text chain to the string one, where the idempotence fuzzers would
// only notice a difference that breaks a fixed point.
func FuzzFastPaths(f *testing.F) {
	for _, s := range []string{
		"José María", "Οδυσσέας", "山田　太郎", "〒100-0001 東京都千代田区本町２丁目３－１５ サンハイツ 1203号室",
		"ﾔﾏﾀﾞ ﾀﾛｳ", "ｶﾞﾞﾟ", "わﾞヰﾞ", "4º B", "１００−０００１", "김민준", "ＡＢＣ　ａｂｃ", "ゟヿ゛゜",
		"Müller", "MÜLLER", "Mu\u0308ller", "Jan van der Berg", "ǗÖ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		if buffered, ref := string(textChainCore(nil, s, nil)), textChainStrings(s); buffered != ref {
			t.Errorf("chain %+q: %+q, string chain %+q", s, buffered, ref)
		}
		for _, p := range builtinProfiles() {
			if fast, ref := string(appendText(nil, s, p.text)), string(appendTextChain(nil, s, p.text.rep)); fast != ref {
				t.Errorf("text under %s %+q: %+q, chain %+q", p.Name(), s, fast, ref)
			}
		}
		if fast, ref := string(appendKana(nil, s)), string(settled(s, appendKanaNFKC)); fast != ref {
			t.Errorf("kana %+q: %+q, NFKC %+q", s, fast, ref)
		}
		if fast, ref := string(appendCompact(nil, s)), string(settled(s, appendCompactSlow)); fast != ref {
			t.Errorf("compact %+q: %+q, rule %+q", s, fast, ref)
		}
	})
}

// settled is a reference rule applied until it stops changing, as the
// public paths do (see settle).
func settled(s string, rule func([]byte, string) []byte) []byte {
	return settle(nil, 0, rule(nil, s), rule)
}
