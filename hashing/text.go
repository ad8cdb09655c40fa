package hashing

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Text rule (contract §5): NFKC; full case folding; nonspacing marks dropped
// after Latin, Greek and Cyrillic letters (NFD, drop, NFC) and kept elsewhere;
// anything that is not a letter, a number or a kept mark becomes a space;
// spaces collapsed and trimmed.
//
// The full chain costs a few microseconds a value, and ingest runs it tens of
// millions of times, so most values take a table: for every rune below
// tableEnd that is not itself a combining mark, the chain is context-free
// (NFKC only composes a starter with the marks that follow it, and case
// folding without a language tag is per rune), so the output of a string is
// the concatenation of its runes' outputs. TestTextTableMatchesChain and
// FuzzText hold the two paths to the same answer.

const tableEnd = 0x0530 // Latin, IPA, Greek, Cyrillic; Armenian and above take the chain

var (
	textTableOnce sync.Once
	textTable     [tableEnd]string
	textTableOK   [tableEnd]bool
)

func buildTextTable() {
	for r := rune(0); r < tableEnd; r++ {
		if unicode.Is(unicode.M, r) || !utf8.ValidRune(r) {
			continue // marks compose with their neighbours: not context-free
		}
		textTable[r] = string(textChainCore(nil, string(r)))
		textTableOK[r] = true
	}
}

func appendText(dst []byte, s string) []byte {
	textTableOnce.Do(buildTextTable)
	var c collapser
	c.init(dst)
	for _, r := range s {
		if r >= tableEnd || !textTableOK[r] {
			return appendTextChain(dst, s)
		}
		c.writeString(textTable[r])
	}
	return c.bytes()
}

// appendTextChain runs the whole chain; it is the reference the table is
// built from.
func appendTextChain(dst []byte, s string) []byte {
	var c collapser
	c.init(dst)
	c.write(textChainCore(nil, s))
	return c.bytes()
}

var folders = sync.Pool{New: func() any { c := cases.Fold(); return &c }}

// textChainCore applies NFKC, folding and mark removal and maps every
// character outside letters, numbers and kept marks to a space, without
// collapsing spaces.
func textChainCore(dst []byte, s string) []byte {
	f := folders.Get().(*cases.Caser)
	folded := foldCherokee(f.String(norm.NFKC.String(s)))
	folders.Put(f)
	stripped := norm.NFC.Bytes(dropLGCMarks(nil, norm.NFD.String(folded)))
	kept := false // whether the last output character carries a base a mark may attach to
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
	return dst
}

// foldCherokee completes x/text's folding for Cherokee, which maps small
// letters to capitals (as CaseFolding.txt says) but also capitals back to
// small ones, so folding twice would not be folding once. Capitals are the
// folded form.
func foldCherokee(s string) string {
	if !strings.ContainsFunc(s, isCherokeeSmall) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xAB70 && r <= 0xABBF:
			return r - 0xAB70 + 0x13A0
		case r >= 0x13F8 && r <= 0x13FD:
			return r - 8
		}
		return r
	}, s)
}

func isCherokeeSmall(r rune) bool {
	return (r >= 0xAB70 && r <= 0xABBF) || (r >= 0x13F8 && r <= 0x13FD)
}

// dropLGCMarks removes the nonspacing marks that follow a Latin, Greek or
// Cyrillic letter in an NFD string. Marks on other scripts carry meaning (a
// kana voicing mark makes カ into ガ) and stay.
func dropLGCMarks(dst []byte, nfd string) []byte {
	lgcBase := false
	for _, r := range nfd {
		if unicode.Is(unicode.Mn, r) && lgcBase {
			continue
		}
		if !unicode.Is(unicode.M, r) {
			lgcBase = unicode.IsLetter(r) && unicode.In(r, unicode.Latin, unicode.Greek, unicode.Cyrillic)
		}
		dst = utf8.AppendRune(dst, r)
	}
	return dst
}

// collapser appends text, turning runs of spaces into one and dropping
// leading and trailing spaces.
type collapser struct {
	buf     []byte
	start   int
	pending bool
}

func (c *collapser) init(dst []byte) { c.buf, c.start, c.pending = dst, len(dst), false }

func (c *collapser) writeByte(b byte) {
	if b == ' ' {
		c.pending = len(c.buf) > c.start
		return
	}
	if c.pending {
		c.buf = append(c.buf, ' ')
		c.pending = false
	}
	c.buf = append(c.buf, b)
}

func (c *collapser) writeString(s string) {
	for i := 0; i < len(s); i++ {
		c.writeByte(s[i])
	}
}

func (c *collapser) write(p []byte) {
	for _, b := range p {
		c.writeByte(b)
	}
}

func (c *collapser) bytes() []byte { return c.buf }
