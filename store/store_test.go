package store_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/store"
)

// testKeys derives at-rest keys from one byte repeated, as keys.Key does
// from a keyring's secret, so store tests need no keyring file.
type testKeys byte

func (k testKeys) Sealer(id string, salt []byte) (cipher.AEAD, error) {
	key, err := hkdf.Key(sha256.New, bytes.Repeat([]byte{byte(k)}, 32), salt, "test/"+id, 32)
	if err != nil {
		return nil, err
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCMWithRandomNonce(b)
}

func (k testKeys) BadgerKey(id string) ([]byte, error) { return bytes.Repeat([]byte{byte(k)}, 32), nil }

func (k testKeys) MetaMAC(id string) (hash.Hash, error) {
	return hmac.New(sha256.New, bytes.Repeat([]byte{byte(k)}, 32)), nil
}

// testKey is the key of every store test, and of the Badger-encrypted
// generation in testdata.
const testKey = testKeys(7)

func MustOpen(tb testing.TB, dir string, plaintext bool) *store.Store {
	tb.Helper()
	st, err := store.Open(dir, store.Options{Plaintext: plaintext, AllowUnsealed: plaintext, Keys: testKey})
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

// build commits a generation holding n lines whose keys are 16-byte
// counters and whose records name the generation.
func build(tb testing.TB, st *store.Store, n int, tag string) engine.GenerationInfo {
	tb.Helper()
	w := create(tb, st)
	for i := 0; i < n; i++ {
		k := key(i, n)
		if err := w.Put(engine.StreamOf(k, w.Streams()), k, []byte(fmt.Sprintf("%s-%d", tag, i))); err != nil {
			tb.Fatal(err)
		}
	}
	info, err := w.Commit(context.Background(), engine.CommitStats{Lines: int64(n)})
	if err != nil {
		tb.Fatal(err)
	}
	return info
}

// key spreads n keys evenly over the key space, in increasing order.
func key(i, n int) []byte {
	k := make([]byte, 16)
	k[0] = byte(i * 256 / n)
	k[15] = byte(i)
	return k
}

func create(tb testing.TB, st *store.Store) engine.GenerationWriter {
	tb.Helper()
	w, err := st.Create(context.Background(), engine.GenerationInfo{KeyID: "k1", Profile: "default", Format: engine.RecordFormat})
	if err != nil {
		tb.Fatal(err)
	}
	return w
}

func get(tb testing.TB, st *store.Store, k []byte) string {
	tb.Helper()
	gen, err := st.Current(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	defer gen.Close()
	v, err := gen.Get(context.Background(), k, nil)
	if err != nil {
		return engine.ErrorCode(err)
	}
	return string(v)
}

func TestCommitMakesCurrent(t *testing.T) {
	for _, plaintext := range []bool{false, true} {
		t.Run(fmt.Sprint("plaintext=", plaintext), func(t *testing.T) {
			st := MustOpen(t, t.TempDir(), plaintext)
			if _, err := st.CurrentID(context.Background()); !errors.Is(err, engine.ErrNoGeneration) {
				t.Fatalf("empty store: %v", err)
			}
			info := build(t, st, 100, "a")
			if info.ID != "00000001" || info.Lines != 100 || info.KeyID != "k1" || info.Created.IsZero() {
				t.Errorf("info %+v", info)
			}
			w := create(t, st)
			w.Put(0, key(0, 100), []byte("b-0"))
			if got := get(t, st, key(0, 100)); got != "a-0" {
				t.Errorf("before commit: %q", got)
			}
			if _, err := w.Commit(context.Background(), engine.CommitStats{Lines: 1}); err != nil {
				t.Fatal(err)
			}
			if got := get(t, st, key(0, 100)); got != "b-0" {
				t.Errorf("after commit: %q", got)
			}
			if got := get(t, st, key(5, 100)); got != engine.ENOTFOUND {
				t.Errorf("line of the old generation: %q", got)
			}
		})
	}
}

func TestAbortKeepsCurrent(t *testing.T) {
	dir := t.TempDir()
	st := MustOpen(t, dir, false)
	build(t, st, 10, "a")
	w := create(t, st)
	w.Put(0, key(0, 10), []byte("b-0"))
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if got := get(t, st, key(0, 10)); got != "a-0" {
		t.Errorf("after abort: %q", got)
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

func TestReadersShareGenerations(t *testing.T) {
	dir := t.TempDir()
	build(t, MustOpen(t, dir, false), 10, "a")
	var gens []engine.Generation
	for i := 0; i < 3; i++ { // several serve processes on one data directory
		g, err := MustOpen(t, dir, false).Current(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		gens = append(gens, g)
	}
	build(t, MustOpen(t, dir, false), 10, "b") // an ingest beside them
	for _, g := range gens {
		if v, err := g.Get(context.Background(), key(3, 10), nil); err != nil || string(v) != "a-3" {
			t.Errorf("%q %v", v, err)
		}
		g.Close()
	}
}

func TestKeysInOrder(t *testing.T) {
	st := MustOpen(t, t.TempDir(), false)
	w := create(t, st)
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

// failingKeys has no key version at all.
type failingKeys struct{}

func (failingKeys) Sealer(string, []byte) (cipher.AEAD, error) {
	return nil, errors.New("key k1 is not in the keyring")
}
func (failingKeys) BadgerKey(string) ([]byte, error) {
	return nil, errors.New("key k1 is not in the keyring")
}
func (failingKeys) MetaMAC(string) (hash.Hash, error) {
	return nil, errors.New("key k1 is not in the keyring")
}

func TestSealedNeedsKey(t *testing.T) {
	dir := t.TempDir()
	build(t, MustOpen(t, dir, false), 10, "a")
	for name, k := range map[string]store.Keys{"no key": failingKeys{}, "wrong key": testKeys(8), "no keyring": nil} {
		st, _ := store.Open(dir, store.Options{Keys: k})
		if _, err := st.Current(context.Background()); err == nil {
			t.Errorf("%s: opened", name)
		}
	}
}

// TestSealedRecords: records are sealed to their lookup key, so a record
// altered on disk, or moved to another line's key, fails to open rather
// than answer.
func TestSealedRecords(t *testing.T) {
	dir := t.TempDir()
	st := MustOpen(t, dir, false)
	build(t, st, 3, "secret-record")
	scanForNeedle(t, dir, "secret-record")
	gen, err := st.Current(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer gen.Close()
	var sealed [][]byte
	if err := store.RawScan(gen, func(key, v []byte) error { sealed = append(sealed, bytes.Clone(v)); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(sealed) != 3 {
		t.Fatalf("%d raw records", len(sealed))
	}
	if _, err := store.OpenRaw(gen, key(0, 3), sealed[0]); err != nil {
		t.Errorf("record under its own key: %v", err)
	}
	if _, err := store.OpenRaw(gen, key(1, 3), sealed[0]); err == nil {
		t.Error("a record moved to another key opened")
	}
	flipped := bytes.Clone(sealed[0])
	flipped[len(flipped)/2] ^= 1
	if _, err := store.OpenRaw(gen, key(0, 3), flipped); err == nil {
		t.Error("an altered record opened")
	}
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
	wrong, _ := store.Open(dir, store.Options{Keys: testKeys(8), AllowUnsealed: true})
	if _, err := wrong.Current(context.Background()); err == nil {
		t.Error("opened with the wrong key")
	}
}

func TestScanRange(t *testing.T) {
	st := MustOpen(t, t.TempDir(), false)
	build(t, st, 100, "a")
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

// TestShards: however many shards a generation was written in (one per
// core of the ingest machine), every line is found, and scans return
// their range in key order across shard boundaries.
func TestShards(t *testing.T) {
	const n = 300
	for _, shards := range []int{1, 3, 5} {
		t.Run(fmt.Sprint(shards), func(t *testing.T) {
			defer store.SetWriteStreams(shards)()
			st := MustOpen(t, t.TempDir(), false)
			build(t, st, n, "s")
			gen, err := st.Current(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			defer gen.Close()
			for i := 0; i < n; i++ {
				if v, err := gen.Get(context.Background(), key(i, n), nil); err != nil || string(v) != fmt.Sprintf("s-%d", i) {
					t.Fatalf("line %d: %q, %v", i, v, err)
				}
			}
			for _, r := range [][2]int{{0, n}, {10, 250}, {100, 101}, {299, n}} {
				var got []int
				lo, hi := key(r[0], n), []byte(nil)
				if r[1] < n {
					hi = key(r[1], n)
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
		})
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

func TestKeptGenerations(t *testing.T) {
	st := MustOpen(t, t.TempDir(), false)
	ctx := context.Background()
	if got, err := st.KeptGenerations(ctx); err != nil || len(got) != 0 {
		t.Fatalf("empty store: %v %v", got, err)
	}
	for _, v := range []string{"a", "b", "c"} {
		build(t, st, 10, v)
	}
	got, err := st.KeptGenerations(ctx)
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
