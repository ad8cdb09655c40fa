package store

import (
	"context"
	"crypto/cipher"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/ristretto/v2/z"
	"golang.org/x/sys/unix"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/internal/atomicfile"
	"github.com/kycmatch/kycmatch/store/sealed"
)

// ErrBusy is returned by Create while another process builds a generation.
var ErrBusy = errors.New("another ingest is running on this data directory")

// Writer builds one generation with Badger's StreamWriter, which writes
// sorted keys straight into tables at the bottom level: no memtables, no
// compaction, so far faster than batched writes.
//
// Each stream (key range) is a shard: a Badger database of its own. One
// database would serialise every stream's values through its single value
// log, under one lock, which kept the write phase of an ingest on one core
// whatever the machine has.
type Writer struct {
	s       *Store
	id      string
	prev    string // current generation when the build started
	tmp     string
	meta    meta
	lock    *os.File
	streams []*stream
	done    bool
	absTmp  string       // absolute tmp path, as /proc/self/maps names it
	flushed atomic.Int64 // StreamWriter batches written
	aead    cipher.AEAD  // seals records; nil in a plaintext store
}

// stream is one key range of the generation, filled by one goroutine and
// written by its shard's StreamWriter.
//
// A full buffer goes to the stream's flusher goroutine while Put fills the
// other one, so the merge feeding Put does not stop while Badger copies
// the values into its value log.
type stream struct {
	db      *badger.DB
	sw      *badger.StreamWriter
	buf     *z.Buffer
	lastKey []byte
	seal    *sealed.Sealer
	lines   atomic.Int64   // put so far, for the space check
	full    chan *z.Buffer // to the flusher
	free    chan *z.Buffer // back from it, written
	done    chan struct{}  // closed when the flusher has stopped
	stopped bool           // full is closed
	err     error          // the flusher's first error; read after a receive from free or done
}

// writeStreams is how many key ranges a generation is written in:
// building tables costs about as much as everything else in an ingest, and
// streams let every core do it.
var writeStreams = runtime.GOMAXPROCS(0)

var _ engine.GenerationWriter = (*Writer)(nil)

const flushBytes = 8 << 20 // StreamWriter batch size

// valueThreshold sends every record to the value log, leaving the LSM tree
// keys and value pointers: a 2.6 KB record in a 4 KiB block would give the
// tree one index entry per line, gigabytes of index for an operator's
// export, where pointers pack about ninety lines into a block.
const valueThreshold = 32

// Create takes the ingest lock, clears a crashed run's leftovers and opens
// a new generation for writing.
func (s *Store) Create(ctx context.Context, info engine.GenerationInfo) (engine.GenerationWriter, error) {
	lock, err := s.lockIngest()
	if err != nil {
		return nil, err
	}
	w, err := s.create(info, lock)
	if err != nil {
		lock.Close()
		return nil, err
	}
	return w, nil
}

func (s *Store) create(info engine.GenerationInfo, lock *os.File) (*Writer, error) {
	if err := s.removeLeftovers(); err != nil {
		return nil, err
	}
	ids, err := s.generations()
	if err != nil {
		return nil, err
	}
	next := uint64(1)
	if len(ids) > 0 {
		next = ids[len(ids)-1] + 1
	}
	prev, err := s.CurrentID(context.Background())
	if err != nil && !errors.Is(err, engine.ErrNoGeneration) {
		return nil, err
	}
	w := &Writer{s: s, id: formatID(next), prev: prev, lock: lock}
	w.tmp = filepath.Join(s.dir, tmpPrefix+w.id)
	if w.absTmp, err = filepath.Abs(w.tmp); err != nil {
		return nil, err
	}
	w.meta = meta{ID: w.id, KeyID: info.KeyID, Profile: info.Profile, ProfileDefinition: info.ProfileDefinition, Format: info.Format, LookupSalt: info.LookupSalt}
	if !s.opt.Plaintext {
		if w.aead, err = sealed.NewSeal(s.opt.Keys, &w.meta); err != nil {
			return nil, fmt.Errorf("new generation: %w", err)
		}
	}
	if err := w.open(); err != nil {
		os.RemoveAll(w.tmp)
		return nil, err
	}
	return w, nil
}

func (w *Writer) open() error {
	if err := os.Mkdir(w.tmp, 0o700); err != nil {
		return fmt.Errorf("new generation: %w", err)
	}
	w.meta.Shards = writeStreams
	for i := 0; i < writeStreams; i++ {
		db, sw, err := w.openShard(shardDir(w.tmp, i, writeStreams))
		if err != nil {
			w.release()
			return fmt.Errorf("new generation: %w", err)
		}
		st := &stream{db: db, sw: sw, buf: newFlushBuffer(), seal: sealed.NewSealer(w.aead, w.id),
			full: make(chan *z.Buffer, 1), free: make(chan *z.Buffer, 2), done: make(chan struct{})}
		st.free <- newFlushBuffer()
		w.streams = append(w.streams, st)
		go w.flusher(st, st.full)
	}
	return nil
}

