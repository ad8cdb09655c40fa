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
	writeGenerationFormat(tb, st, scheme, lines, engine.RecordFormat)
}

// writeGenerationFormat writes lines as a build of record format f would,
// as far as formats share their layout.
func writeGenerationFormat(tb testing.TB, st *store.Store, scheme *hashing.Scheme, lines []engine.Line, f int) {
	tb.Helper()
	type kv struct{ k, v []byte }
	var kvs []kv
	enc := engine.NewEncoder(scheme)
	for i := range lines {
		key, rec, err := enc.Encode(nil, &lines[i])
		if err != nil {
			tb.Fatalf("line %d: %v", i, err)
		}
		rec[0] = byte(f)
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

// TestFormats: generations of format 2 (unsalted lookup keys, written
// before format 3) are still answered from; unknown formats are refused.
func TestFormats(t *testing.T) {
	for _, c := range []struct {
		format int
		salt   []byte
		ok     bool
	}{{2, nil, true}, {engine.RecordFormat, []byte("salt"), true}, {1, nil, false}, {engine.RecordFormat + 1, []byte("salt"), false}} {
		kr := kyctest.Keyring(t)
		st := kyctest.Store(t, t.TempDir(), kr, false)
		scheme := hashing.NewScheme(kr.Active(), normalize.DefaultProfile, engine.FieldNames()).WithLookupSalt(c.salt)
		writeGenerationFormat(t, st, scheme, []engine.Line{line(true, "phoneNumber", "+34600000001", "givenName", "Ana")}, c.format)
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
		res, err := m.Match(context.Background(), request("+34600000001", "givenName", "Ana"), engine.Options{})
		if err != nil || res.Verdict[engine.GivenName] != engine.True {
			t.Errorf("format %d: %+v, %v", c.format, res, err)
		}
	}
}
