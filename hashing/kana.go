package hashing

import (
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Kana rule (contract §5): NFKC, which joins half-width and full-width
// katakana and composes voicing marks; hiragana mapped to katakana; every
// space removed. Nothing else changes: the voicing marks are the meaning.
//
// Readings are nearly always plain kana, full-width or half-width, and
// appendKanaFast does NFKC's work for those by table. TestKanaFastPathMatchesNFKC
// holds it to appendKanaNFKC, the reference, on every input shape it accepts.
func appendKana(dst []byte, s string) []byte {
	if out, ok := appendKanaFast(dst, s); ok {
		return out
	}
	return appendKanaNFKC(dst, s)
}

// appendKanaNFKC is the rule as the contract states it.
func appendKanaNFKC(dst []byte, s string) []byte {
	var buf [256]byte
	for _, r := range string(norm.NFKC.AppendString(buf[:0], s)) {
		if unicode.IsSpace(r) {
			continue
		}
		dst = utf8.AppendRune(dst, hiraganaToKatakana(r))
	}
	return dst
}

const (
	voicedMark     = '\u3099' // combining, what ﾞ and the decomposition of ガ hold
	semiVoicedMark = '\u309A' // combining, what ﾟ and the decomposition of パ hold

	// maxMarkRun keeps runs of uncomposed marks far below the 30 non-starters
	// after which x/text inserts U+034F (UAX #15 stream-safe format), which
	// this path does not imitate.
	maxMarkRun = 8
)

// halfwidthKana is the NFKC form of U+FF61 to U+FF9D, in order: each
// half-width katakana or punctuation mark is one full-width character.
const halfwidthKana = "。「」、・ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"

var halfwidthToFull = func() (t [0xFF9E - 0xFF61]rune) {
	copy(t[:], []rune(halfwidthKana))
	return t
}()

// appendKanaFast does NFKC for full-width and half-width kana, the
// punctuation kana readings use and spaces. Its output is held one character
// back because a voicing mark may still compose with it; composing comes
// before the hiragana mapping, as in the reference (わ with ﾞ stays two
// characters, ワ with ﾞ becomes ヷ). It reports false for anything else,
// which then takes the reference path.
func appendKanaFast(dst []byte, s string) ([]byte, bool) {
	start := len(dst)
	var held rune // last NFKC character; 0 after a space or a mark, which block composition
	marks := 0    // uncomposed marks since the last starter
	for _, r := range s {
		switch {
		case r == ' ' || r == '\u3000':
			dst, held, marks = flushKana(dst, held), 0, 0
		case isOwnKanaForm(r):
			dst, held, marks = flushKana(dst, held), r, 0
		case r >= 0xFF61 && r < 0xFF9E:
			dst, held, marks = flushKana(dst, held), halfwidthToFull[r-0xFF61], 0
		case r == 0xFF9E || r == 0xFF9F || r == voicedMark || r == semiVoicedMark:
			mark := voicedMark
			if r == 0xFF9F || r == semiVoicedMark {
				mark = semiVoicedMark
			}
			if c := composeVoicing(held, mark); c != 0 {
				held = c
				continue
			}
			if marks++; marks > maxMarkRun {
				return dst[:start], false
			}
			dst, held = utf8.AppendRune(flushKana(dst, held), mark), 0
		default:
			return dst[:start], false
		}
	}
	return flushKana(dst, held), true
}

func flushKana(dst []byte, held rune) []byte {
	if held == 0 {
		return dst
	}
	return utf8.AppendRune(dst, hiraganaToKatakana(held))
}

// isOwnKanaForm reports the kana and kana punctuation that are their own
// NFKC form and never combine with what precedes them. ゟ and ヿ are left
// out: they decompose to two letters.
func isOwnKanaForm(r rune) bool {
	return (r >= 'ぁ' && r <= 'ゖ') || r == 'ゝ' || r == 'ゞ' || (r >= 'ァ' && r <= 'ヾ') ||
		r == '、' || r == '。' || r == '「' || r == '」'
}

var (
	voicingOnce sync.Once
	voicing     [0x100][2]rune // the composite of U+3000+i with U+3099 and with U+309A, or 0
)

// composeVoicing returns the precomposed form of base followed by mark, or 0
// when Unicode has none. The table is read off NFC, so it cannot drift from
// what the reference path composes.
func composeVoicing(base, mark rune) rune {
	if base < 0x3000 || base >= 0x3100 {
		return 0
	}
	voicingOnce.Do(buildVoicing)
	return voicing[base-0x3000][mark-voicedMark]
}

func buildVoicing() {
	for i := range voicing {
		for j, mark := range [2]rune{voicedMark, semiVoicedMark} {
			c := []rune(norm.NFC.String(string([]rune{rune(0x3000 + i), mark})))
			if len(c) == 1 {
				voicing[i][j] = c[0]
			}
		}
	}
}

// hiraganaToKatakana maps the hiragana block onto katakana, which sits 0x60
// code points higher for every letter and the two iteration marks.
func hiraganaToKatakana(r rune) rune {
	if (r >= 'ぁ' && r <= 'ゖ') || r == 'ゝ' || r == 'ゞ' {
		return r + 0x60
	}
	return r
}
