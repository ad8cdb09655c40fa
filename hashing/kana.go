package hashing

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Kana rule (contract §5): NFKC, which joins half-width and full-width
// katakana and composes voicing marks; hiragana mapped to katakana; every
// space removed. Nothing else changes: the voicing marks are the meaning.
func appendKana(dst []byte, s string) []byte {
	for _, r := range norm.NFKC.String(s) {
		if unicode.IsSpace(r) {
			continue
		}
		dst = utf8.AppendRune(dst, hiraganaToKatakana(r))
	}
	return dst
}

// hiraganaToKatakana maps the hiragana block onto katakana, which sits 0x60
// code points higher for every letter and the two iteration marks.
func hiraganaToKatakana(r rune) rune {
	if (r >= 'ぁ' && r <= 'ゖ') || r == 'ゝ' || r == 'ゞ' {
		return r + 0x60
	}
	return r
}
