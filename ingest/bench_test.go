package ingest_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/kycmatch/kycmatch/ingest"
	"github.com/kycmatch/kycmatch/synth"
)

// BenchmarkIngest loads b.N complete generated rows (every attribute
// held) through the whole pipeline into a real store: CSV parsing, phone
// numbers, normalisation, digests, tokens, sorting, Badger. rows/s is the
// figure the 60 000 rows/s goal is about. Run with -benchtime=200000x.
func BenchmarkIngest(b *testing.B) {
	var csv bytes.Buffer
	if err := synth.Write(&csv, synth.Options{Count: b.N, Seed: 1, Complete: true}); err != nil {
		b.Fatal(err)
	}
	env := newEnv(b)
	b.SetBytes(int64(csv.Len() / max(b.N, 1)))
	b.ResetTimer()
	sum, err := ingest.Run(context.Background(), env.options(bytes.NewReader(csv.Bytes()), ingest.CSV))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(sum.Read)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(sum.Collect.Seconds(), "collect-s")
	b.ReportMetric(sum.Write.Seconds(), "write-s")
}
