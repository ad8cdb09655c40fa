package engine_test

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/hashing"
	"github.com/kycmatch/kycmatch/internal/kyctest"
	"github.com/kycmatch/kycmatch/normalize"
	"github.com/kycmatch/kycmatch/store"
)

// MustMatcher stores lines in a real Badger generation and returns a
// matcher over it.
func MustMatcher(tb testing.TB, lines ...engine.Line) *engine.Matcher {
	tb.Helper()
	return mustMatcherWith(tb, normalize.DefaultProfile, lines...)
}

// mustMatcherWith is MustMatcher for a generation built under profile p.
func mustMatcherWith(tb testing.TB, p *normalize.Profile, lines ...engine.Line) *engine.Matcher {
	tb.Helper()
	kr := kyctest.Keyring(tb)
	st := kyctest.Store(tb, tb.TempDir(), kr, false)
	scheme := hashing.NewScheme(kr.Active(), p, engine.FieldNames())
	writeGeneration(tb, st, scheme, lines)
	gen, err := st.Current(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { gen.Close() })
	m, err := engine.NewMatcher(gen, kr)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func writeGeneration(tb testing.TB, st *store.Store, scheme *hashing.Scheme, lines []engine.Line) {
	tb.Helper()
	writeGenerationFormat(tb, st, scheme, lines, engine.RecordFormat, hashing.LineCodes)
}

// writeGenerationFormat writes lines as a build of record format f would,
// with the rune codes of book c, as far as formats share their layout.
func writeGenerationFormat(tb testing.TB, st *store.Store, scheme *hashing.Scheme, lines []engine.Line, f int, c hashing.Codes) {
	tb.Helper()
	type kv struct{ k, v []byte }
	var kvs []kv
	enc := engine.NewEncoder(scheme)
	engine.WriteFormat(enc, f, c)
	for i := range lines {
		key, rec, err := enc.Encode(nil, &lines[i])
		if err != nil {
			tb.Fatalf("line %d: %v", i, err)
		}
		kvs = append(kvs, kv{key.Bytes(), rec})
	}
	slices.SortFunc(kvs, func(a, b kv) int { return bytes.Compare(a.k, b.k) })
	p := scheme.Profile()
	w, err := st.Create(context.Background(), engine.GenerationInfo{KeyID: scheme.KeyID(), Profile: p.Name(), ProfileDefinition: p.Definition(),
		Format: f, LookupSalt: scheme.LookupSalt()})
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range kvs {
		if err := w.Put(engine.StreamOf(e.k, w.Streams()), e.k, e.v); err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := w.Commit(context.Background(), engine.CommitStats{Lines: int64(len(kvs))}); err != nil {
		tb.Fatal(err)
	}
}

// line builds a Line from field names, for readable tables.
func line(eligible bool, kv ...string) engine.Line {
	l := engine.Line{Eligible: eligible}
	for i := 0; i < len(kv); i += 2 {
		a, ok := engine.ParseAttribute(kv[i])
		if !ok {
			panic("unknown attribute " + kv[i])
		}
		l.Values[a] = kv[i+1]
	}
	return l
}

func request(phone string, kv ...string) *engine.Request {
	r := &engine.Request{Phone: phone}
	for i := 0; i < len(kv); i += 2 {
		a, _ := engine.ParseAttribute(kv[i])
		r.Values[a] = kv[i+1]
		r.Asked = r.Asked.With(a)
	}
	return r
}

// TestFormats: generations of every readable format are answered from,
// scores included: format 2 (unsalted lookup keys), 3 and 4 (one code book
// per key version) as well as the current one (a code book per line);
// unknown formats are refused.
func TestFormats(t *testing.T) {
	book, own := hashing.SchemeCodes, hashing.LineCodes
	for _, c := range []struct {
		format int
		salt   []byte
		codes  hashing.Codes
		ok     bool
	}{{2, nil, book, true}, {3, []byte("salt"), book, true}, {4, []byte("salt"), book, true},
		{5, []byte("salt"), own, true}, {1, nil, book, false}, {engine.RecordFormat + 1, []byte("salt"), own, false}} {
		kr := kyctest.Keyring(t)
		st := kyctest.Store(t, t.TempDir(), kr, false)
		s := hashing.NewScheme(kr.Active(), normalize.DefaultProfile, engine.FieldNames()).WithLookupSalt(c.salt)
		l := line(true, "phoneNumber", "+34600000001", "givenName", "Ana", "familyName", "Sánchez Arjona")
		writeGenerationFormat(t, st, s, []engine.Line{l}, c.format, c.codes)
		gen, err := st.Current(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer gen.Close()
		m, err := engine.NewMatcher(gen, kr)
		if !c.ok {
			if err == nil {
				t.Errorf("format %d: opened", c.format)
			}
			continue
		}
		if err != nil {
			t.Fatalf("format %d: %v", c.format, err)
		}
		res, err := m.Match(context.Background(), request("+34600000001", "givenName", "Ana", "familyName", "Sanches Arjona"), engine.Options{})
		want := kyctest.PlainScore("sanchez arjona", "sanches arjona")
		if err != nil || res.Verdict[engine.GivenName] != engine.True || int(res.Score[engine.FamilyName]) != want {
			t.Errorf("format %d: %+v, %v; want familyName score %d", c.format, res, err, want)
		}
	}
}
