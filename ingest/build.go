package ingest

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/hashing"
)

// builder holds one run's state between its two phases: collect (read,
// normalise, hash, sort) and write (merge into the new generation).
type builder struct {
	o      *Options
	base   engine.Generation // delta only
	scheme *hashing.Scheme
	w      engine.GenerationWriter
	sort   *sorter
	rep    *reporter
	phones *phoneSet // Check only: instead of w and sort
	read   int64
	// rows by op, and a delta's deletes of lines its base does not hold
	upserts, deletes, absent int64
	start                    time.Time
}

func (o *Options) build(ctx context.Context) (*builder, error) {
	b := &builder{o: o, rep: &reporter{w: o.Rejects, limit: o.MaxRejects}, start: o.Now()}
	if o.Delta && !o.check {
		base, err := o.Store.Current(ctx)
		if err != nil {
			return nil, fmt.Errorf("delta needs a current generation: %w", err)
		}
		if _, ok := base.(engine.Scanner); !ok {
			base.Close()
			return nil, errors.New("the store cannot scan generations, so it cannot apply a delta")
		}
		b.base = base
	}
	var err error
	if b.scheme, err = o.schemeFor(b.base); err != nil {
		b.close()
		return nil, err
	}
	if o.check {
		b.phones = &phoneSet{}
		return b, nil
	}
	p := b.scheme.Profile()
	info := engine.GenerationInfo{KeyID: b.scheme.KeyID(), Profile: p.Name(), ProfileDefinition: p.Definition(), Format: engine.RecordFormat,
		LookupSalt: b.scheme.LookupSalt()}
	if b.w, err = o.Store.Create(ctx, info); err != nil {
		b.close()
		return nil, err
	}
	dir := o.TempDir
	if dir == "" {
		dir = os.TempDir()
	}
	b.sort = newSorter(filepath.Join(dir, fmt.Sprintf("tmp-sort-%d-%d", os.Getpid(), time.Now().UnixNano())), o.SortMem, b.w.Streams())
	return b, nil
}

func (b *builder) close() {
	b.rep.totals()
	if b.w != nil {
		b.w.Abort()
	}
	if b.sort != nil {
		b.sort.close()
	}
	if b.base != nil {
		b.base.Close()
	}
}

func (b *builder) summary(start time.Time) Summary {
	s := Summary{Read: b.read, Rejected: b.rep.count, Elapsed: b.o.Now().Sub(start), checked: b.o.check,
		delta: b.o.Delta, Upserts: b.upserts, Deletes: b.deletes, DeletesAbsent: b.absent, Profile: b.scheme.Profile().Name()}
	s.Loaded = s.Read - s.Rejected
	return s
}

// collect runs the parallel phase and feeds the sorter in export order.
func (b *builder) collect(ctx context.Context, rr rowReader) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p := startPipeline(ctx, rr, b)
	defer p.wait()
	for bt := range p.ordered() {
		if err := b.absorb(bt); err != nil {
			cancel()
			p.drain()
			return err
		}
		p.recycle(bt)
	}
	if err := p.err(); err != nil {
		return err
	}
	return ctx.Err()
}

func (b *builder) absorb(bt *batch) error {
	b.read += int64(len(bt.rows))
	for i := range bt.out {
		e := &bt.out[i]
		if e.op == opDelete {
			b.deletes++
		} else {
			b.upserts++
		}
		if b.phones != nil {
			if e.op == opUpsert && !b.o.Delta {
				if err := b.phones.add(e); err != nil {
					return err
				}
			}
			continue
		}
		if err := b.sort.add(&e.key, e.row, e.line, e.op, bt.arena[e.off:e.off+e.n]); err != nil {
			return err
		}
	}
	for i := range bt.rejects {
		if err := b.rep.add(&bt.rejects[i]); err != nil {
			return err
		}
	}
	if b.o.Progress != nil {
		b.o.Progress(b.read)
	}
	return nil
}

// write merges the sorted records into the generation, one goroutine per
// writer stream, and commits it.
func (b *builder) write(ctx context.Context) (engine.GenerationInfo, error) {
	if err := b.sort.finish(); err != nil {
		return engine.GenerationInfo{}, err
	}
	n := b.w.Streams()
	results := make([]streamResult, n)
	var wg sync.WaitGroup
	for s := 0; s < n; s++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[s] = b.writeStream(ctx, s, n)
		}()
	}
	wg.Wait()
	var lines int64
	var dups []reject
	for _, r := range results {
		if r.err != nil {
			return engine.GenerationInfo{}, r.err
		}
		lines += r.lines
		b.absent += r.absent
		dups = append(dups, r.dups...)
	}
	if err := b.verdict(lines, dups); err != nil {
		return engine.GenerationInfo{}, err
	}
	if err := b.shrinkGuard(ctx, lines); err != nil {
		return engine.GenerationInfo{}, err
	}
	return b.w.Commit(ctx, engine.CommitStats{Lines: lines, Read: b.read, Rejected: b.rep.count, Elapsed: b.o.Now().Sub(b.start)})
}

type streamResult struct {
	lines  int64
	absent int64 // a delta's deletes of lines not in its base
	dups   []reject
	err    error
}

