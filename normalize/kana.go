package normalize

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
	start := len(dst)
	out, ok := appendKanaFast(dst, s)
	if !ok {
		out = appendKanaNFKC(dst, s)
	}
	// A voicing mark freed by removing a space ("カ゛"), or one on a
	// hiragana that only its katakana composes with (わﾞ → ワ+゛ → ヷ),
	// composes on the next pass: settle until normalising again changes
	// nothing.
	return settle(dst, start, out, appendKanaNFKC)
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
// punctuation kana readings use and spaces. It reports false for anything
// else, which then takes the reference path.
func appendKanaFast(dst []byte, s string) ([]byte, bool) {
	w := kanaWriter{dst: dst}
	for _, r := range s {
		switch {
		case r == ' ' || r == '\u3000':
			w.space()
		case isOwnKanaForm(r):
			w.letter(r)
		case r >= 0xFF61 && r < 0xFF9E:
			w.letter(halfwidthToFull[r-0xFF61])
		case voicingMarkOf(r) != 0:
			if !w.mark(voicingMarkOf(r)) {
				return dst, false
			}
		default:
			return dst, false
		}
	}
	return w.dst, true
}

// kanaWriter appends NFKC characters with the spaces left out. It remembers
// the last one before the hiragana mapping, because that is what a voicing
// mark composes with in the reference (わ with ﾞ stays two characters, ワ
// with ﾞ becomes ヷ).
type kanaWriter struct {
	dst   []byte
	last  rune // 0 after a space or a mark: both block composition
	marks int  // uncomposed marks since the last letter
}

func (w *kanaWriter) space() { w.last, w.marks = 0, 0 }

func (w *kanaWriter) letter(r rune) {
	w.dst, w.last, w.marks = appendKanaBlock(w.dst, hiraganaToKatakana(r)), r, 0
}

// mark composes m with the last letter where Unicode has a composite and
// appends it as it is otherwise. It reports false after too many marks in a
// row.
func (w *kanaWriter) mark(m rune) bool {
	if c := composeVoicing(w.last, m); c != 0 {
		w.dst, w.last = appendKanaBlock(w.dst[:len(w.dst)-kanaBlockLen], hiraganaToKatakana(c)), c
		return true
	}
	w.marks++
	w.dst, w.last = appendKanaBlock(w.dst, m), 0
	return w.marks <= maxMarkRun
}

// voicingMarkOf returns the combining mark r is or stands for, or 0.
func voicingMarkOf(r rune) rune {
	switch r {
	case voicedMark, 0xFF9E:
		return voicedMark
	case semiVoicedMark, 0xFF9F:
		return semiVoicedMark
	}
	return 0
}

// isOwnKanaForm reports the kana and kana punctuation that are their own
// NFKC form and never combine with what precedes them. ゟ and ヿ are left
// out: they decompose to two letters.
func isOwnKanaForm(r rune) bool {
	return (r >= 'ァ' && r <= 'ヾ') || (r >= 'ぁ' && r <= 'ゖ') || r == 'ゝ' || r == 'ゞ' ||
		r == '、' || r == '。' || r == '「' || r == '」'
}

// Everything appendKanaFast writes lies in U+3000 to U+30FF, three bytes
// E3 80-83 80-BF in UTF-8, so it writes them without utf8.AppendRune's call.
const kanaBlockLen = 3

func appendKanaBlock(dst []byte, r rune) []byte {
	return append(dst, 0xE3, 0x80|byte(r>>6)&0x3F, 0x80|byte(r)&0x3F)
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