func (w *Writer) openShard(dir string) (*badger.DB, *badger.StreamWriter, error) {
	opts := w.s.badgerOptions(dir).WithSyncWrites(false).
		WithValueThreshold(valueThreshold).
		WithMemTableSize(8 << 20).WithNumMemtables(1) // StreamWriter bypasses memtables
	db, err := badger.Open(opts)
	if err != nil {
		return nil, nil, err
	}
	sw := db.NewStreamWriter()
	if err := sw.Prepare(); err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, sw, nil
}

func newFlushBuffer() *z.Buffer { return z.NewBuffer(flushBytes+flushBytes/4, "kycmatch.writer") }

// flusher writes a stream's full buffers until its full channel closes.
// After an error it only hands buffers back, so Put and finish see it.
func (w *Writer) flusher(st *stream, full <-chan *z.Buffer) {
	defer close(st.done)
	// Badger copies values into its memory-mapped value log on this
	// goroutine, and on a full disk that copy faults (SIGBUS) where a write
	// would have returned ENOSPC. As a panic, the fault can become this
	// stream's error, so the ingest fails with a message and the previous
	// generation current, instead of a crash and a goroutine dump.
	debug.SetPanicOnFault(true)
	for b := range full {
		if st.err == nil {
			st.err = w.write(st.sw, b)
		}
		b.Reset()
		st.free <- b
	}
}

// errFault is what a faulting write to a mapped file becomes.
var errFault = errors.New("write generation: a write to a memory-mapped file faulted: the disk is probably full or failing")

// Badger writes a shard's tables (up to 32 MiB each at the level
// StreamWriter fills, about 48 bytes a line) through memory maps on its own
// goroutines, where a full disk is a fault no recover can catch. So every
// flush first checks that the disk holds its batch and every shard's
// tables so far, with a margin; failing early with a message beats the
// crash.
const (
	tableBytesPerLine = 64
	maxPendingTable   = 32 << 20
	spaceMargin       = 8 << 20
)

// freeSpace returns the bytes an unprivileged process may still write in
// dir's file system.
var freeSpace = func(dir string) (int64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return int64(st.Bavail) * int64(st.Bsize), nil
}

func (w *Writer) checkSpace(batch int64) error {
	free, err := freeSpace(w.tmp)
	if err != nil {
		return nil // cannot tell: let the write find out
	}
	need := batch + spaceMargin
	for _, st := range w.streams {
		need += min(st.lines.Load()*tableBytesPerLine, maxPendingTable)
	}
	if free < need {
		return fmt.Errorf("write generation: the disk is full: %d MiB free, the next write needs %d MiB", free>>20, need>>20)
	}
	return nil
}

func (w *Writer) write(sw *badger.StreamWriter, b *z.Buffer) (err error) {
	if err := w.checkSpace(int64(b.LenNoPadding())); err != nil {
		return err
	}
	defer func() {
		// Only memory faults, whose runtime errors carry the faulting
		// address (debug.SetPanicOnFault): anything else is a bug and stays
		// a panic.
		if r := recover(); r != nil {
			if _, ok := r.(interface{ Addr() uintptr }); ok {
				err = errFault
				return
			}
			panic(r)
		}
	}()
	if err := sw.Write(b); err != nil {
		return fmt.Errorf("write generation: %w", err)
	}
	if w.flushed.Add(1)%releaseEvery == 0 {
		releaseMappings(w.absTmp)
	}
	return nil
}

// lockIngest takes ingest.lock for the life of the writer, so two ingests
// never build at once; the kernel drops it if the process dies.
func (s *Store) lockIngest() (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(s.dir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open ingest lock: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		return nil, ErrBusy
	}
	return f, nil
}

// Streams returns how many key ranges can be written concurrently.
func (w *Writer) Streams() int { return len(w.streams) }

// Put adds one line to a stream; keys must increase strictly within it.
func (w *Writer) Put(s int, key, rec []byte) error {
	st := w.streams[s]
	if err := engine.CheckPut(s, len(w.streams), key, st.lastKey); err != nil {
		return err
	}
	st.lastKey = append(st.lastKey[:0], key...)
	st.lines.Add(1)
	rec = st.seal.Seal(key, rec)
	badger.KVToBuffer(&pb.KV{Key: key, Value: rec, Version: 1, StreamId: 1}, st.buf)
	if st.buf.LenNoPadding() >= flushBytes {
		st.full <- st.buf
		st.buf = <-st.free
		return st.err
	}
	return nil
}

// stop hands a stream's last buffer to its flusher, waits for the flusher
// to finish and returns its error.
func (st *stream) stop() error {
	if st.stopped {
		return st.err
	}
	if st.buf != nil && st.err == nil {
		st.full <- st.buf
		st.buf = <-st.free
	}
	st.halt()
	return st.err
}

func (st *stream) halt() {
	if !st.stopped {
		close(st.full)
		st.stopped = true
		<-st.done
	}
}

// releaseEvery is how many 8 MiB flushes pass between releases of the
// generation's mapped pages (see releaseMappings): about 128 MiB.
const releaseEvery = 16

