package api

import (
	"unicode/utf8"
	"unsafe"

	"github.com/kycmatch/kycmatch/engine"
)

// decodeFlat is Decode's fast path for the body nearly every partner
// sends: one flat object of known properties whose values are strings
// without escapes, for which the tokenizer was a noticeable share of a
// request (README, Performance).
//
// It answers only "accepted, and here is the Body": on anything else,
// valid or not, it returns false and the full decoder starts over and
// decides, error message included. So it must accept nothing the full
// decoder refuses, and fill b exactly as the full decoder would
// (FuzzDecodeFlat checks both). The strings in b alias body.
func (v *Version) decodeFlat(body []byte, b *Body) bool {
	i := skipSpace(body, 0)
	if i == len(body) || body[i] != '{' {
		return false
	}
	i = skipSpace(body, i+1)
	for {
		name, next, ok := flatString(body, i)
		if !ok {
			return false
		}
		i = skipSpace(body, next)
		if i == len(body) || body[i] != ':' {
			return false
		}
		val, next, ok := flatString(body, skipSpace(body, i+1))
		if !ok || !v.setFlat(name, val, b) {
			return false
		}
		i = skipSpace(body, next)
		if i == len(body) {
			return false
		}
		if body[i] == '}' {
			break
		}
		if body[i] != ',' {
			return false
		}
		i = skipSpace(body, i+1)
	}
	// An object of only phoneNumber is an error the full decoder words.
	return skipSpace(body, i+1) == len(body) && b.Asked != 0
}

// skipSpace skips JSON's four whitespace bytes (RFC 8259 §2).
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// flatString reads the string at b[i:] if it has no escape, no control
// character and only valid UTF-8, which makes its contents its value. It
// returns the value and the index past the closing quote.
func flatString(b []byte, i int) (string, int, bool) {
	if i == len(b) || b[i] != '"' {
		return "", 0, false
	}
	start := i + 1
	ascii := true
	for j := start; j < len(b); j++ {
		c := b[j]
		switch {
		case c == '"':
			s := b[start:j]
			if !ascii && !utf8.Valid(s) {
				return "", 0, false
			}
			return unsafe.String(unsafe.SliceData(s), len(s)), j + 1, true
		case c == '\\' || c < 0x20:
			return "", 0, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return "", 0, false
}

// setFlat records one property, refusing what the full decoder would
// refuse: unknown and repeated names, and values that break their rule.
func (v *Version) setFlat(name, s string, b *Body) bool {
	rule, ok := v.fields[name]
	if !ok || rule.check(name, s) != nil {
		return false
	}
	if rule.attr == engine.PhoneNumber {
		if b.HasPhone {
			return false
		}
		b.Phone, b.HasPhone = s, true
		return true
	}
	if b.Asked.Has(rule.attr) {
		return false
	}
	b.Values[rule.attr] = s
	b.Asked = b.Asked.With(rule.attr)
	return true
}
