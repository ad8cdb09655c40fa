package normalize

import (
	"strings"
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

// tablePages is the number of 256-rune pages tableRanges touch past the first.
const tablePages = 2

// isIdentityRune reports the runes that every table-driven rule leaves as
// they are: CJK unified ideographs (the main block and extension A) and
// precomposed Hangul syllables. None has a compatibility decomposition, a
// case or a mark to drop, and none combines with what precedes it. A Hangul
// syllable does compose with a trailing jamo that follows it, but no table
// entry is or decomposes to one.
func isIdentityRune(r rune) bool {
	if r < 0x3400 {
		return false // most runes, in one comparison
	}
	return r <= 0x4DBF || (r >= 0x4E00 && r <= 0x9FFF) || (r >= 0xAC00 && r <= 0xD7A3)
}

// identityRuneLen is the UTF-8 length of every identity rune.
const identityRuneLen = 3

// runeTable holds a rule's output for each context-free rune of the table
// ranges. The first range, where most values live, is indexed directly; the
// others through the rune's page.
type runeTable struct {
	once  sync.Once
	rule  func(dst []byte, s string) []byte
	skip  func(r rune) bool // runes the rule needs the neighbours of; nil: none
	first [firstEnd]entry
	page  [0x100]uint8 // for a BMP page past the first range: 1 + its index in pages, or 0
	pages [tablePages][0x100]entry
	used  uint8 // pages given out
}

const firstEnd = 0x0530

type entry struct {
	out  string
	kind entryKind
}

type entryKind uint8

const (
	inContext entryKind = iota // not in the table: the rule must see the rune's neighbours
	spaceFree                  // out holds no space, which lets text skip collapsing
	withSpace
)

var notInTable entry

func newRuneTable(rule func(dst []byte, s string) []byte, skip func(rune) bool) *runeTable {
	return &runeTable{rule: rule, skip: skip}
}

// loaded returns t, built.
func (t *runeTable) loaded() *runeTable {
	t.once.Do(t.build)
	return t
}

// lookup returns r's entry; t must be loaded.
func (t *runeTable) lookup(r rune) *entry {
	if r < firstEnd {
		return &t.first[r]
	}
	if r >= 0x10000 || t.page[r>>8] == 0 {
		return &notInTable
	}
	return &t.pages[t.page[r>>8]-1][r&0xFF]
}

func (t *runeTable) build() {
	for _, g := range tableRanges {
		for r := g.lo; r < g.hi; r++ {
			if !contextFree(r) || (t.skip != nil && t.skip(r)) {
				continue
			}
			e := t.slot(r)
			e.out, e.kind = string(t.rule(nil, string(r))), spaceFree
			if strings.Contains(e.out, " ") {
				e.kind = withSpace
			}
		}
	}
}

// slot returns r's entry for build, giving r's page a place in t.pages if it
// has none yet. Past tablePages pages, it panics in every test.
func (t *runeTable) slot(r rune) *entry {
	if r < firstEnd {
		return &t.first[r]
	}
	if t.page[r>>8] == 0 {
		t.used++
		t.page[r>>8] = t.used
	}
	return &t.pages[t.page[r>>8]-1][r&0xFF]
}

// contextFree leaves out combining marks and the runes whose NFKC form
// starts with one (U+FF9E becomes U+3099) or combines with what precedes it:
// all of them change their neighbour.
func contextFree(r rune) bool {
	return !unicode.Is(unicode.M, r) && norm.NFKC.PropertiesString(string(r)).BoundaryBefore()
}
