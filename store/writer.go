package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/ristretto/v2/z"
	"golang.org/x/sys/unix"

	"github.com/kycmatch/kycmatch/engine"
)

// ErrBusy is returned by Create while another process builds a generation.
var ErrBusy = errors.New("another ingest is running on this data directory")

// Writer builds one generation with Badger's StreamWriter, which writes
// sorted keys straight into tables at the bottom level: no memtables, no
// compaction, about 2.5× faster than batched writes.
type Writer struct {
	s       *Store
	id      string
	prev    string // current generation when the build started
	tmp     string
	meta    meta
	lock    *os.File
	db      *badger.DB
	sw      *badger.StreamWriter
	buf     *z.Buffer
	lastKey []byte
	done    bool
}

var _ engine.GenerationWriter = (*Writer)(nil)

const flushBytes = 8 << 20 // StreamWriter batch size

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
	w.meta = meta{ID: w.id, KeyID: info.KeyID, Profile: info.Profile, Format: info.Format, Encrypted: !s.opt.Plaintext}
	if err := w.open(); err != nil {
		os.RemoveAll(w.tmp)
		return nil, err
	}
	return w, nil
}

func (w *Writer) open() error {
	opts := w.s.badgerOptions(w.tmp).WithSyncWrites(false)
	if w.meta.Encrypted {
		var err error
		if opts, err = w.s.withEncryption(opts, w.meta.KeyID); err != nil {
			return fmt.Errorf("new generation: %w", err)
		}
		opts = opts.WithBlockCacheSize(8 << 20).WithIndexCacheSize(8 << 20)
	}
	db, err := badger.Open(opts)
	if err != nil {
		return fmt.Errorf("new generation: %w", err)
	}
	w.db, w.sw = db, db.NewStreamWriter()
	if err := w.sw.Prepare(); err != nil {
		db.Close()
		return fmt.Errorf("new generation: %w", err)
	}
	w.buf = z.NewBuffer(flushBytes+flushBytes/4, "kycmatch.writer")
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

// Put adds one line; keys must increase strictly.
func (w *Writer) Put(key, rec []byte) error {
	if w.lastKey != nil && bytes.Compare(key, w.lastKey) <= 0 {
		return errors.New("store: keys out of order")
	}
	w.lastKey = append(w.lastKey[:0], key...)
	badger.KVToBuffer(&pb.KV{Key: key, Value: rec, Version: 1}, w.buf)
	if w.buf.LenNoPadding() >= flushBytes {
		return w.flush()
	}
	return nil
}

func (w *Writer) flush() error {
	if err := w.sw.Write(w.buf); err != nil {
		return fmt.Errorf("write generation: %w", err)
	}
	w.buf.Reset()
	return nil
}

// Commit finishes the generation, syncs it, renames it into place and then
// points CURRENT at it. Until the CURRENT rename the old generation stays
// current; after it, the new one is complete on disk.
func (w *Writer) Commit(ctx context.Context, lines int64) (engine.GenerationInfo, error) {
	if w.done {
		return engine.GenerationInfo{}, errors.New("store: generation already finished")
	}
	if err := w.finish(); err != nil {
		w.Abort()
		return engine.GenerationInfo{}, err
	}
	w.meta.Lines, w.meta.Created = lines, time.Now().UTC().Truncate(time.Second)
	if err := w.publish(); err != nil {
		w.Abort()
		return engine.GenerationInfo{}, err
	}
	w.done = true
	w.s.collect(w.id, w.prev)
	w.lock.Close()
	return w.meta.info(), nil
}

func (w *Writer) finish() error {
	if err := w.flush(); err != nil {
		return err
	}
	w.buf.Release()
	w.buf = nil
	if err := w.sw.Flush(); err != nil {
		return fmt.Errorf("flush generation: %w", err)
	}
	err := w.db.Close()
	w.db = nil
	if err != nil {
		return fmt.Errorf("close generation: %w", err)
	}
	return syncTree(w.tmp)
}

func (w *Writer) publish() error {
	b, err := json.MarshalIndent(&w.meta, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(w.tmp, metaFile), append(b, '\n')); err != nil {
		return fmt.Errorf("write generation metadata: %w", err)
	}
	if err := os.Rename(w.tmp, w.s.genDir(w.id)); err != nil {
		return fmt.Errorf("publish generation: %w", err)
	}
	w.tmp = w.s.genDir(w.id) // Abort from here on must remove the published copy
	if err := syncDir(w.s.dir); err != nil {
		return fmt.Errorf("publish generation: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(w.s.dir, currentFile), []byte(w.id+"\n")); err != nil {
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
	if w.buf != nil {
		w.buf.Release()
	}
	if w.db != nil {
		w.sw.Cancel()
		w.db.Close()
	}
	err := os.RemoveAll(w.tmp)
	w.lock.Close()
	return err
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
	return syncDir(dir)
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
		if strings.HasPrefix(name, tmpPrefix) || name == currentFile+".tmp" {
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
// naming it in CURRENT, goes, unless a reader still has it open (Badger
// holds a shared flock on it).
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
