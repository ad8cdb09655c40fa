package ingest

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/kycmatch/kycmatch/synth"
)

// BenchmarkReadRows is the reading alone of complete generated rows, CSV
// against JSON Lines of the same rows: the reader is one goroutine feeding
// all the workers, so its rows/s bound an ingest's.
func BenchmarkReadRows(b *testing.B) {
	for _, f := range []struct {
		name   string
		format synth.Format
		open   func(io.Reader) (rowReader, error)
	}{
		{"csv", synth.CSV, func(in io.Reader) (rowReader, error) { return newCSVReader(in, nil, 0) }},
		{"jsonl", synth.JSONL, func(in io.Reader) (rowReader, error) { return newJSONLReader(in, nil), nil }},
	} {
		b.Run(f.name, func(b *testing.B) {
			var export bytes.Buffer
			if err := synth.Write(&export, synth.Options{Count: b.N, Seed: 1, Complete: true, Format: f.format}); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			rd, err := f.open(bytes.NewReader(export.Bytes()))
			if err != nil {
				b.Fatal(err)
			}
			var r row
			n := 0
			for {
				if err := rd.next(&r); errors.Is(err, io.EOF) {
					break
				} else if err != nil || r.bad != nil {
					b.Fatal(err, r.bad)
				}
				n++
			}
			if n != b.N {
				b.Fatalf("%d rows of %d", n, b.N)
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
