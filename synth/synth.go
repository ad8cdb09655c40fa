package synth

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"sync"

	"github.com/kycmatch/kycmatch/engine"
)

// Format is the file format of an export.
type Format int

// The export formats of contract §2.
const (
	CSV Format = iota
	JSONL
)

// String returns the format's usual file extension without the dot.
func (f Format) String() string {
	switch f {
	case CSV:
		return "csv"
	case JSONL:
		return "jsonl"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// Options select an export.
type Options struct {
	Count  int // rows, 0 to MaxCount
	Seed   int64
	Format Format
	// Complete fills every attribute on every row (kana readings, composed
	// name and address too) and makes every line eligible: the worst case
	// for the ingest benchmark.
	Complete bool
}

// Subscriber is one generated line: the raw export cell values, indexed by
// engine.Attribute ("" = not held), and eligibility.
type Subscriber struct {
	Values   [engine.NumAttributes]string
	Eligible bool
}

const eligibleColumn = "eligible"

// Columns is the header written: every engine attribute name in
// engine.Attribute order, then "eligible".
func Columns() []string {
	cols := make([]string, 0, engine.NumAttributes+1)
	for a := range engine.NumAttributes {
		cols = append(cols, a.String())
	}
	return append(cols, eligibleColumn)
}

// Generate returns row i (0-based, i ≥ 0) of the export for seed. It is a
// pure function of (seed, i, complete), so tests and parallel generators can
// regenerate any row, and it is safe for concurrent use. Phone numbers are
// unique among rows 0 to MaxCount-1 of one seed.
func Generate(seed int64, i int, complete bool) Subscriber {
	g := rowPool.Get().(*row)
	defer rowPool.Put(g)
	g.generate(seed, uint64(i), complete)
	return g.subscriber()
}

// rowPool keeps generators and their buffers between Generate calls.
var rowPool = sync.Pool{New: func() any { return new(row) }}

// Write writes the header (CSV only) and o.Count rows to w.
//
// CSV is RFC 4180 as encoding/csv writes it, with "true"/"false" in the
// eligible column. JSON Lines has one object per line, keys in column order,
// empty values left out and "eligible": false only on ineligible lines.
func Write(w io.Writer, o Options) error {
	if o.Count < 0 || o.Count > MaxCount {
		return fmt.Errorf("synth: count %d is outside 0…%d", o.Count, MaxCount)
	}
	switch o.Format {
	case CSV:
		return writeCSV(w, o)
	case JSONL:
		return writeJSONL(w, o)
	}
	return fmt.Errorf("synth: unknown format %v", o.Format)
}

func writeCSV(w io.Writer, o Options) error {
	cw := csv.NewWriter(w)
	record := Columns()
	if err := cw.Write(record); err != nil {
		return fmt.Errorf("synth: write header: %w", err)
	}
	var g row
	for i := range o.Count {
		g.generate(o.Seed, uint64(i), o.Complete)
		s := g.subscriber()
		copy(record, s.Values[:])
		record[engine.NumAttributes] = boolText(s.Eligible)
		if err := cw.Write(record); err != nil {
			return fmt.Errorf("synth: write row %d: %w", i, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("synth: write: %w", err)
	}
	return nil
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// writeJSONL encodes by hand: keys must come in column order (a map would
// sort them) and encoding/json's reflection would dominate the run time.
func writeJSONL(w io.Writer, o Options) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	cols := Columns()
	var g row
	var line []byte
	for i := range o.Count {
		g.generate(o.Seed, uint64(i), o.Complete)
		line = append(line[:0], '{')
		for a := range engine.NumAttributes {
			if !g.held.Has(a) {
				continue
			}
			if len(line) > 1 {
				line = append(line, ',')
			}
			line = appendJSONString(line, cols[a])
			line = append(line, ':')
			line = appendJSONString(line, g.get(a))
		}
		if !g.eligible {
			line = append(line, `,"eligible":false`...)
		}
		line = append(line, '}', '\n')
		if _, err := bw.Write(line); err != nil {
			return fmt.Errorf("synth: write row %d: %w", i, err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("synth: write: %w", err)
	}
	return nil
}

// appendJSONString appends s as a JSON string. Non-ASCII text is written as
// UTF-8, as JSON allows; only quotes, backslashes and control characters
// are escaped (generated values contain no controls, but the encoder does not
// rely on that).
func appendJSONString[S string | []byte](b []byte, s S) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
