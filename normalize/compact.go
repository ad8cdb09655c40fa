package normalize

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
)

// Compact rule (contract §5), for postal codes, document ids, street numbers
// and house number extensions: NFKC, upper-cased, and spaces, hyphens, dots
// and slashes removed, so "28 013", "28-013" and "28013" are one value.
//
// Upper-casing without a language is per rune, so values of table runes
// ("4º B", "２－３", "サンハイツ1203号室") take compactTable, held to
// appendCompactSlow by TestCompactTableMatchesRule and FuzzCompact.
var compactTable = newRuneTable(appendCompactSlow, nil)

func appendCompact(dst []byte, s string) []byte {
	if isASCII(s) {
		return appendCompactASCII(dst, s)
	}
	start := len(dst)
	return settle(dst, start, appendCompactRule(dst, s), appendCompactSlow)
}

func appendCompactRule(dst []byte, s string) []byte {
	table, start := compactTable.loaded(), len(dst)
	for i, r := range s {
		if isIdentityRune(r) {
			dst = append(dst, s[i:i+identityRuneLen]...)
			continue
		}
		e := table.lookup(r)
		if e.kind == inContext {
			return appendCompactSlow(dst[:start], s)
		}
		dst = append(dst, e.out...)
	}
	return dst
}

func appendCompactASCII(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isASCIICompactSeparator(c) {
			dst = append(dst, upperASCII(c))
		}
	}
	return dst
}

// settle re-applies a rule to its own output until it stops changing (two
// more passes at most). Removing separators can leave a mark next to a
// letter it composes with ("A˚" is A, space, ring above), and full
// upper-casing can decompose (ΐ); the next pass would compose them, so a
// value normalised twice would differ from one normalised once. Output
// that is already in NFKC, nearly all of it, returns at once.
func settle(dst []byte, start int, out []byte, rule func([]byte, string) []byte) []byte {
	for i := 0; i < 3 && !norm.NFKC.IsNormal(out[start:]); i++ {
		again := rule(dst[:start:start], string(out[start:]))
		if string(again[start:]) == string(out[start:]) {
			break
		}
		out = again
	}
	return out
}

// isASCIICompactSeparator is isCompactSeparator on ASCII without the Unicode
// table look-ups.
func isASCIICompactSeparator(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\v', '\f', '\r', '.', '/', '-':
		return true
	}
	return false
}

// appendCompactSlow is the rule as the contract states it.
func appendCompactSlow(dst []byte, s string) []byte {
	for _, r := range upper(norm.NFKC.String(s)) {
		if !isCompactSeparator(r) {
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst
}

// isCompactSeparator covers every dash, not only ASCII '-': NFKC leaves
// U+2010 and friends alone, and Japanese input often types U+2212.
func isCompactSeparator(r rune) bool {
	return unicode.IsSpace(r) || r == '.' || r == '/' || r == '-' || r == '\u2212' || unicode.Is(unicode.Pd, r)
}

var uppers = sync.Pool{New: func() any { c := cases.Upper(language.Und); return &c }}

// upper applies full upper-casing (ß becomes SS), which strings.ToUpper,
// rune by rune, does not.
func upper(s string) string {
	c := uppers.Get().(*cases.Caser)
	defer uppers.Put(c)
	return c.String(s)
}

// Bank account rule (contract §5): PREFIX:VALUE, prefix upper-cased, value
// upper-cased with spaces removed. Anything that is not then letters, a colon
// and letters or digits is refused rather than guessed at.
func appendBankAccount(dst []byte, s string) ([]byte, error) {
	if !isASCII(s) {
		s = norm.NFKC.String(s)
	}
	prefix, value, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || prefix == "" {
		return dst, ErrBankAccount
	}
	start := len(dst)
	for i := 0; i < len(prefix); i++ {
		c := upperASCII(prefix[i])
		if c < 'A' || c > 'Z' {
			return dst[:start], ErrBankAccount
		}
		dst = append(dst, c)
	}
	dst = append(dst, ':')
	n := 0
	for i := 0; i < len(value); i++ {
		c := upperASCII(value[i])
		switch {
		case c == ' ':
			continue
		case (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'):
			dst = append(dst, c)
			n++
		default:
			return dst[:start], ErrBankAccount
		}
	}
	if n == 0 {
		return dst[:start], ErrBankAccount
	}
	return dst, nil
}

func upperASCII(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}
