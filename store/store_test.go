package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/store"
	"github.com/kycmatch/kycmatch/store/storetest"
)

// testKey is the key of every store test, and of the Badger-encrypted
// generation in testdata.
const testKey = storetest.Key

func MustOpen(tb testing.TB, dir string, plaintext bool) *store.Store {
	tb.Helper()
	st, err := store.Open(dir, store.Options{Plaintext: plaintext, AllowUnsealed: plaintext, Keys: testKey})
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

func build(tb testing.TB, st *store.Store, n int, tag string) engine.GenerationInfo {
	tb.Helper()
	return storetest.Build(tb, st, n, tag)
}

func key(i, n int) []byte { return storetest.LineKey(i, n) }

func create(tb testing.TB, st *store.Store) engine.GenerationWriter {
	tb.Helper()
	return storetest.Create(tb, st)
}

// TestContract runs the store contract against Badger.
func TestContract(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		New: func(t *testing.T) func(*testing.T, storetest.Options) engine.Store {
			dir := t.TempDir()
			return func(t *testing.T, o storetest.Options) engine.Store {
				if o.Streams > 0 {
					t.Cleanup(store.SetWriteStreams(o.Streams))
				}
				st, err := store.Open(dir, store.Options{Plaintext: o.Plaintext, AllowUnsealed: o.Plaintext, Keys: o.Keys})
				if err != nil {
					t.Fatal(err)
				}
				return st
			}
		},
		Raw: func(t *testing.T, g engine.Generation) ([][2][]byte, func(key, v []byte) ([]byte, error)) {
			var lines [][2][]byte
			if err := store.RawScan(g, func(k, v []byte) error {
				lines = append(lines, [2][]byte{bytes.Clone(k), bytes.Clone(v)})
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			return lines, func(k, v []byte) ([]byte, error) { return store.OpenRaw(g, k, v) }
		},
	})
}

func TestAbortLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	st := MustOpen(t, dir, false)
	build(t, st, 10, "a")
	w := create(t, st)
	w.Put(0, key(0, 10), []byte("b-0"))
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	assertNoLeftovers(t, dir)
}

func assertNoLeftovers(t *testing.T, dir string) {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(dir, "tmp-*"))
	if len(matches) > 0 {
		t.Errorf("leftovers: %v", matches)
	}
}

func TestCrashLeftoversRemoved(t *testing.T) {
	dir := t.TempDir()
	st := MustOpen(t, dir, false)
	build(t, st, 10, "a")
	// What a killed build leaves: a half-written generation, a half-written
	// CURRENT, a published generation never named current.
	for _, d := range []string{"tmp-00000002", "tmp-sort-1-2"} {
		os.MkdirAll(filepath.Join(dir, d), 0o700)
		os.WriteFile(filepath.Join(dir, d, "000001.vlog"), []byte("partial"), 0o600)
	}
	// CURRENT.tmp is what builds before internal/atomicfile left.
	for _, f := range []string{".CURRENT.tmp-123456", "CURRENT.tmp"} {
		os.WriteFile(filepath.Join(dir, f), []byte("000"), 0o600)
	}
	info := build(t, st, 10, "b")
	if info.ID != "00000002" {
		t.Errorf("id %s", info.ID)
	}
	assertNoLeftovers(t, dir)
	for _, f := range []string{".CURRENT.tmp-123456", "CURRENT.tmp"} {
		if _, err := os.Stat(filepath.Join(dir, f)); !os.IsNotExist(err) {
			t.Errorf("%s survived: %v", f, err)
		}
	}
}

