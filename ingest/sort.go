package ingest

import (
	"bufio"
	"bytes"
	"container/heap"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/hashing"
)

// The generation writer wants keys in order, and keys are digests, so rows
// arrive in random key order. sorter is an external merge sort: records
// gather in a fixed arena, which is sorted and spilled to a run file when
// full; the runs and the last arena are then merged. Memory stays at the
// arenas' size whatever the export's, and equal keys meet, which is how
// duplicate phone numbers are found without a set of every key.
//
// There are two arenas of half the memory each: while a goroutine sorts
// and writes a full one, rows keep arriving in the other, so a spill does
// not stall the whole pipeline behind it.
//
// Run files hold only lookup digests and records (digests and tokens):
// nothing in them is a value. They are still encrypted (AES-CTR under a key
// made for the run and never written down) so that, like the generation,
// they show nothing but sizes, and a crashed run's leftovers are noise.

type keyBytes = [hashing.LookupKeySize]byte

const (
	opUpsert byte = iota
	opDelete
)

type sortEntry struct {
	key  keyBytes
	row  int64 // orders entries with equal keys: the export's order
	line int64
	op   byte
	off  uint32
	n    uint32
}

func compareEntries(a, b *sortEntry) int {
	if c := bytes.Compare(a.key[:], b.key[:]); c != 0 {
		return c
	}
	return compareInt(a.row, b.row)
}

func compareInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

type sorter struct {
	dir     string
	limit   int // bytes of one arena
	streams int // key ranges the runs are cut into, see engine.StreamOf
	arena   []byte
	entries []sortEntry
	runs    []run
	block   cipher.Block // encrypts the runs; the key lives only here

	spilling chan spilled // the spill in flight, if any
	spare    sortBuf      // the arena a finished spill gave back
}

type sortBuf struct {
	arena   []byte
	entries []sortEntry
}

type spilled struct {
	run run
	buf sortBuf
	err error
}

// run is a spilled, sorted run file; bounds[s] is the byte offset where
// stream s begins, bounds[streams] the file's size.
type run struct {
	path   string
	iv     [aes.BlockSize]byte
	bounds []int64
}

func newSorter(dir string, limit, streams int) *sorter {
	var key [32]byte
	rand.Read(key[:])
	block, err := aes.NewCipher(key[:])
	if err != nil {
		panic(err) // a 32-byte key is always valid
	}
	return &sorter{dir: dir, limit: max(limit/2, 1), streams: streams, block: block}
}

// ctrAt returns the run's key stream positioned at byte off, so that a
// stream's section can be read from the middle of the file.
func (s *sorter) ctrAt(r *run, off int64) cipher.Stream {
	var ctr [aes.BlockSize]byte
	hi := binary.BigEndian.Uint64(r.iv[:8])
	lo := binary.BigEndian.Uint64(r.iv[8:])
	n := uint64(off) / aes.BlockSize
	if lo+n < lo {
		hi++
	}
	binary.BigEndian.PutUint64(ctr[:8], hi)
	binary.BigEndian.PutUint64(ctr[8:], lo+n)
	st := cipher.NewCTR(s.block, ctr[:])
	var skip [aes.BlockSize]byte
	st.XORKeyStream(skip[:off%aes.BlockSize], skip[:off%aes.BlockSize])
	return st
}

func (s *sorter) add(key *keyBytes, row, line int64, op byte, rec []byte) error {
	if len(s.arena)+len(rec) > s.limit && len(s.entries) > 0 {
		if err := s.spill(); err != nil {
			return err
		}
	}
	if s.arena == nil {
		s.arena = make([]byte, 0, s.limit)
		s.entries = make([]sortEntry, 0, s.limit/512)
	}
	s.entries = append(s.entries, sortEntry{key: *key, row: row, line: line, op: op, off: uint32(len(s.arena)), n: uint32(len(rec))})
	s.arena = append(s.arena, rec...)
	return nil
}

func sortEntries(entries []sortEntry) {
	slices.SortFunc(entries, func(a, b sortEntry) int { return compareEntries(&a, &b) })
}

