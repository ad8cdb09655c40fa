package normalize

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Text rule (contract §5): NFKC; full case folding; nonspacing marks dropped
// after Latin, Greek and Cyrillic letters (NFD, drop, NFC) and kept elsewhere;
// anything that is not a letter, a number or a kept mark becomes a space;
// spaces collapsed and trimmed.
//
// The full chain is slow next to a table lookup, and ingest runs it tens of
// millions of times, so most values take a table instead (see runeTable): case
// folding without a language tag is per rune, and so is everything after it
// once no mark is left to drop or compose. TestTextTableMatchesChain and
// FuzzText hold the two paths to the same answer.
//
// A profile's replace runs inside the chain, so each profile has a table of
// its own, built from its chain. A key of one rune is per rune too; the runes
// of longer keys, and of keys whose replacement could change a neighbour,
// stay out of the table. A profile whose keys hold no ASCII letter keeps the
// ASCII shortcut, so it costs nothing on values it replaces nothing in.
type textRules struct {
	table *runeTable
	rep   *strings.Replacer // nil: no replace
	// asciiPlain: no key holds an ASCII character, so ASCII bytes need no
	// table. identity: no key holds an identity rune (isIdentityRune).
	asciiPlain, identity bool
}

var defaultText = &textRules{table: newRuneTable(appendTextCore(nil), nil), asciiPlain: true, identity: true}

// newTextRules prepares a replace rule: keys longest first, as contract §5
// says, which strings.Replacer honours by trying them in argument order at
// each position, left to right, never re-scanning what it wrote.
func newTextRules(replace map[string]string) *textRules {
	keys := slices.Collect(maps.Keys(replace))
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(utf8.RuneCountInString(b), utf8.RuneCountInString(a)), cmp.Compare(a, b))
	})
	pairs := make([]string, 0, 2*len(keys))
	unsafe := make(map[rune]bool)
	t := &textRules{asciiPlain: true, identity: true}
	for _, k := range keys {
		pairs = append(pairs, k, replace[k])
		for _, r := range k {
			t.asciiPlain = t.asciiPlain && r >= utf8.RuneSelf
			t.identity = t.identity && !isIdentityRune(r)
			if utf8.RuneCountInString(k) > 1 || !allContextFree(replace[k]) {
				unsafe[r] = true
			}
		}
	}
	t.rep = strings.NewReplacer(pairs...)
	// A rune is left out when its folded form holds a rune of an unsafe key.
	skip := func(r rune) bool {
		for _, f := range foldForKey(string(r)) {
			if unsafe[f] {
				return true
			}
		}
		return false
	}
	t.table = newRuneTable(appendTextCore(t.rep), skip)
	return t
}

// allContextFree reports whether every rune of s leaves its neighbours
// alone, so that replacing a rune by s is still per rune.
func allContextFree(s string) bool {
	for _, r := range s {
		if !contextFree(r) {
			return false
		}
	}
	return true
}

func appendText(dst []byte, s string, t *textRules) []byte {
	table, start := t.table.loaded(), len(dst)
	space := false // a space is due before the next character
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf && t.asciiPlain {
			dst, space = appendTextByte(dst, start, foldASCII(c), space)
			i++
			continue
		}
		// Two-byte runes (Latin, Greek, Cyrillic) are decoded here: a call
		// to the decoder per rune weighed on every non-Latin name.
		r, n := rune(c), 1
		switch {
		case c < utf8.RuneSelf: // a profile's key holds ASCII: the table decides
		case i+1 < len(s) && c >= 0xC2 && c < 0xE0 && s[i+1]&0xC0 == 0x80:
			r, n = rune(c&0x1F)<<6|rune(s[i+1]&0x3F), 2
		default:
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		switch e := table.lookup(r); {
		case e.kind == spaceFree:
			dst, space = appendWord(dst, e.out, space), false
		case e.kind == withSpace:
			dst, space = appendCollapsed(dst, start, e.out, space)
		case t.identity && isIdentityRune(r):
			dst, space = appendWord(dst, s[i:i+n], space), false
		default:
			return appendTextChain(dst[:start], s, t.rep)
		}
		i += n
	}
	return dst
}

// appendTextByte, appendWord and appendCollapsed append to dst[start:] what
// collapseSpaces would leave of it, given whether a space is due, and report
// whether one is due after.
func appendTextByte(dst []byte, start int, c byte, space bool) ([]byte, bool) {
	if c == ' ' {
		return dst, len(dst) > start
	}
	if space {
		dst = append(dst, ' ')
	}
	return append(dst, c), false
}

func appendWord(dst []byte, w string, space bool) []byte {
	if space {
		dst = append(dst, ' ')
	}
	return append(dst, w...)
}