func TestOldGenerationsCollected(t *testing.T) {
	dir := t.TempDir()
	st := MustOpen(t, dir, false)
	build(t, st, 10, "a")
	build(t, st, 10, "b")
	held, err := st.OpenGeneration("00000002") // a server that has not switched yet
	if err != nil {
		t.Fatal(err)
	}
	build(t, st, 10, "c")
	build(t, st, 10, "d") // 2 is neither current nor previous, but held
	if _, err := os.Stat(filepath.Join(dir, "gen-00000001")); !os.IsNotExist(err) {
		t.Errorf("gen 1 not collected: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "gen-00000002")); err != nil {
		t.Errorf("held gen 2 removed: %v", err)
	}
	if v, err := held.Get(context.Background(), key(1, 10), nil); err != nil || string(v) != "b-1" {
		t.Errorf("held generation: %q %v", v, err)
	}
	held.Close()
	build(t, st, 10, "e")
	for id, want := range map[string]bool{"00000002": false, "00000003": false, "00000004": true, "00000005": true} {
		_, err := os.Stat(filepath.Join(dir, "gen-"+id))
		if (err == nil) != want {
			t.Errorf("gen %s present=%v, want %v", id, err == nil, want)
		}
	}
}

func TestOneWriterAtATime(t *testing.T) {
	st := MustOpen(t, t.TempDir(), false)
	w := create(t, st)
	defer w.Abort()
	if _, err := st.Create(context.Background(), engine.GenerationInfo{}); !errors.Is(err, store.ErrBusy) {
		t.Errorf("second writer: %v", err)
	}
}

// TestNoRecordInTheClear: no file of a sealed generation holds a record.
func TestNoRecordInTheClear(t *testing.T) {
	dir := t.TempDir()
	build(t, MustOpen(t, dir, false), 3, "secret-record")
	scanForNeedle(t, dir, "secret-record")
}

// scanForNeedle fails if any file under dir contains needle.
func scanForNeedle(t *testing.T, dir, needle string) {
	t.Helper()
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if b, _ := os.ReadFile(path); bytes.Contains(b, []byte(needle)) {
			t.Errorf("%s holds a record in the clear", path)
		}
		return nil
	})
}

// TestBadgerEncrypted reads a generation written by an earlier kycmatch
// with Badger's encryption at rest, before records were sealed, so a
// server upgraded ahead of its next ingest keeps serving.
func TestBadgerEncrypted(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("testdata/badger-encrypted")); err != nil {
		t.Fatal(err)
	}
	if _, err := MustOpen(t, dir, false).Current(context.Background()); err == nil || !strings.Contains(err.Error(), "--allow-unsealed") {
		t.Errorf("a generation from before authenticated metadata opened without the flag (%v)", err)
	}
	legacy, _ := store.Open(dir, store.Options{Keys: testKey, AllowUnsealed: true})
	gen, err := legacy.Current(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer gen.Close()
	for i := 0; i < 10; i++ {
		rec, err := gen.Get(context.Background(), key(i, 10), nil)
		if want := fmt.Sprintf("legacy-%d-%s", i, strings.Repeat("x", 56)); err != nil || string(rec) != want {
			t.Errorf("line %d: %q, %v", i, rec, err)
		}
	}
	wrong, _ := store.Open(dir, store.Options{Keys: storetest.Keys(8), AllowUnsealed: true})
	if _, err := wrong.Current(context.Background()); err == nil {
		t.Error("opened with the wrong key")
	}
}

// TestDiskFull: a build that finds the disk (nearly) full fails with a
// message and leaves the previous generation current; the next build,
// with room again, succeeds.
func TestDiskFull(t *testing.T) {
	dir := t.TempDir()
	st := MustOpen(t, dir, false)
	build(t, st, 10, "a")
	restore := store.SetFreeSpace(4 << 20) // under the margin kept for tables
	w := create(t, st)
	k := key(0, 1)
	if err := w.Put(engine.StreamOf(k, w.Streams()), k, []byte("b")); err != nil {
		t.Fatal(err)
	}
	_, err := w.Commit(context.Background(), engine.CommitStats{Lines: 1})
	restore()
	if err == nil || !strings.Contains(err.Error(), "disk is full") {
		t.Fatalf("commit on a full disk: %v", err)
	}
	if id, _ := st.CurrentID(context.Background()); id != "00000001" {
		t.Errorf("current generation %q after a failed build", id)
	}
	if entries, _ := filepath.Glob(filepath.Join(dir, "tmp-*")); len(entries) != 0 {
		t.Errorf("a failed build left %v", entries)
	}
	if info := build(t, st, 10, "c"); info.ID != "00000002" {
		t.Errorf("next build made %s", info.ID)
	}
}
