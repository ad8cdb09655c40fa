package ingest

import (
	"bytes"
	"cmp"
	"container/heap"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
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
// nothing in them is a value. They are still sealed, under a key made for
// the ingest and never written down, so that, like the generation, they
// show nothing but sizes, a crashed run's leftovers are noise, and a byte
// changed on disk during the ingest (an eligibility flag, an upsert turned
// into a delete) fails the ingest instead of being sealed into the new
// generation as authentic. See chunkWriter for the layout.

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
	return cmp.Compare(a.row, b.row)
}

type sorter struct {
	dir     string
	limit   int // bytes of one arena
	streams int // key ranges the runs are cut into, see engine.StreamOf
	arena   []byte
	entries []sortEntry
	runs    []run
	aead    cipher.AEAD // seals the runs; the key lives only here

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
// stream s's sealed section begins, bounds[streams] the file's size.
type run struct {
	path   string
	id     uint32 // the run's number in this ingest, part of every nonce
	bounds []int64
}

func newSorter(dir string, limit, streams int) *sorter {
	var key [32]byte
	rand.Read(key[:])
	block, err := aes.NewCipher(key[:])
	if err != nil {
		panic(err) // a 32-byte key is always valid
	}
	clear(key[:])
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err) // AES has GCM's block size
	}
	return &sorter{dir: dir, limit: max(limit/2, 1), streams: streams, aead: aead}
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
	r := run{path: filepath.Join(s.dir, fmt.Sprintf("run-%05d", len(s.runs))), id: uint32(len(s.runs))}
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
	cw := &chunkWriter{aead: s.aead, w: f, run: r.id, buf: make([]byte, 0, runChunk)}
	var hdr [runHeader]byte
	r.bounds = make([]int64, s.streams+1)
	stream := 0
	for i := range b.entries {
		e := &b.entries[i]
		for ; stream < engine.StreamOf(e.key[:], s.streams); stream++ {
			cw.endSection()
			r.bounds[stream+1] = cw.off
		}
		encodeRunHeader(&hdr, e)
		cw.Write(hdr[:])
		cw.Write(b.arena[e.off : e.off+e.n])
	}
	for ; stream < s.streams; stream++ {
		cw.endSection()
		r.bounds[stream+1] = cw.off
	}
	if cw.err != nil {
		f.Close()
		return cw.err
	}
	return f.Close()
}

// runChunk is the plaintext size of a run's sealed chunks: large enough
// that the 16-byte tag and the per-chunk call cost next to nothing, small
// enough that every merge source buffers only one.
const runChunk = 64 << 10

// chunkWriter seals a run as AES-256-GCM chunks, one sequence per stream
// section, since merges read sections independently. A chunk's nonce is
// (run, stream, chunk index), unique under the ingest's key; its
// additional data is the nonce and a final-chunk flag, so chunks moved
// within or between runs, or a section cut short at a chunk boundary, fail
// to open. Every section ends with a final chunk, empty if need be.
type chunkWriter struct {
	aead   cipher.AEAD
	w      io.Writer
	run    uint32
	stream uint32
	chunk  uint32
	buf    []byte // plaintext of the chunk being filled
	out    []byte
	off    int64 // bytes written
	err    error
}

func (c *chunkWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if len(c.buf) == runChunk {
			c.seal(false) // only now is it known not to be the last
		}
		k := copy(c.buf[len(c.buf):runChunk], p)
		c.buf, p = c.buf[:len(c.buf)+k], p[k:]
	}
	return n, c.err
}

// endSection seals the section's last chunk and starts the next section.
func (c *chunkWriter) endSection() {
	c.seal(true)
	c.stream, c.chunk = c.stream+1, 0
}

func (c *chunkWriter) seal(final bool) {
	var nonce [12]byte
	ad := chunkAD(&nonce, c.run, c.stream, c.chunk, final)
	c.out = c.aead.Seal(c.out[:0], nonce[:], c.buf, ad[:])
	c.buf, c.chunk = c.buf[:0], c.chunk+1
	if c.err == nil {
		_, c.err = c.w.Write(c.out)
		c.off += int64(len(c.out))
	}
}

// chunkAD fills a chunk's nonce and returns its additional data.
func chunkAD(nonce *[12]byte, run, stream, chunk uint32, final bool) (ad [13]byte) {
	binary.BigEndian.PutUint32(nonce[0:], run)
	binary.BigEndian.PutUint32(nonce[4:], stream)
	binary.BigEndian.PutUint32(nonce[8:], chunk)
	copy(ad[:], nonce[:])
	if final {
		ad[12] = 1
	}
	return ad
}

// chunkReader opens one stream section of a run, of size bytes on disk,
// chunk by chunk.
type chunkReader struct {
	aead        cipher.AEAD
	r           io.Reader
	name        string
	run, stream uint32
	chunk       uint32
	left        int64 // sealed bytes of the section not read yet
	in, plain   []byte
	pos         int
	done        bool
}

// errRunAuth is a run file that does not open: never which bytes.
var errRunAuth = errors.New("does not authenticate: it was altered or damaged during the ingest")

func (c *chunkReader) Read(p []byte) (int, error) {
	for c.pos == len(c.plain) {
		if c.done {
			return 0, io.EOF
		}
		if err := c.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, c.plain[c.pos:])
	c.pos += n
	return n, nil
}

func (c *chunkReader) next() error {
	n := min(c.left, int64(runChunk+c.aead.Overhead()))
	final := n == c.left
	c.in = slices.Grow(c.in[:0], int(n))[:n]
	if _, err := io.ReadFull(c.r, c.in); err != nil {
		return fmt.Errorf("run file %s: %w", c.name, err)
	}
	var nonce [12]byte
	ad := chunkAD(&nonce, c.run, c.stream, c.chunk, final)
	var err error
	if c.plain, err = c.aead.Open(c.plain[:0], nonce[:], c.in, ad[:]); err != nil {
		return fmt.Errorf("run file %s %w", c.name, errRunAuth)
	}
	c.pos, c.left, c.chunk, c.done = 0, c.left-n, c.chunk+1, final
	return nil
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
	br io.Reader
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
		size := r.bounds[stream+1] - r.bounds[stream]
		dec := &chunkReader{aead: s.aead, r: io.NewSectionReader(f, r.bounds[stream], size), name: filepath.Base(r.path),
			run: r.id, stream: uint32(stream), left: size}
		srcs = append(srcs, &runSource{br: dec})
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
