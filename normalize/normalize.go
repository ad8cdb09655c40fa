// Package normalize owns how values are compared (contract §5): the kind of
// each field, the rules that turn a raw value into its normalised form, the
// checks the API makes before anything is normalised (IsE164, IsDate, the
// enum lists, MaxRunes), the phone parsing of exports, and the profiles an
// operator chooses at ingest. It holds no keys and imports no cryptography:
// hashing turns what it produces into digests and tokens.
package normalize

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// Kind selects one normalisation rule of the contract (§5).
type Kind uint8

// The normalisation kinds.
const (
	KindPhone          Kind = iota // E.164, checked, never rewritten at match time
	KindText                       // names, address parts, city of birth
	KindKana                       // nameKanaHankaku, nameKanaZenkaku
	KindEmail                      // lower-cased, IDNA domain
	KindCompact                    // postal codes, document ids, street numbers: separators removed
	KindBankAccount                // PREFIX:VALUE
	KindDate                       // YYYY-MM-DD calendar date
	KindCountry                    // ISO 3166-1 alpha-2
	KindGender                     // MALE, FEMALE, OTHER
	KindIDDocumentType             // the spec's enum
)

// Why a value was refused. The messages describe the rule, never the value,
// so they can go to partners and into rejects reports as they are.
var (
	ErrEmpty       = errors.New("has no letters or digits")
	ErrUTF8        = errors.New("is not valid UTF-8")
	ErrTooLong     = errors.New("is too long")
	ErrDate        = errors.New("is not a calendar date YYYY-MM-DD")
	ErrCountry     = errors.New("is not an ISO 3166-1 alpha-2 country code")
	ErrEnum        = errors.New("is not one of the allowed values")
	ErrEmail       = errors.New("is not a valid email address")
	ErrBankAccount = errors.New("is not of the form PREFIX:VALUE")
	ErrPhone       = errors.New("is not a valid phone number")
)

// MaxRunes bounds every normalised value. The API's longest field allows 256
// code points; the bound leaves room for compositions and keeps token
// positions within their 10-bit field.
const MaxRunes = 1000

// Append appends the normalised form of s, a value of field f, to dst. On
// error dst is returned unchanged. The result is never empty on success.
func (p *Profile) Append(dst []byte, f Field, s string) ([]byte, error) {
	if !utf8.ValidString(s) {
		return dst, ErrUTF8
	}
	start := len(dst)
	out, err := appendKind(dst, f.kind, s, p.text)
	if err != nil {
		return dst, err
	}
	if len(out) == start {
		return dst, ErrEmpty
	}
	if p.dropIn.has(f) {
		out = p.appendDropped(out, start)
	}
	if n := len(out) - start; n > MaxRunes && utf8.RuneCount(out[start:]) > MaxRunes {
		return dst, ErrTooLong
	}
	return out, nil
}

// Normalize returns the normalised form of s, a value of field f.
func (p *Profile) Normalize(f Field, s string) (string, error) {
	b, err := p.Append(nil, f, s)
	return string(b), err
}

func appendKind(dst []byte, k Kind, s string, text *textRules) ([]byte, error) {
	switch k {
	case KindText:
		return appendText(dst, s, text), nil
	case KindKana:
		return appendKana(dst, s), nil
	case KindEmail:
		return appendEmail(dst, s)
	case KindCompact:
		return appendCompact(dst, s), nil
	case KindBankAccount:
		return appendBankAccount(dst, s)
	case KindDate:
		return appendDate(dst, s)
	case KindCountry:
		return appendCountry(dst, s)
	case KindGender:
		return appendEnum(dst, s, genders, true)
	case KindIDDocumentType:
		return appendEnum(dst, s, idDocumentTypes, false)
	case KindPhone:
		return appendE164(dst, s)
	}
	panic(fmt.Sprintf("normalize: unknown kind %d", k))
}
