package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/internal/kyctest"
	"github.com/kycmatch/kycmatch/store/postgres"
	"github.com/kycmatch/kycmatch/store/storetest"
)

// benchLines is how many lines each benchmark writes; set
// KYCMATCH_PG_BENCH_LINES to run them (go test -bench . -run ^$); the Get
// benchmarks' keys (storetest.LineKey) stay distinct up to 65 536.
func benchLines(b *testing.B) int {
	n, _ := strconv.Atoi(os.Getenv("KYCMATCH_PG_BENCH_LINES"))
	if n <= 0 {
		b.Skip("set KYCMATCH_PG_BENCH_LINES to load that many lines into PostgreSQL")
	}
	return n
}

// benchRecord is about the size of a sealed record of a complete line.
var benchRecord = make([]byte, 700)

// BenchmarkLoadStore is a generation of sorted keys loaded through the
// store: sealing, parallel COPY streams, primary key, ANALYZE, switch.
func BenchmarkLoadStore(b *testing.B) {
	n := benchLines(b)
	url := newDBB(b)
	st, err := postgres.Open(url, postgres.Options{Keys: storetest.Key})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	for b.Loop() {
		w, err := st.Create(context.Background(), engine.GenerationInfo{KeyID: "k1", Format: engine.RecordFormat})
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < n; i++ {
			k := benchKey(i, n)
			if err := w.Put(engine.StreamOf(k, w.Streams()), k, benchRecord); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := w.Commit(context.Background(), engine.CommitStats{Lines: int64(n)}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkLoadBare is the floor the store is held to: one CopyFrom of
// the same keys and record bytes into a bytea-keyed table that has its
// primary key from the start.
func BenchmarkLoadBare(b *testing.B) {
	n := benchLines(b)
	url := newDBB(b)
	ctx := context.Background()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close(ctx)
	for b.Loop() {
		if _, err := c.Exec(ctx, "DROP TABLE IF EXISTS bare; CREATE TABLE bare (k bytea PRIMARY KEY, v bytea NOT NULL)"); err != nil {
			b.Fatal(err)
		}
		i := 0
		_, err := c.CopyFrom(ctx, pgx.Identifier{"bare"}, []string{"k", "v"}, pgx.CopyFromFunc(func() ([]any, error) {
			if i == n {
				return nil, nil
			}
			i++
			return []any{benchKey(i-1, n), benchRecord}, nil
		}))
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "lines/s")
}

// benchKey is the i-th of n increasing 32-byte keys spread over the key
// space, like lookup digests.
func benchKey(i, n int) []byte {
	k := make([]byte, 32)
	binary.BigEndian.PutUint64(k, uint64(i)*(^uint64(0)/uint64(n)))
	rand.Read(k[8:])
	return k
}

func newDBB(b *testing.B) string { return kyctest.SharedPostgres(b).NewDatabase(b) }

// BenchmarkGetStore is Generation.Get of random lines, in parallel: one
// prepared SELECT per read, and the record opened.
func BenchmarkGetStore(b *testing.B) {
	n := benchLines(b)
	url := newDBB(b)
	st, err := postgres.Open(url, postgres.Options{Keys: storetest.Key, StatementTimeout: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	storetest.Build(b, st, n, "line")
	g, err := st.Current(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	b.RunParallel(func(pb *testing.PB) {
		var buf []byte
		i := 0
		for pb.Next() {
			i++
			if buf, err = g.Get(context.Background(), storetest.LineKey(i%n, n), buf[:0]); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkGetBare is the floor: the same primary-key SELECT through a
// pgxpool, its bytes copied out.
func BenchmarkGetBare(b *testing.B) {
	n := benchLines(b)
	url := newDBB(b)
	st, err := postgres.Open(url, postgres.Options{Keys: storetest.Key, Plaintext: true})
	if err != nil {
		b.Fatal(err)
	}
	storetest.Build(b, st, n, "line")
	st.Close()
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	b.RunParallel(func(pb *testing.PB) {
		var v []byte
		i := 0
		for pb.Next() {
			i++
			if err := pool.QueryRow(context.Background(), "SELECT v FROM kycmatch_gen_00000001 WHERE k = $1", storetest.LineKey(i%n, n)).Scan(&v); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
