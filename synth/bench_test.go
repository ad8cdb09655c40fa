package synth_test

import (
	"io"
	"testing"

	"github.com/kycmatch/kycmatch/synth"
)

// BenchmarkWrite reports rows/s for the export formats; the goal is one
// million CSV rows in well under 30 s on a small machine.
func BenchmarkWrite(b *testing.B) {
	const rows = 10_000
	for _, bc := range []struct {
		name string
		o    synth.Options
	}{
		{"CSV", synth.Options{Count: rows, Seed: 1, Format: synth.CSV}},
		{"JSONL", synth.Options{Count: rows, Seed: 1, Format: synth.JSONL}},
		{"CSVComplete", synth.Options{Count: rows, Seed: 1, Format: synth.CSV, Complete: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := synth.Write(io.Discard, bc.o); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

func BenchmarkGenerate(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_ = synth.Generate(7, i, false)
	}
}
