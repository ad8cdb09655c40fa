package store_test

// The cost of sealing records at rest (docs/PRIVACY.md, "Encryption at
// rest"). Records are random bytes of the size of a complete kycmatch record
// and keys are random 16-byte lookup digests, so the numbers isolate the
// store from normalisation and hashing:
//
//	go test ./store/ -run X -bench Generation -benchtime 100000x
//
// BenchmarkGenerationBuild writes b.N lines into one generation and commits
// it, one goroutine per writer stream as ingest does. BenchmarkGenerationGet
// reads random lines of a generation of getLines lines, built once per mode
// and kept for the package's benchmarks.

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/store"
)

const (
	benchRecordSize = 1024 // a complete record: every attribute held
	benchRecordPool = 4096 // distinct records, reused: neither mode compresses
	getLines        = 200_000
)

var benchModes = []struct {
	name      string
	plaintext bool
}{{"sealed", false}, {"plaintext", true}}

// benchRecords returns benchRecordPool random records.
var benchRecords = sync.OnceValue(func() [][]byte {
	recs := make([][]byte, benchRecordPool)
	for i := range recs {
		recs[i] = make([]byte, benchRecordSize)
		crand.Read(recs[i])
	}
	return recs
})

// sortedKeys returns n distinct random 16-byte keys in increasing order.
func sortedKeys(n int) [][]byte {
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = make([]byte, 16)
		crand.Read(keys[i])
	}
	slices.SortFunc(keys, bytes.Compare)
	return slices.CompactFunc(keys, bytes.Equal) // 2^-100 odds, but Put insists
}

// buildGeneration commits one generation holding keys, writing every stream
// from its own goroutine.
func buildGeneration(tb testing.TB, st *store.Store, keys [][]byte) {
	tb.Helper()
	w := create(tb, st)
	recs := benchRecords()
	n := w.Streams()
	byStream := make([][][]byte, n)
	for _, k := range keys {
		s := engine.StreamOf(k, n)
		byStream[s] = append(byStream[s], k)
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for s := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, k := range byStream[s] {
				if err := w.Put(s, k, recs[(i*n+s)%len(recs)]); err != nil {
					errs[s] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			w.Abort()
			tb.Fatal(err)
		}
	}
	if _, err := w.Commit(context.Background(), engine.CommitStats{Lines: int64(len(keys))}); err != nil {
		tb.Fatal(err)
	}
}

func dirSize(tb testing.TB, dir string) int64 {
	tb.Helper()
	var total int64
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			total += info.Size()
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return total
}

func BenchmarkGenerationBuild(b *testing.B) {
	for _, m := range benchModes {
		b.Run(m.name, func(b *testing.B) {
			keys := sortedKeys(b.N)
			benchRecords()
			dir := b.TempDir()
			st := MustOpen(b, dir, m.plaintext)
			b.SetBytes(benchRecordSize)
			b.ResetTimer()
			buildGeneration(b, st, keys)
			b.StopTimer()
			b.ReportMetric(float64(len(keys))/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(dirSize(b, dir))/float64(len(keys)), "disk-B/row")
		})
	}
}

// getGen is a generation of getLines lines per mode, built once and shared by
// the Get benchmarks (the testing package calls each benchmark function more
// than once). The directories are removed when the process exits normally.
type getGen struct {
	once sync.Once
	gen  engine.Generation
	keys [][]byte
	err  error
}

var getGens [2]getGen

func openGetGen(b *testing.B, mode int) *getGen {
	g := &getGens[mode]
	g.once.Do(func() {
		dir, err := os.MkdirTemp("", "kycmatch-bench-get-")
		if err != nil {
			g.err = err
			return
		}
		benchDirs = append(benchDirs, dir)
		st := MustOpen(b, dir, benchModes[mode].plaintext)
		g.keys = sortedKeys(getLines)
		buildGeneration(b, st, g.keys)
		g.gen, g.err = st.Current(context.Background())
	})
	if g.err != nil {
		b.Fatal(g.err)
	}
	return g
}

var benchDirs []string

func TestMain(m *testing.M) {
	code := m.Run()
	for i := range getGens {
		if getGens[i].gen != nil {
			getGens[i].gen.Close()
		}
	}
	for _, d := range benchDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// BenchmarkGenerationGet reads lines present in the generation, in random
// order, through engine.Generation.Get as the matcher does; "absent" asks
// for keys that are not there (a 404).
func BenchmarkGenerationGet(b *testing.B) {
	for mode, m := range benchModes {
		for _, present := range []bool{true, false} {
			name := m.name + "/present"
			if !present {
				name = m.name + "/absent"
			}
			b.Run(name, func(b *testing.B) {
				g := openGetGen(b, mode)
				probe := g.keys
				if !present {
					probe = sortedKeys(4096)
				}
				rng := rand.New(rand.NewPCG(1, 2))
				ctx := context.Background()
				var dst []byte
				b.ResetTimer()
				for range b.N {
					var err error
					dst, err = g.gen.Get(ctx, probe[rng.IntN(len(probe))], dst[:0])
					if present && err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkGenerationGetParallel is the same read from GOMAXPROCS
// goroutines, as concurrent requests do.
func BenchmarkGenerationGetParallel(b *testing.B) {
	for mode, m := range benchModes {
		b.Run(m.name, func(b *testing.B) {
			g := openGetGen(b, mode)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				rng := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
				var dst []byte
				for pb.Next() {
					var err error
					dst, err = g.gen.Get(context.Background(), g.keys[rng.IntN(len(g.keys))], dst[:0])
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
