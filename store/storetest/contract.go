package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/store/sealed"
)

func open(t *testing.T, h Harness, plaintext bool) engine.Store {
	return h.New(t)(t, Options{Keys: Key, Plaintext: plaintext})
}

func testCommitMakesCurrent(t *testing.T, h Harness) {
	for _, plaintext := range []bool{false, true} {
		t.Run(fmt.Sprint("plaintext=", plaintext), func(t *testing.T) {
			st := open(t, h, plaintext)
			if _, err := st.CurrentID(context.Background()); !errors.Is(err, engine.ErrNoGeneration) {
				t.Fatalf("empty store: %v", err)
			}
			if _, err := st.Current(context.Background()); !errors.Is(err, engine.ErrNoGeneration) {
				t.Fatalf("empty store: %v", err)
			}
			info := Build(t, st, 100, "a")
			if info.ID != "00000001" || info.Lines != 100 || info.KeyID != "k1" || info.Created.IsZero() {
				t.Errorf("info %+v", info)
			}
			w := Create(t, st)
			w.Put(0, LineKey(0, 100), []byte("b-0"))
			if got := Get(t, st, LineKey(0, 100)); got != "a-0" {
				t.Errorf("before commit: %q", got)
			}
			if _, err := w.Commit(context.Background(), engine.CommitStats{Lines: 1}); err != nil {
				t.Fatal(err)
			}
			if id, err := st.CurrentID(context.Background()); err != nil || id != "00000002" {
				t.Errorf("current id %q, %v", id, err)
			}
			if got := Get(t, st, LineKey(0, 100)); got != "b-0" {
				t.Errorf("after commit: %q", got)
			}
			if got := Get(t, st, LineKey(5, 100)); got != engine.ENOTFOUND {
				t.Errorf("line of the old generation: %q", got)
			}
		})
	}
}

func testAbortKeepsCurrent(t *testing.T, h Harness) {
	st := open(t, h, false)
	Build(t, st, 10, "a")
	w := Create(t, st)
	w.Put(0, LineKey(0, 10), []byte("b-0"))
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if got := Get(t, st, LineKey(0, 10)); got != "a-0" {
		t.Errorf("after abort: %q", got)
	}
	if info := Build(t, st, 10, "c"); info.ID != "00000002" {
		t.Errorf("the build after an abort made %s", info.ID)
	}
}

// testOneWriterAtATime: a second ingest fails with a sentence saying
// another is running, and can build once the first is done.
func testOneWriterAtATime(t *testing.T, h Harness) {
	st := open(t, h, false)
	w := Create(t, st)
	_, err := st.Create(context.Background(), engine.GenerationInfo{KeyID: "k1"})
	if err == nil || !strings.Contains(err.Error(), "another ingest is running") {
		t.Errorf("second writer: %v", err)
	}
	w.Abort()
	Build(t, st, 1, "a")
}