func appendCollapsed(dst []byte, start int, out string, space bool) ([]byte, bool) {
	for i := 0; i < len(out); i++ {
		if out[i] == ' ' {
			space = len(dst) > start
			continue
		}
		if space {
			dst = append(dst, ' ')
			space = false
		}
		dst = append(dst, out[i])
	}
	return dst, space
}

// foldASCII is the text table's ASCII part, without the lookup.
func foldASCII(b byte) byte {
	switch {
	case 'a' <= b && b <= 'z', '0' <= b && b <= '9':
		return b
	case 'A' <= b && b <= 'Z':
		return b + 'a' - 'A'
	}
	return ' '
}

// appendTextChain runs the whole chain; it is the reference the table is
// built from.
func appendTextChain(dst []byte, s string, rep *strings.Replacer) []byte {
	start := len(dst)
	return collapseSpaces(textChainCore(dst, s, rep), start)
}

// appendTextCore is textChainCore under one replace rule, as a table's rule.
func appendTextCore(rep *strings.Replacer) func([]byte, string) []byte {
	return func(dst []byte, s string) []byte { return textChainCore(dst, s, rep) }
}

// chainScratch holds the chain's intermediate forms, so that a value costs
// no allocation once the buffers have grown.
type chainScratch struct {
	fold cases.Caser
	a, b []byte
}

var chainScratches = sync.Pool{New: func() any { return &chainScratch{fold: cases.Fold()} }}

func getScratch() *chainScratch { return chainScratches.Get().(*chainScratch) }

// putScratch drops buffers grown by an outsized value rather than keep them
// alive in the pool.
func putScratch(sc *chainScratch) {
	const keep = 16 << 10
	if cap(sc.a) > keep || cap(sc.b) > keep {
		return
	}
	chainScratches.Put(sc)
}

// textChainCore applies NFKC, folding, a profile's replace (nil: none) and
// mark removal and maps every character outside letters, numbers and kept
// marks to a space, without collapsing spaces.
func textChainCore(dst []byte, s string, rep *strings.Replacer) []byte {
	sc := getScratch()
	defer putScratch(sc)
	sc.a = norm.NFKC.AppendString(sc.a[:0], s)
	sc.b, _, _ = transform.Append(sc.fold, sc.b[:0], sc.a)
	foldCherokee(sc.b)
	if rep != nil {
		sc.b = append(sc.b[:0], rep.Replace(string(sc.b))...)
	}
	sc.a = norm.NFD.Append(sc.a[:0], sc.b...)
	sc.b = dropLGCMarks(sc.b[:0], sc.a)
	sc.a = norm.NFC.Append(sc.a[:0], sc.b...)
	kept := false // whether the last output character carries a base a mark may attach to
	for _, r := range string(sc.a) {
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

// foldForKey is the part of the chain before replace: what a replace key
// must look like to ever match.
func foldForKey(s string) string {
	sc := getScratch()
	defer putScratch(sc)
	sc.a = norm.NFKC.AppendString(sc.a[:0], s)
	sc.b, _, _ = transform.Append(sc.fold, sc.b[:0], sc.a)
	foldCherokee(sc.b)
	return string(sc.b)
}

// foldCherokee completes x/text's folding for Cherokee, which maps small
// letters to capitals (as CaseFolding.txt says) but also capitals back to
// small ones, so folding twice would not be folding once. Capitals are the
// folded form. Small letters and their capitals are all three bytes long,
// so b is rewritten in place.
func foldCherokee(b []byte) {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		switch {
		case r >= 0xAB70 && r <= 0xABBF:
			utf8.EncodeRune(b[i:], r-0xAB70+0x13A0)
		case r >= 0x13F8 && r <= 0x13FD:
			utf8.EncodeRune(b[i:], r-8)
		}
		i += n
	}
}

// dropLGCMarks removes the nonspacing marks that follow a Latin, Greek or
// Cyrillic letter in an NFD string. Marks on other scripts carry meaning (a
// kana voicing mark makes カ into ガ) and stay.
func dropLGCMarks(dst, nfd []byte) []byte {
	lgcBase := false
	for _, r := range string(nfd) {
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

// collapseSpaces turns runs of spaces in b[start:] into one and drops the
// leading and trailing ones, in place: the result is never longer than what
// has been read.
func collapseSpaces(b []byte, start int) []byte {
	w, pending := start, false
	for i := start; i < len(b); i++ {
		c := b[i]
		if c == ' ' {
			pending = w > start
			continue
		}
		if pending {
			b[w] = ' '
			w++
			pending = false
		}
		b[w] = c
		w++
	}
	return b[:w]
}