// Commit finishes the generation, syncs it, renames it into place and then
// points CURRENT at it. Until the CURRENT rename the old generation stays
// current; after it, the new one is complete on disk.
func (w *Writer) Commit(ctx context.Context, stats engine.CommitStats) (engine.GenerationInfo, error) {
	if w.done {
		return engine.GenerationInfo{}, errors.New("store: generation already finished")
	}
	if err := w.finish(); err != nil {
		w.Abort()
		return engine.GenerationInfo{}, err
	}
	w.meta.Finish(stats)
	if err := w.publish(); err != nil {
		w.Abort()
		return engine.GenerationInfo{}, err
	}
	w.done = true
	w.s.collect(w.id, w.prev)
	w.lock.Close()
	return w.meta.Info(), nil
}

func (w *Writer) finish() error {
	for _, st := range w.streams {
		if err := st.stop(); err != nil {
			return err
		}
	}
	w.release()
	// Shards finish their last tables and sync them side by side.
	errs := make([]error, len(w.streams))
	var wg sync.WaitGroup
	for i, st := range w.streams {
		wg.Go(func() { errs[i] = st.close() })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return syncTree(w.tmp)
}

// close flushes the shard's last tables and closes it.
func (st *stream) close() error {
	if err := st.sw.Flush(); err != nil {
		return fmt.Errorf("flush generation: %w", err)
	}
	err := st.db.Close()
	st.db = nil
	if err != nil {
		return fmt.Errorf("close generation: %w", err)
	}
	return nil
}

func (w *Writer) publish() error {
	if err := w.s.writeMeta(w.tmp, &w.meta); err != nil {
		return fmt.Errorf("write generation metadata: %w", err)
	}
	if err := os.Rename(w.tmp, w.s.genDir(w.id)); err != nil {
		return fmt.Errorf("publish generation: %w", err)
	}
	w.tmp = w.s.genDir(w.id) // Abort from here on must remove the published copy
	if err := atomicfile.SyncDir(w.s.dir); err != nil {
		return fmt.Errorf("publish generation: %w", err)
	}
	if err := atomicfile.WriteFile(filepath.Join(w.s.dir, currentFile), []byte(w.id+"\n")); err != nil {
		return fmt.Errorf("make generation current: %w", err)
	}
	return nil
}

// Abort discards the generation being built.
func (w *Writer) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	w.release()
	for _, st := range w.streams {
		if st.db != nil {
			st.sw.Cancel()
			st.db.Close()
		}
	}
	err := os.RemoveAll(w.tmp)
	w.lock.Close()
	return err
}

// release stops the flushers and frees the buffers.
func (w *Writer) release() {
	for _, st := range w.streams {
		st.halt()
		for len(st.free) > 0 {
			(<-st.free).Release()
		}
		if st.buf != nil {
			st.buf.Release()
			st.buf = nil
		}
	}
}

// syncTree fsyncs every file of a generation directory and the directory:
// Badger syncs what it must for its own recovery, but a generation is only
// published once all of it is on disk.
func syncTree(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() {
			if err := syncTree(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
			continue
		}
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return fmt.Errorf("sync %s: %w", e.Name(), err)
		}
	}
	return atomicfile.SyncDir(dir)
}

// removeLeftovers deletes what a crashed build left. It runs under the
// ingest lock, so no live writer owns them.
func (s *Store) removeLeftovers() error {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return fmt.Errorf("list data directory: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		// CURRENT.tmp is the temporary name of builds before internal/atomicfile.
		if strings.HasPrefix(name, tmpPrefix) || atomicfile.IsTemp(name) || name == currentFile+".tmp" {
			if err := os.RemoveAll(filepath.Join(s.dir, name)); err != nil {
				return fmt.Errorf("remove leftover %s: %w", name, err)
			}
			s.opt.Logger.Info("removed leftover of an interrupted ingest", "path", name)
		}
	}
	return nil
}

// collect removes old generations: it keeps the new current one, the one
// it replaced (servers may not have switched yet) and Keep-2 more before
// that; anything else, such as one published by a build that crashed before
// naming it in CURRENT, goes, unless a reader still has it open (readers
// hold a shared flock on it, see OpenGeneration).
func (s *Store) collect(current, prev string) {
	ids, err := s.generations()
	if err != nil {
		s.opt.Logger.Warn("list generations for cleanup", "err", err)
		return
	}
	extra := s.opt.Keep - 2
	for i := len(ids) - 1; i >= 0; i-- {
		id := formatID(ids[i])
		if id == current || id == prev {
			continue
		}
		if prev != "" && id < prev && extra > 0 {
			extra--
			continue
		}
		if err := s.removeUnused(id); err != nil {
			s.opt.Logger.Info("old generation kept", "generation", id, "reason", err)
		}
	}
}

func (s *Store) removeUnused(id string) error {
	dir := s.genDir(id)
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := unix.Flock(int(d.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		return errors.New("still open by a reader")
	}
	// Rename first so a half-removed directory never looks committed.
	trash := filepath.Join(s.dir, tmpPrefix+"old-"+id)
	if err := os.Rename(dir, trash); err != nil {
		return err
	}
	return os.RemoveAll(trash)
}
