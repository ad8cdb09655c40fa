package engine

import (
	"crypto/rand"
	"encoding/binary"
	"unicode/utf8"

	"github.com/kycmatch/kycmatch/hashing"
	"github.com/kycmatch/kycmatch/normalize"
)

// Line is one subscriber line of an export: raw cell values (PhoneNumber
// already in E.164) and whether the service is offered for it.
type Line struct {
	Values   [NumAttributes]string
	Eligible bool
}

// FieldError says which field of a line or request broke which rule. Its
// message names the field and the rule, never the value.
type FieldError struct {
	Attr Attribute
	Err  error
}

func (e *FieldError) Error() string { return e.Attr.String() + " " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

// Encoder turns export lines into stored records. Not safe for concurrent
// use: ingest runs one per worker.
type Encoder struct {
	h     *hashing.Hasher
	p     *hashing.Profile
	norm  [NumAttributes][]byte
	vars  [NumAttributes][maxVariants][]byte
	nvar  [NumAttributes]int
	comp  []byte
	vals  [][]byte // the scored values of the record being built
	salts [64 * hashing.SaltSize]byte
	used  int
	// format and codes are the record format written and its code book:
	// RecordFormat, or an older one of the same layout in tests of reading
	// older generations.
	format byte
	codes  hashing.Codes
	// noTokens leaves score tokens out, so benchmarks can measure what
	// they cost. Such records are not readable.
	noTokens bool
}

// OmitTokensForBenchmark makes the encoder leave out score tokens. It
// exists only to measure their cost; a generation built so cannot be read.
func (e *Encoder) OmitTokensForBenchmark() { e.noTokens = true }

// NewEncoder returns an encoder hashing with s.
func NewEncoder(s *hashing.Scheme) *Encoder {
	return &Encoder{h: s.NewHasher(), p: s.Profile(), used: len(Encoder{}.salts), format: RecordFormat, codes: codesOf(RecordFormat)}
}

// Encode normalises, composes and hashes a line and appends its record to
// dst. A line that breaks a rule returns a *FieldError.
func (e *Encoder) Encode(dst []byte, l *Line) (hashing.LookupKey, []byte, error) {
	var key hashing.LookupKey
	if !normalize.IsE164(l.Values[PhoneNumber]) {
		return key, dst, &FieldError{PhoneNumber, normalize.ErrPhone}
	}
	held, err := e.normalize(l)
	if err != nil {
		return key, dst, err
	}
	if err := e.compose(l, &held); err != nil {
		return key, dst, err
	}
	key = e.h.LookupKey(l.Values[PhoneNumber])
	return key, e.appendRecord(dst, l.Eligible, held), nil
}

func (e *Encoder) normalize(l *Line) (AttrSet, error) {
	var held AttrSet
	for a := Attribute(1); a < NumAttributes; a++ {
		e.nvar[a] = 0
		if l.Values[a] == "" {
			continue
		}
		out, err := e.p.Append(e.norm[a][:0], a.Field(), l.Values[a])
		if err != nil {
			return 0, &FieldError{a, err}
		}
		e.norm[a] = out
		e.vars[a][0] = out
		e.nvar[a] = 1
		held = held.With(a)
	}
	return held, nil
}

// compose applies the name and address compositions of contract §5 to a
// line that lacks the whole value but holds its parts.
func (e *Encoder) compose(l *Line, held *AttrSet) error {
	v := &l.Values
	e.comp = e.comp[:0]
	if !held.Has(Name) && held.Has(GivenName) && held.Has(FamilyName) {
		if err := e.composeVariants(Name, held,
			[]string{v[GivenName], v[MiddleNames], v[FamilyName]},
			[]string{v[FamilyName], v[GivenName]}); err != nil {
			return err
		}
	}
	if !held.Has(Address) && held.Has(StreetName) && held.Has(StreetNumber) {
		return e.composeVariants(Address, held,
			[]string{v[StreetName], v[StreetNumber], v[HouseNumberExtension]},
			[]string{v[StreetNumber], v[StreetName], v[HouseNumberExtension]})
	}
	return nil
}

// composeVariants stores both orders of a composition; when they normalise
// to the same text, one is enough.
func (e *Encoder) composeVariants(a Attribute, held *AttrSet, first, second []string) error {
	v1, err := e.composeOne(a, first)
	if err != nil {
		return &FieldError{a, err}
	}
	v2, err := e.composeOne(a, second)
	if err != nil {
		return &FieldError{a, err}
	}
	e.vars[a][0], e.nvar[a] = v1, 1
	if string(v1) != string(v2) {
		e.vars[a][1], e.nvar[a] = v2, 2
	}
	*held = held.With(a)
	return nil
}

// composeOne joins the held parts with single spaces and normalises the
// result as the text of a, as contract §5 says: "the parts in brackets are
// included exactly when the record holds them", and a profile's rules for a
// apply to its compositions.
func (e *Encoder) composeOne(a Attribute, parts []string) ([]byte, error) {
	var raw []byte
	for _, p := range parts {
		if p == "" {
			continue
		}
		if len(raw) > 0 {
			raw = append(raw, ' ')
		}
		raw = append(raw, p...)
	}
	start := len(e.comp)
	out, err := e.p.Append(e.comp, a.Field(), string(raw))
	if err != nil {
		return nil, err
	}
	e.comp = out
	return out[start:len(out):len(out)], nil
}

func (e *Encoder) appendRecord(dst []byte, eligible bool, held AttrSet) []byte {
	start := len(dst)
	salt := e.salt()
	flags := byte(0)
	if eligible {
		flags |= flagEligible
	}
	dst = append(dst, e.format, flags)
	dst = append(dst, salt[:]...)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(held))
	for a := Attribute(1); a < NumAttributes; a++ {
		if held.Has(a) {
			dst = e.appendAttr(dst, a, &salt)
		}
	}
	if !e.noTokens {
		dst = e.h.AppendTokenBlock(dst, &salt, e.scoredValues(held), e.codes)
	}
	n := len(dst) - start
	return e.h.AppendPadding(dst, (recordPad-n%recordPad)%recordPad)
}

func (e *Encoder) appendAttr(dst []byte, a Attribute, salt *hashing.Salt) []byte {
	n := e.nvar[a]
	dst = append(dst, byte(n))
	for i := 0; i < n; i++ {
		d := e.h.Digest(int(a), salt, e.vars[a][i])
		dst = d.AppendBinary(dst)
	}
	return dst
}

// scoredValues lists the variants of the scored attributes held, in record
// order, for the token block.
func (e *Encoder) scoredValues(held AttrSet) [][]byte {
	e.vals = e.vals[:0]
	for a := Attribute(1); a < NumAttributes; a++ {
		if held.Has(a) && a.Scored() {
			e.vals = append(e.vals, e.vars[a][:e.nvar[a]]...)
		}
	}
	return e.vals
}

// salt hands out fresh random salts, reading the system's generator in
// blocks: one read per line would cost more than the line's hashing.
func (e *Encoder) salt() hashing.Salt {
	if e.used == len(e.salts) {
		if _, err := rand.Read(e.salts[:]); err != nil {
			panic("kycmatch: system random generator failed: " + err.Error())
		}
		e.used = 0
	}
	var s hashing.Salt
	copy(s[:], e.salts[e.used:])
	e.used += hashing.SaltSize
	return s
}

func appendRunes(dst []rune, b []byte) []rune {
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		dst = append(dst, r)
		b = b[size:]
	}
	return dst
}

// LookupKey returns the store key of an E.164 number, for deletes.
func (e *Encoder) LookupKey(e164 string) hashing.LookupKey { return e.h.LookupKey(e164) }