// spill starts writing the arena, sorted, as a run file, and carries on in
// the spare arena.
func (s *sorter) spill() error {
	if err := s.wait(); err != nil {
		return err
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("sort: %w", err)
	}
	full := sortBuf{s.arena, s.entries}
	s.arena, s.entries = s.spare.arena[:0], s.spare.entries[:0]
	r := run{path: filepath.Join(s.dir, fmt.Sprintf("run-%05d", len(s.runs)))}
	rand.Read(r.iv[:])
	done := make(chan spilled, 1)
	s.spilling = done
	go func() {
		sortEntries(full.entries)
		err := s.writeRun(&r, full)
		if err != nil {
			os.Remove(r.path)
			err = fmt.Errorf("sort: write run: %w", err)
		}
		done <- spilled{run: r, buf: full, err: err}
	}()
	return nil
}

// wait waits for the spill in flight and takes its arena back as the spare.
func (s *sorter) wait() error {
	if s.spilling == nil {
		return nil
	}
	d := <-s.spilling
	s.spilling = nil
	s.spare = d.buf
	if d.err != nil {
		return d.err
	}
	s.runs = append(s.runs, d.run)
	return nil
}

func (s *sorter) writeRun(r *run, b sortBuf) error {
	f, err := os.OpenFile(r.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(&sealer{s: s.ctrAt(r, 0), w: f}, 1<<20)
	var hdr [runHeader]byte
	var off int64
	r.bounds = make([]int64, s.streams+1)
	stream := 0
	for i := range b.entries {
		e := &b.entries[i]
		for ; stream < s.streams && engine.StreamOf(e.key[:], s.streams) >= stream; stream++ {
			r.bounds[stream] = off
		}
		encodeRunHeader(&hdr, e)
		bw.Write(hdr[:])
		bw.Write(b.arena[e.off : e.off+e.n])
		off += int64(runHeader) + int64(e.n)
	}
	for ; stream <= s.streams; stream++ {
		r.bounds[stream] = off
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// sealer is cipher.StreamWriter with one reused buffer: StreamWriter
// allocates a new one for every write, a megabyte at every flush of the
// run's bufio.Writer, gigabytes of garbage over a large export.
type sealer struct {
	s   cipher.Stream
	w   io.Writer
	buf []byte
}

func (c *sealer) Write(p []byte) (int, error) {
	c.buf = slices.Grow(c.buf[:0], len(p))[:len(p)]
	c.s.XORKeyStream(c.buf, p)
	return c.w.Write(c.buf)
}

const runHeader = hashing.LookupKeySize + 8 + 8 + 1 + 4

func encodeRunHeader(h *[runHeader]byte, e *sortEntry) {
	copy(h[:], e.key[:])
	p := h[hashing.LookupKeySize:]
	binary.LittleEndian.PutUint64(p, uint64(e.row))
	binary.LittleEndian.PutUint64(p[8:], uint64(e.line))
	p[16] = e.op
	binary.LittleEndian.PutUint32(p[17:], e.n)
}

// close removes the run files.
func (s *sorter) close() {
	s.wait()
	for _, r := range s.runs {
		os.Remove(r.path)
	}
	// Also when a failed first spill left the directory with no run.
	os.Remove(s.dir)
}

// item is one merged entry; rec is valid until the next call to next.
type item struct {
	key  keyBytes
	row  int64
	line int64
	op   byte
	rec  []byte
}

// source is one sorted stream of items: a run file or the last arena.
type source interface {
	next(it *item) (bool, error)
}

type runSource struct {
	br *bufio.Reader
}

func (r *runSource) next(it *item) (bool, error) {
	var h [runHeader]byte
	if _, err := io.ReadFull(r.br, h[:]); err != nil {
		if err == io.EOF {
			return false, nil
		}
		return false, fmt.Errorf("sort: read run: %w", err)
	}
	copy(it.key[:], h[:])
	p := h[hashing.LookupKeySize:]
	it.row = int64(binary.LittleEndian.Uint64(p))
	it.line = int64(binary.LittleEndian.Uint64(p[8:]))
	it.op = p[16]
	n := int(binary.LittleEndian.Uint32(p[17:]))
	it.rec = slices.Grow(it.rec[:0], n)[:n]
	if _, err := io.ReadFull(r.br, it.rec); err != nil {
		return false, fmt.Errorf("sort: read run: %w", err)
	}
	return true, nil
}

type memSource struct {
	s      *sorter
	i, end int
}

func (m *memSource) next(it *item) (bool, error) {
	if m.i >= m.end {
		return false, nil
	}
	e := &m.s.entries[m.i]
	m.i++
	*it = item{key: e.key, row: e.row, line: e.line, op: e.op, rec: m.s.arena[e.off : e.off+e.n]}
	return true, nil
}

// merger yields all items of all sources in (key, row) order.
type merger struct {
	heads   []*head
	files   []*os.File
	back    item // an item handed back by unread
	hasBack bool
}

// unread hands it back: the next call to next returns it again.
func (m *merger) unread(it *item) {
	m.back.key, m.back.row, m.back.line, m.back.op = it.key, it.row, it.line, it.op
	m.back.rec = append(m.back.rec[:0], it.rec...)
	m.hasBack = true
}

type head struct {
	src source
	it  item
}

type headHeap []*head

func (h headHeap) Len() int { return len(h) }
func (h headHeap) Less(i, j int) bool {
	a, b := &h[i].it, &h[j].it
	if c := bytes.Compare(a.key[:], b.key[:]); c != 0 {
		return c < 0
	}
	return a.row < b.row
}
func (h headHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *headHeap) Push(x any)   { *h = append(*h, x.(*head)) }
func (h *headHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// finish waits for the last spill and sorts what is left in memory; merges
// can start after it. The spare arena is dropped: merging needs none.
func (s *sorter) finish() error {
	err := s.wait()
	s.spare = sortBuf{}
	sortEntries(s.entries)
	return err
}

// merge starts merging one stream's key range of the runs and of the
// sorted memory; merges of different streams may run concurrently.
func (s *sorter) merge(stream int) (*merger, error) {
	lo := sortSearch(s.entries, stream, s.streams)
	hi := sortSearch(s.entries, stream+1, s.streams)
	m := &merger{}
	srcs := []source{&memSource{s: s, i: lo, end: hi}}
	for _, r := range s.runs {
		f, err := os.Open(r.path)
		if err != nil {
			m.close()
			return nil, fmt.Errorf("sort: %w", err)
		}
		m.files = append(m.files, f)
		sec := io.NewSectionReader(f, r.bounds[stream], r.bounds[stream+1]-r.bounds[stream])
		dec := cipher.StreamReader{S: s.ctrAt(&r, r.bounds[stream]), R: sec}
		srcs = append(srcs, &runSource{br: bufio.NewReaderSize(dec, 256<<10)})
	}
	h := headHeap{}
	for _, src := range srcs {
		hd := &head{src: src}
		ok, err := src.next(&hd.it)
		if err != nil {
			m.close()
			return nil, err
		}
		if ok {
			h = append(h, hd)
		}
	}
	heap.Init(&h)
	m.heads = h
	return m, nil
}

// sortSearch finds the first sorted entry of stream s (len(entries) for
// s == streams).
func sortSearch(entries []sortEntry, s, streams int) int {
	return sort.Search(len(entries), func(i int) bool { return engine.StreamOf(entries[i].key[:], streams) >= s })
}

// next copies the smallest item into it. The previous item's rec may be
// overwritten.
func (m *merger) next(it *item) (bool, error) {
	if m.hasBack {
		m.hasBack = false
		it.key, it.row, it.line, it.op = m.back.key, m.back.row, m.back.line, m.back.op
		it.rec = append(it.rec[:0], m.back.rec...)
		return true, nil
	}
	h := (*headHeap)(&m.heads)
	if h.Len() == 0 {
		return false, nil
	}
	top := (*h)[0]
	it.key, it.row, it.line, it.op = top.it.key, top.it.row, top.it.line, top.it.op
	it.rec = append(it.rec[:0], top.it.rec...)
	ok, err := top.src.next(&top.it)
	if err != nil {
		return false, err
	}
	if ok {
		heap.Fix(h, 0)
	} else {
		heap.Pop(h)
	}
	return true, nil
}

func (m *merger) close() {
	for _, f := range m.files {
		f.Close()
	}
}