func (b *builder) writeStream(ctx context.Context, s, n int) streamResult {
	m, err := b.sort.merge(s)
	if err != nil {
		return streamResult{err: err}
	}
	defer m.close()
	if b.base != nil {
		return b.writeDelta(ctx, m, s, n)
	}
	return b.writeFull(ctx, m, s)
}

// verdict decides, once every row is read and the duplicates are known,
// whether the run may publish: Run commits after it, Check stops.
func (b *builder) verdict(lines int64, dups []reject) error {
	if err := b.reportDuplicates(dups); err != nil {
		return err
	}
	if err := b.rep.final(b.read); err != nil {
		return err
	}
	if lines == 0 && !b.o.Delta {
		return ErrNothingLoaded
	}
	return nil
}

// shrinkGuard refuses a full build that loads fewer lines than
// --max-shrink allows against the current generation: a truncated export
// would otherwise answer 404 for the lines it lost.
func (b *builder) shrinkGuard(ctx context.Context, lines int64) error {
	if b.base != nil || !b.o.MaxShrink.set {
		return nil
	}
	cur, err := b.o.Store.Current(ctx)
	if errors.Is(err, engine.ErrNoGeneration) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read the current generation's size for --max-shrink (100%% turns the guard off): %w", err)
	}
	info := cur.Info()
	cur.Close()
	if b.o.MaxShrink.shrinks(lines, info.Lines) {
		return fmt.Errorf("%w: it would load %d lines, more than %s fewer than the %d of current generation %s (--max-shrink)",
			ErrShrink, lines, b.o.MaxShrink, info.Lines, info.ID)
	}
	return nil
}

// reportDuplicates reports, in row order, the rows whose phone number an
// earlier row already had.
func (b *builder) reportDuplicates(dups []reject) error {
	slices.SortFunc(dups, func(a, c reject) int { return cmp.Compare(a.row, c.row) })
	for i := range dups {
		if err := b.rep.add(&dups[i]); err != nil {
			return err
		}
	}
	return nil
}

// writeFull keeps the first row of every phone number and rejects the rest:
// which of two rows is right cannot be known, but the first is where an
// operator looks.
func (b *builder) writeFull(ctx context.Context, m *merger, s int) streamResult {
	var it item
	var prev keyBytes
	var firstRow int64
	var r streamResult
	for {
		ok, err := m.next(&it)
		if err != nil || !ok {
			r.err = err
			return r
		}
		if r.lines > 0 && it.key == prev {
			r.dups = append(r.dups, duplicateReject(it.row, it.line, firstRow))
			continue
		}
		if err := b.w.Put(s, it.key[:], it.rec); err != nil {
			r.err = err
			return r
		}
		prev, firstRow = it.key, it.row
		r.lines++
		if r.lines%65536 == 0 && ctx.Err() != nil {
			r.err = ctx.Err()
			return r
		}
	}
}

// writeDelta merges one key range of the current generation with the
// delta's records; for a phone number the delta names several times, its
// last row wins, as if the rows were applied one after another.
func (b *builder) writeDelta(ctx context.Context, m *merger, s, n int) streamResult {
	d := &deltaMerge{m: m, w: b.w, stream: s}
	if err := d.advance(); err != nil {
		return streamResult{err: err}
	}
	lo, hi := engine.StreamBounds(s, n)
	err := b.base.(engine.Scanner).Scan(ctx, lo, hi, d.base)
	if err != nil {
		return streamResult{err: fmt.Errorf("read current generation: %w", err)}
	}
	err = d.rest()
	return streamResult{lines: d.lines, absent: d.absent, err: err}
}

type deltaMerge struct {
	m       *merger
	w       engine.GenerationWriter
	stream  int
	cur     item // next delta group's last row
	has     bool
	scratch item
	lines   int64
	absent  int64 // deletes of keys the base does not hold
}

// advance loads the next delta group: all rows of the next key, keeping
// the last.
func (d *deltaMerge) advance() error {
	it := &d.scratch
	d.has = false
	for {
		ok, err := d.m.next(it)
		if err != nil || !ok {
			return err
		}
		if d.has && it.key != d.cur.key {
			d.m.unread(it)
			return nil
		}
		d.cur.key, d.cur.row, d.cur.op = it.key, it.row, it.op
		d.cur.rec = append(d.cur.rec[:0], it.rec...)
		d.has = true
	}
}

// base handles one line of the current generation, after the delta groups
// whose keys come before it.
func (d *deltaMerge) base(key, rec []byte) error {
	for d.has && bytes.Compare(d.cur.key[:], key) < 0 {
		if err := d.apply(false); err != nil {
			return err
		}
	}
	if d.has && bytes.Equal(d.cur.key[:], key) {
		return d.apply(true) // the delta replaces or deletes this line
	}
	d.lines++
	return d.w.Put(d.stream, key, rec)
}

// apply writes the current delta group; inBase says whether the base
// holds its key.
func (d *deltaMerge) apply(inBase bool) error {
	if d.cur.op == opDelete && !inBase {
		d.absent++
	}
	if d.cur.op == opUpsert {
		if err := d.w.Put(d.stream, d.cur.key[:], d.cur.rec); err != nil {
			return err
		}
		d.lines++
	}
	return d.advance()
}

func (d *deltaMerge) rest() error {
	for d.has {
		if err := d.apply(false); err != nil {
			return err
		}
	}
	return nil
}