func testReadersShareGenerations(t *testing.T, h Harness) {
	place := h.New(t)
	o := Options{Keys: Key}
	Build(t, place(t, o), 10, "a")
	var gens []engine.Generation
	for i := 0; i < 3; i++ { // several serve processes on one store
		g, err := place(t, o).Current(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		gens = append(gens, g)
	}
	Build(t, place(t, o), 10, "b") // an ingest beside them
	for _, g := range gens {
		if v, err := g.Get(context.Background(), LineKey(3, 10), nil); err != nil || string(v) != "a-3" {
			t.Errorf("%q %v", v, err)
		}
		g.Close()
	}
}

func testKeysInOrder(t *testing.T, h Harness) {
	st := open(t, h, false)
	w := Create(t, st)
	defer w.Abort()
	if err := w.Put(0, []byte{1, 2}, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.Put(0, []byte{1, 1}, nil); err == nil {
		t.Error("key out of order accepted")
	}
	if err := w.Put(0, []byte{0xff}, nil); w.Streams() > 1 && err == nil {
		t.Error("key outside the stream accepted")
	}
}

func testSealedNeedsKey(t *testing.T, h Harness) {
	place := h.New(t)
	Build(t, place(t, Options{Keys: Key}), 10, "a")
	for name, k := range map[string]sealed.Keys{"no key": failingKeys{}, "wrong key": Keys(8), "no keyring": nil} {
		if _, err := place(t, Options{Keys: k}).Current(context.Background()); err == nil {
			t.Errorf("%s: opened", name)
		}
	}
	if _, err := place(t, Options{Keys: Key, Plaintext: true}).Current(context.Background()); err != nil {
		t.Errorf("right key: %v", err)
	}
}

// testSealedRecords: records are sealed to their lookup key, so a record
// altered in the store, or moved to another line's key, fails to open
// rather than answer.
func testSealedRecords(t *testing.T, h Harness) {
	st := open(t, h, false)
	Build(t, st, 3, "secret-record")
	gen, err := st.Current(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer gen.Close()
	lines, openRaw := h.Raw(t, gen)
	if len(lines) != 3 {
		t.Fatalf("%d raw records", len(lines))
	}
	for _, l := range lines {
		if bytes.Contains(l[1], []byte("secret-record")) {
			t.Errorf("record stored in the clear")
		}
	}
	sealedRec := lines[0][1]
	if _, err := openRaw(LineKey(0, 3), sealedRec); err != nil {
		t.Errorf("record under its own key: %v", err)
	}
	if _, err := openRaw(LineKey(1, 3), sealedRec); err == nil {
		t.Error("a record moved to another key opened")
	}
	flipped := bytes.Clone(sealedRec)
	flipped[len(flipped)/2] ^= 1
	if _, err := openRaw(LineKey(0, 3), flipped); err == nil {
		t.Error("an altered record opened")
	}
}

// testUnsealedNeedsAllow: a generation built plaintext opens only in a
// store that allows unsealed generations, and the refusal says why.
func testUnsealedNeedsAllow(t *testing.T, h Harness) {
	place := h.New(t)
	Build(t, place(t, Options{Keys: Key, Plaintext: true}), 10, "a")
	for _, allow := range []bool{false, true} {
		gen, err := place(t, Options{Keys: Key, Plaintext: allow}).Current(context.Background())
		if allow != (err == nil) {
			t.Errorf("unsealed allowed %v: %v", allow, err)
		}
		if err == nil {
			gen.Close()
		} else if !strings.Contains(err.Error(), "--plaintext-store") {
			t.Errorf("error %q does not say why", err)
		}
	}
}

func testScanRange(t *testing.T, h Harness) {
	st := open(t, h, false)
	Build(t, st, 100, "a")
	gen, err := st.Current(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer gen.Close()
	total := 0
	for s := 0; s < 3; s++ {
		lo, hi := engine.StreamBounds(s, 3)
		var prev []byte
		err := gen.(engine.Scanner).Scan(context.Background(), lo, hi, func(k, v []byte) error {
			if engine.StreamOf(k, 3) != s || bytes.Compare(k, prev) <= 0 {
				return fmt.Errorf("key %x out of place in stream %d", k, s)
			}
			prev = append(prev[:0], k...)
			total++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if total != 100 {
		t.Errorf("scanned %d lines", total)
	}
}

// testStreams: however many streams a generation was written in, every
// line is found, and scans return their range in key order across stream
// boundaries.
func testStreams(t *testing.T, h Harness) {
	const n = 300
	for _, streams := range []int{1, 3, 4} {
		t.Run(fmt.Sprint(streams), func(t *testing.T) {
			st := h.New(t)(t, Options{Keys: Key, Streams: streams})
			Build(t, st, n, "s")
			gen, err := st.Current(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			defer gen.Close()
			for i := 0; i < n; i++ {
				if v, err := gen.Get(context.Background(), LineKey(i, n), nil); err != nil || string(v) != fmt.Sprintf("s-%d", i) {
					t.Fatalf("line %d: %q, %v", i, v, err)
				}
			}
			for _, r := range [][2]int{{0, n}, {10, 250}, {100, 101}, {299, n}} {
				checkScan(t, gen, n, r)
			}
		})
	}
}

func checkScan(t *testing.T, gen engine.Generation, n int, r [2]int) {
	t.Helper()
	var got []int
	lo, hi := LineKey(r[0], n), []byte(nil)
	if r[1] < n {
		hi = LineKey(r[1], n)
	}
	err := gen.(engine.Scanner).Scan(context.Background(), lo, hi, func(k, rec []byte) error {
		var i int
		fmt.Sscanf(string(rec), "s-%d", &i)
		got = append(got, i)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != r[1]-r[0] || (len(got) > 0 && (got[0] != r[0] || got[len(got)-1] != r[1]-1)) {
		t.Fatalf("scan %v: %d lines, %v…", r, len(got), got[:min(len(got), 3)])
	}
	for j := 1; j < len(got); j++ {
		if got[j] != got[j-1]+1 {
			t.Fatalf("scan %v out of order at %d: %d after %d", r, j, got[j], got[j-1])
		}
	}
}

// testKeptGenerations: a commit keeps the new generation and the one it
// replaced, and no older one.
func testKeptGenerations(t *testing.T, h Harness) {
	st := open(t, h, false)
	ctx := context.Background()
	lister := st.(engine.GenerationLister)
	if got, err := lister.KeptGenerations(ctx); err != nil || len(got) != 0 {
		t.Fatalf("empty store: %v %v", got, err)
	}
	for _, v := range []string{"a", "b", "c"} {
		Build(t, st, 10, v)
	}
	got, err := lister.KeptGenerations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, g := range got {
		ids = append(ids, g.ID)
		if g.KeyID == "" || g.Lines != 10 {
			t.Errorf("generation %s: key %q, %d lines", g.ID, g.KeyID, g.Lines)
		}
	}
	if want := []string{"00000002", "00000003"}; !slices.Equal(ids, want) {
		t.Errorf("kept %v, want %v", ids, want)
	}
}
