package api

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/normalize"
)

// Body is a decoded match request body: the phone number when present, and
// the submitted attributes.
type Body struct {
	Phone    string
	HasPhone bool
	Asked    engine.AttrSet
	Values   [engine.NumAttributes]string
}

// decoder is a pooled tokenizer; building one costs more than decoding a
// typical body. vals holds the unquoted values of one body.
type decoder struct {
	rd   bytes.Reader
	dec  *jsontext.Decoder
	vals []byte
}

var decoders = sync.Pool{New: func() any {
	d := &decoder{}
	d.dec = jsontext.NewDecoder(&d.rd)
	return d
}}

// Decode parses a request body strictly: one JSON object of known
// properties with string values that follow the version's rules. Duplicate
// names and invalid UTF-8 are refused by the tokenizer. Errors are
// *engine.Error with code EINVALID or ECOMBINATION; their messages name the
// property and the rule, never the value.
//
// The strings in b alias body or a pooled buffer: they are valid until
// release is called and while body is unchanged, and nothing may keep them
// beyond that. That spares a request ten or more allocations; the engine
// only reads its request while matching.
func (v *Version) Decode(body []byte, b *Body) (release func(), err error) {
	*b = Body{}
	if v.decodeFlat(body, b) {
		return noRelease, nil
	}
	*b = Body{}
	return v.decodeFull(body, b)
}

func noRelease() {}

// decodeFull is Decode with the JSON tokenizer, for every body.
func (v *Version) decodeFull(body []byte, b *Body) (release func(), err error) {
	d := decoders.Get().(*decoder)
	release = func() { decoders.Put(d) }
	d.rd.Reset(body)
	d.dec.Reset(&d.rd)
	d.vals = d.vals[:0]
	if cap(d.vals) < len(body) {
		d.vals = make([]byte, 0, len(body)) // values never outgrow the body, so vals never moves
	}
	if err := v.decode(d, b); err != nil {
		release()
		return noRelease, err
	}
	return release, nil
}

func (v *Version) decode(d *decoder, b *Body) error {
	dec := d.dec
	if err := v.decodeObject(d, b); err != nil {
		return err
	}
	if _, err := dec.ReadToken(); !errors.Is(err, io.EOF) {
		return invalid("The request body must be a single JSON object.")
	}
	switch {
	case b.Asked == 0 && b.HasPhone:
		return &engine.Error{Code: engine.ECOMBINATION, Message: "Indicated parameter combination is invalid: at least one property besides phoneNumber is required."}
	case b.Asked == 0:
		return invalid("The request body must hold at least one property to match.")
	}
	return nil
}

// invalidName explains a property name the tokenizer refused: a duplicate
// is named (when it looks like a name, see quoteName), anything else is
// invalid JSON.
func invalidName(err error) error {
	var se *jsontext.SyntacticError
	if errors.Is(err, jsontext.ErrDuplicateName) && errors.As(err, &se) {
		return invalid("Duplicate property " + quoteName(se.JSONPointer.LastToken()) + ".")
	}
	return invalid("The request body is not valid JSON.")
}

func invalid(msg string) error { return &engine.Error{Code: engine.EINVALID, Message: msg} }

func (v *Version) decodeObject(d *decoder, b *Body) error {
	dec := d.dec
	tok, err := dec.ReadToken()
	if err != nil {
		return invalid("The request body is not valid JSON.")
	}
	if tok.Kind() != '{' {
		return invalid("The request body must be a JSON object.")
	}
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return invalidName(err)
		}
		if err := v.decodeProperty(d, name.String(), b); err != nil {
			return err
		}
	}
	if _, err := dec.ReadToken(); err != nil {
		return invalid("The request body is not valid JSON.")
	}
	return nil
}

func (v *Version) decodeProperty(d *decoder, name string, b *Body) error {
	dec := d.dec
	rule, ok := v.fields[name]
	if !ok {
		return invalid("Unknown property " + quoteName(name) + ".")
	}
	switch dec.PeekKind() {
	case '"':
	case 'n':
		dec.ReadToken()
		return invalid("Property " + name + " must not be null.")
	default:
		if _, err := dec.ReadValue(); err != nil {
			return invalid("The request body is not valid JSON.")
		}
		return invalid("Property " + name + " must be a string.")
	}
	raw, err := dec.ReadValue()
	if err != nil {
		return invalid("The request body is not valid JSON.")
	}
	start := len(d.vals)
	if d.vals, err = jsontext.AppendUnquote(d.vals, raw); err != nil {
		return invalid("The request body is not valid JSON.")
	}
	s := unsafe.String(unsafe.SliceData(d.vals[start:]), len(d.vals)-start)
	if err := rule.check(name, s); err != nil {
		return err
	}
	if rule.attr == engine.PhoneNumber {
		b.Phone, b.HasPhone = s, true
		return nil
	}
	b.Values[rule.attr] = s
	b.Asked = b.Asked.With(rule.attr)
	return nil
}

func (r *fieldRule) check(name, s string) error {
	if r.maxLength > 0 && len(s) > r.maxLength && utf8.RuneCountInString(s) > r.maxLength {
		return invalid("Property " + name + " is longer than its maxLength.")
	}
	if r.match != nil && !r.match(s) {
		return invalid("Property " + name + " does not match the pattern " + r.pattern + ".")
	}
	if r.enum != nil && !oneOf(s, r.enum) {
		return invalid("Property " + name + " must be one of " + strings.Join(r.enum, ", ") + ".")
	}
	if r.date && !normalize.IsDate(s) {
		return invalid("Property " + name + " must be a date, YYYY-MM-DD.")
	}
	return nil
}

func oneOf(s string, set []string) bool {
	for _, v := range set {
		if s == v {
			return true
		}
	}
	return false
}

// quoteName echoes an unknown property's name when it looks like one; a
// "name" could be anything the client sent, and anything else stays out of
// responses and logs.
func quoteName(name string) string {
	if len(name) == 0 || len(name) > 64 {
		return "(unnamed)"
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !isASCIILetter(c) && (c < '0' || c > '9') && c != '_' && c != '-' {
			return "(unnamed)"
		}
	}
	return name
}
