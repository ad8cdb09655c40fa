package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/kycmatch/kycmatch/hashing"
	"github.com/kycmatch/kycmatch/keys"
	"github.com/kycmatch/kycmatch/normalize"
)

// Verdict is the answer for one attribute.
type Verdict uint8

// The verdicts, as the spec's MatchResult enum.
const (
	NotAvailable Verdict = iota
	True
	False
)

func (v Verdict) String() string {
	switch v {
	case True:
		return "true"
	case False:
		return "false"
	}
	return "not_available"
}

// NoScore marks an attribute without a score.
const NoScore = -1

// Request is one match request after the API has settled which line it is
// about: Phone is E.164, Values holds the submitted raw values of the
// attributes in Asked.
type Request struct {
	Phone  string
	Asked  AttrSet
	Values [NumAttributes]string
}

// Result holds a verdict for every asked attribute, and a score (0–99) for
// scored attributes that are False with both values held; NoScore
// elsewhere.
type Result struct {
	// Generation is the id of the generation that answered, for the audit.
	Generation string
	Asked      AttrSet
	Verdict    [NumAttributes]Verdict
	Score      [NumAttributes]int8
}

// Options are the per-API-version rules of a match.
type Options struct {
	// RequireIDDocument is the v0.4 operator option: idDocument must be
	// asked and match before anything else is compared.
	RequireIDDocument bool
}

// KeySource finds key versions by id; *keys.Keyring is one.
type KeySource interface {
	Key(id string) (*keys.Key, error)
}

// Matcher answers match requests from one open generation. Safe for
// concurrent use.
type Matcher struct {
	gen    Generation
	genID  string
	scheme *hashing.Scheme
	states sync.Pool
}

// NewMatcher prepares matching against gen with the key it was built with.
func NewMatcher(gen Generation, ks KeySource) (*Matcher, error) {
	info := gen.Info()
	if !readableFormat(info.Format) {
		return nil, fmt.Errorf("generation %s has record format %d, this build reads %d to %d", info.ID, info.Format, oldestFormat, RecordFormat)
	}
	scheme, err := SchemeFor(info, ks)
	if err != nil {
		return nil, err
	}
	m := &Matcher{gen: gen, genID: info.ID, scheme: scheme}
	m.states.New = func() any { return &matchState{h: m.scheme.NewHasher()} }
	return m, nil
}

// Generation returns the generation the matcher reads.
func (m *Matcher) Generation() Generation { return m.gen }

// matchState is the scratch space of one request, pooled so that a match
// allocates nothing in the common case.
type matchState struct {
	h     *hashing.Hasher
	buf   []byte
	norm  [NumAttributes][]byte
	rec   []byte
	view  recordView
	runes []rune
	// The record's token block, opened for the first score it needs.
	tokens    hashing.TokenBlock
	tokensErr error
	opened    bool
}

// release clears st and returns it to the pool: between requests, pooled
// state holds nothing of a request or a line (submitted values, the phone
// number, the record, its opened token block and rune codes).
func (m *Matcher) release(st *matchState) {
	st.h.Clear()
	clear(st.buf[:cap(st.buf)])
	clear(st.rec[:cap(st.rec)])
	clear(st.runes[:cap(st.runes)])
	*st = matchState{h: st.h, buf: st.buf[:0], rec: st.rec[:0], runes: st.runes[:0]}
	m.states.Put(st)
}

// Match answers req. Errors are *Error values: EINVALID (a value breaks a
// rule), ENOTFOUND, ENOTAPPLICABLE, EIDREQUIRED, EIDMISMATCH; anything else
// is internal.
func (m *Matcher) Match(ctx context.Context, req *Request, opt Options) (*Result, error) {
	st := m.states.Get().(*matchState)
	defer m.release(st)
	if err := m.normalize(st, req); err != nil {
		return nil, err
	}
	v, err := m.lookup(ctx, st, req.Phone)
	if err != nil {
		return nil, err
	}
	if opt.RequireIDDocument {
		if err := m.checkIDDocument(st, req, v); err != nil {
			return nil, err
		}
	}
	res := &Result{Asked: req.Asked, Generation: m.genID}
	for a := Attribute(1); a < NumAttributes; a++ {
		if req.Asked.Has(a) {
			res.Verdict[a], res.Score[a] = m.compare(st, v, a)
		} else {
			res.Score[a] = NoScore
		}
	}
	return res, nil
}

// normalize checks and normalises every asked value before the line is
// looked up, so a bad request is refused the same way whether or not the
// line exists.
func (m *Matcher) normalize(st *matchState, req *Request) error {
	if !normalize.IsE164(req.Phone) {
		return Errorf(EINVALID, "phoneNumber %s", normalize.ErrPhone)
	}
	var ends [NumAttributes]int
	st.buf = st.buf[:0]
	p := m.scheme.Profile()
	for a := Attribute(1); a < NumAttributes; a++ {
		if req.Asked.Has(a) {
			out, err := p.Append(st.buf, a.Field(), req.Values[a])
			if err != nil {
				return Errorf(EINVALID, "%s %s", a, err)
			}
			st.buf = out
		}
		ends[a] = len(st.buf)
	}
	// Slice only now: st.buf may have moved while it grew.
	for a := Attribute(1); a < NumAttributes; a++ {
		st.norm[a] = st.buf[ends[a-1]:ends[a]:ends[a]]
	}
	return nil
}

func (m *Matcher) lookup(ctx context.Context, st *matchState, phone string) (*recordView, error) {
	key := st.h.LookupKey(phone)
	var kb [hashing.LookupKeySize]byte
	rec, err := m.gen.Get(ctx, key.AppendBinary(kb[:0]), st.rec[:0])
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("match: read line: %w", err)
	}
	st.rec = rec
	st.opened, st.tokensErr = false, nil
	if err := parseRecord(&st.view, rec); err != nil {
		return nil, fmt.Errorf("match: %w", err)
	}
	if !st.view.eligible {
		return nil, errNotApplicable
	}
	return &st.view, nil
}

var (
	errNotApplicable = &Error{Code: ENOTAPPLICABLE}
	errIDRequired    = &Error{Code: EIDREQUIRED}
	errIDMismatch    = &Error{Code: EIDMISMATCH}
)

// checkIDDocument is the v0.4 second-level validation. A line without a
// stored idDocument cannot pass it: the operator asked for the check.
func (m *Matcher) checkIDDocument(st *matchState, req *Request, v *recordView) error {
	if !req.Asked.Has(IDDocument) {
		return errIDRequired
	}
	if !v.held.Has(IDDocument) || !m.equal(st, v, IDDocument) {
		return errIDMismatch
	}
	return nil
}

func (m *Matcher) compare(st *matchState, v *recordView, a Attribute) (Verdict, int8) {
	if !v.held.Has(a) {
		return NotAvailable, NoScore
	}
	if m.equal(st, v, a) {
		return True, NoScore
	}
	if !a.Scored() {
		return False, NoScore
	}
	return False, m.score(st, v, a)
}

// equal compares the submitted value with every stored variant, all of
// them, so the time taken does not say which variant matched.
func (m *Matcher) equal(st *matchState, v *recordView, a Attribute) bool {
	d := st.h.Digest(int(a), &v.salt, st.norm[a])
	av := &v.attrs[a]
	eq := false
	for i := 0; i < av.n; i++ {
		if d.EqualBytes(av.digest(i)) {
			eq = true
		}
	}
	return eq
}
