package ingest_test

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/kycmatch/kycmatch/ingest"
	"github.com/kycmatch/kycmatch/synth"
)

// BenchmarkIngest loads b.N complete generated rows (every attribute
// held) through the whole pipeline into a real store: CSV parsing, phone
// numbers, normalisation, digests, tokens, sorting, Badger. rows/s is the
// figure the 60 000 rows/s goal is about. Run with -benchtime=200000x.
func BenchmarkIngest(b *testing.B) { benchIngest(b, true) }

// BenchmarkIngestNoTokens is BenchmarkIngest without score tokens, to
// measure what they cost (the generation it builds cannot be read).
func BenchmarkIngestNoTokens(b *testing.B) { benchIngest(b, false) }

func benchIngest(b *testing.B, tokens bool) {
	var csv bytes.Buffer
	if err := synth.Write(&csv, synth.Options{Count: b.N, Seed: 1, Complete: true}); err != nil {
		b.Fatal(err)
	}
	env := newEnv(b)
	b.SetBytes(int64(csv.Len() / max(b.N, 1)))
	b.ResetTimer()
	cpu := cpuTime()
	o := env.options(bytes.NewReader(csv.Bytes()), ingest.CSV)
	if d := os.Getenv("KYC_BENCH_SORTDIR"); d != "" {
		o.TempDir = d
	}
	if !tokens {
		ingest.WithoutTokens(&o)
	}
	sum, err := ingest.Run(context.Background(), o)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(sum.Read)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(sum.Read), "cpu-µs/row")
	b.ReportMetric(sum.Collect.Seconds(), "collect-s")
	b.ReportMetric(sum.Write.Seconds(), "write-s")
}
