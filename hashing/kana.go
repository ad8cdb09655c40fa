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
	if out, ok := appendKanaFast(dst, s); ok {
		return out
	}
	var buf [256]byte
	for _, r := range string(norm.NFKC.AppendString(buf[:0], s)) {
		if unicode.IsSpace(r) {
			continue
		}
		dst = utf8.AppendRune(dst, hiraganaToKatakana(r))
	}
	return dst
}

// appendKanaFast handles the usual full-width reading without the NFKC
// machinery: precomposed hiragana and katakana letters, the prolonged sound
// mark and the middle dot are their own NFKC form. Anything else (half-width
// katakana, a separate voicing mark, Latin letters) takes the full path.
func appendKanaFast(dst []byte, s string) ([]byte, bool) {
	start := len(dst)
	for _, r := range s {
		switch {
		case r == ' ' || r == '\u3000':
		case (r >= 'ぁ' && r <= 'ゖ') || r == 'ゝ' || r == 'ゞ' || (r >= 'ァ' && r <= 'ヺ') || (r >= 'ー' && r <= 'ヾ') || r == '・':
			dst = utf8.AppendRune(dst, hiraganaToKatakana(r))
		default:
			return dst[:start], false
		}
	}
	return dst, true
}

// hiraganaToKatakana maps the hiragana block onto katakana, which sits 0x60
// code points higher for every letter and the two iteration marks.
func hiraganaToKatakana(r rune) rune {
	if (r >= 'ぁ' && r <= 'ゖ') || r == 'ゝ' || r == 'ゞ' {
		return r + 0x60
	}
	return r
}
