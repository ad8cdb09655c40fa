package hashing

import (
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// A rule that applies NFKC and then works rune by rune (case mapping without
// a language, dropping or replacing characters) is context-free on runes that
// are not combining marks and that nothing before them combines with: NFKC
// only composes a starter with the marks that follow it (and Hangul jamo
// with each other). For strings of such runes the rule's output is the
// concatenation of each rune's output, which a table can hold.
//
// The table covers the blocks ingest meets most, each chosen so that no
// entry decomposes to a mark or to a Hangul jamo that would compose with a
// neighbour: Latin, IPA, Greek and Cyrillic; CJK punctuation, hiragana and
// katakana; full-width ASCII and half-width katakana up to, not including,
// the half-width voicing marks (U+FF9E, U+FF9F) and half-width Hangul; the
// full-width symbols. The internal tests compare tables with their rules on
// every entry, on every pair of entries outside Latin and on random strings.
var tableRanges = [...]struct{ lo, hi rune }{
	{0x0000, 0x0530},
	{0x3000, 0x3100},
	{0xFF00, 0xFF9E},
	{0xFFE0, 0xFFEF},
}

const tableSize = 0x0530 + 0x100 + 0x9E + 0x0F

// tableIndex returns r's slot in a runeTable.
func tableIndex(r rune) (int, bool) {
	base := 0
	for _, g := range tableRanges {
		if r < g.hi {
			return base + int(r-g.lo), r >= g.lo
		}
		base += int(g.hi - g.lo)
	}
	return 0, false
}

// isIdentityRune reports the runes that every table-driven rule leaves as
// they are: CJK unified ideographs (the main block and extension A) and
// precomposed Hangul syllables. None has a compatibility decomposition, a
// case or a mark to drop, and none combines with what precedes it. A Hangul
// syllable does compose with a trailing jamo that follows it, but no table
// entry is or decomposes to one.
func isIdentityRune(r rune) bool {
	return (r >= 0x4E00 && r <= 0x9FFF) || (r >= 0x3400 && r <= 0x4DBF) || (r >= 0xAC00 && r <= 0xD7A3)
}

// runeTable holds a rule's output for each context-free rune of the table
// ranges, packed into one string.
type runeTable struct {
	once sync.Once
	rule func(dst []byte, s string) []byte
	data string
	slot [tableSize]uint32 // offset<<8 | length; length notInTable for the runes the rule must see in context
}

const notInTable = 0xFF

func newRuneTable(rule func(dst []byte, s string) []byte) *runeTable {
	return &runeTable{rule: rule}
}

// lookup returns the rule's output for r, or false when r is outside the
// table or needs its context.
func (t *runeTable) lookup(r rune) (string, bool) {
	t.once.Do(t.build)
	i, ok := tableIndex(r)
	if !ok {
		return "", false
	}
	e := t.slot[i]
	n := e & 0xFF
	if n == notInTable {
		return "", false
	}
	off := e >> 8
	return t.data[off : off+n], true
}

func (t *runeTable) build() {
	var data, one []byte
	i := 0
	for _, g := range tableRanges {
		for r := g.lo; r < g.hi; r, i = r+1, i+1 {
			t.slot[i] = notInTable
			if !contextFree(r) {
				continue
			}
			one = t.rule(one[:0], string(r))
			if len(one) >= notInTable {
				continue
			}
			t.slot[i] = uint32(len(data))<<8 | uint32(len(one))
			data = append(data, one...)
		}
	}
	t.data = string(data)
}

// contextFree leaves out combining marks and the runes whose NFKC form
// starts with one (U+FF9E becomes U+3099) or combines with what precedes it:
// all of them change their neighbour.
func contextFree(r rune) bool {
	return !unicode.Is(unicode.M, r) && norm.NFKC.PropertiesString(string(r)).BoundaryBefore()
}
