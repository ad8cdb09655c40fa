package ingest

import (
	"context"
	"errors"
	"io"
	"iter"
	"strings"
	"sync"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/hashing"
	"github.com/kycmatch/kycmatch/normalize"
)

// The parallel phase: one goroutine reads rows into batches, Workers
// goroutines normalise and hash them, and the caller takes the batches back
// in export order, so rejects are reported and duplicates resolved as if
// one goroutine had done everything. A fixed set of batches circulates, so
// memory does not grow with the export.

const batchRows = 512

type batch struct {
	seq     int
	rows    []row
	out     []outEntry
	arena   []byte
	rejects []reject
}

type outEntry struct {
	key       keyBytes
	row, line int64
	e164      uint64 // Check only: the phone number, see phoneSet
	op        byte
	off, n    uint32
}

type pipeline struct {
	free, in, out chan *batch
	wg            sync.WaitGroup
	mu            sync.Mutex
	first         error
}

func startPipeline(ctx context.Context, rr rowReader, b *builder) *pipeline {
	n := b.o.Workers * 4
	p := &pipeline{free: make(chan *batch, n), in: make(chan *batch, n), out: make(chan *batch, n)}
	for i := 0; i < n; i++ {
		p.free <- &batch{rows: make([]row, 0, batchRows)}
	}
	go p.read(ctx, rr)
	for i := 0; i < b.o.Workers; i++ {
		p.wg.Add(1)
		go p.work(ctx, b)
	}
	go func() { p.wg.Wait(); close(p.out) }()
	return p
}

func (p *pipeline) fail(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.first == nil {
		p.first = err
	}
}

func (p *pipeline) err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.first
}

func (p *pipeline) read(ctx context.Context, rr rowReader) {
	defer close(p.in)
	for seq := 0; ; seq++ {
		var bt *batch
		select {
		case bt = <-p.free:
		case <-ctx.Done():
			return
		}
		bt.seq, bt.rows = seq, bt.rows[:0]
		end, err := fill(bt, rr)
		if err != nil {
			p.fail(err)
			return
		}
		if len(bt.rows) > 0 {
			select {
			case p.in <- bt:
			case <-ctx.Done():
				return
			}
		}
		if end {
			return
		}
	}
}

func fill(bt *batch, rr rowReader) (end bool, err error) {
	for len(bt.rows) < batchRows {
		bt.rows = bt.rows[:len(bt.rows)+1]
		if err := rr.next(&bt.rows[len(bt.rows)-1]); err != nil {
			bt.rows = bt.rows[:len(bt.rows)-1]
			if errors.Is(err, io.EOF) {
				return true, nil
			}
			return true, err
		}
	}
	return false, nil
}

func (p *pipeline) work(ctx context.Context, b *builder) {
	defer p.wg.Done()
	enc := engine.NewEncoder(b.scheme)
	if b.o.noTokens {
		enc.OmitTokensForBenchmark()
	}
	for bt := range p.in {
		bt.out, bt.arena, bt.rejects = bt.out[:0], bt.arena[:0], bt.rejects[:0]
		for i := range bt.rows {
			b.encodeRow(enc, bt, &bt.rows[i])
		}
		select {
		case p.out <- bt:
		case <-ctx.Done():
			return
		}
	}
}

// ordered yields the workers' batches in read order.
func (p *pipeline) ordered() iter.Seq[*batch] {
	return func(yield func(*batch) bool) {
		pending := make(map[int]*batch)
		next := 0
		for bt := range p.out {
			pending[bt.seq] = bt
			for b, ok := pending[next]; ok; b, ok = pending[next] {
				delete(pending, next)
				next++
				if !yield(b) {
					return
				}
			}
		}
	}
}

func (p *pipeline) recycle(bt *batch) { p.free <- bt }

// drain lets the goroutines finish after the run was cancelled.
func (p *pipeline) drain() {
	for range p.out {
	}
}

func (p *pipeline) wait() { p.wg.Wait() }

// encodeRow turns one row into a sortable record or a reject.
func (b *builder) encodeRow(enc *engine.Encoder, bt *batch, r *row) {
	rj := func(field, reason string) {
		bt.rejects = append(bt.rejects, reject{row: r.num, line: r.line, field: field, reason: reason})
	}
	if r.bad != nil {
		bad := *r.bad
		bad.row, bad.line = r.num, r.line
		bt.rejects = append(bt.rejects, bad)
		return
	}
	op, ok := parseOp(r.cells[colOp])
	switch {
	case !ok:
		rj("op", "must be upsert or delete")
		return
	case op == opDelete && !b.o.Delta:
		rj("op", "delete is only allowed with --delta")
		return
	}
	raw := strings.TrimSpace(r.cells[engine.PhoneNumber])
	if raw == "" {
		rj("phoneNumber", "is missing")
		return
	}
	if b.o.MSISDN && raw[0] >= '1' && raw[0] <= '9' {
		raw = "+" + raw // the MSISDN form: the country code without + or 00
	}
	phone, err := normalize.ParsePhone(raw, b.o.DefaultRegion)
	if err != nil {
		rj("phoneNumber", err.Error())
		return
	}
	if op == opDelete {
		key := enc.LookupKey(phone)
		bt.out = append(bt.out, outEntry{row: r.num, line: r.line, op: opDelete, off: uint32(len(bt.arena))})
		bt.out[len(bt.out)-1].key = keyOf(&key)
		return
	}
	b.encodeUpsert(enc, bt, r, phone, rj)
	if b.o.check && len(bt.out) > 0 && bt.out[len(bt.out)-1].row == r.num {
		bt.out[len(bt.out)-1].e164 = e164Digits(phone)
	}
}

func (b *builder) encodeUpsert(enc *engine.Encoder, bt *batch, r *row, phone string, rj func(field, reason string)) {
	eligible, ok := parseEligible(r.cells[colEligible])
	if !ok {
		rj("eligible", "must be true or false (also yes/no, y/n, 1/0)")
		return
	}
	var line engine.Line
	copy(line.Values[:], r.cells[:engine.NumAttributes])
	line.Values[engine.PhoneNumber], line.Eligible = phone, eligible
	df := *b.o.DateFormat
	if a, ok := df.lineToISO(&line); !ok {
		rj(a.String(), df.dateReason())
		return
	}
	start := len(bt.arena)
	key, rec, err := enc.Encode(bt.arena, &line)
	if err != nil {
		var fe *engine.FieldError
		if errors.As(err, &fe) {
			reason := fe.Err.Error()
			if errors.Is(fe.Err, normalize.ErrDate) {
				reason = df.dateReason() // the rule in the export's own format
			}
			rj(fe.Attr.String(), reason)
			return
		}
		rj("row", "cannot be encoded")
		return
	}
	bt.arena = rec
	bt.out = append(bt.out, outEntry{key: keyOf(&key), row: r.num, line: r.line, op: opUpsert, off: uint32(start), n: uint32(len(rec) - start)})
}

func keyOf(k *hashing.LookupKey) keyBytes {
	var kb keyBytes
	k.AppendBinary(kb[:0])
	return kb
}

func parseOp(s string) (byte, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "upsert":
		return opUpsert, true
	case "delete":
		return opDelete, true
	}
	return 0, false
}

// parseEligible reads the eligible column: true when absent or empty, as
// contract §2 says.
func parseEligible(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "true", "yes", "y", "1":
		return true, true
	case "false", "no", "n", "0":
		return false, true
	}
	return false, false
}
