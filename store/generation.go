package store

import (
	"bytes"
	"context"
	"crypto/cipher"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
	"golang.org/x/sys/unix"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/store/sealed"
)

// meta is GENERATION.json, written beside the Badger files in the clear.
type meta = sealed.Meta

// shardDir is where shard i of n of the generation in dir lives.
func shardDir(dir string, i, n int) string {
	if n == 0 {
		return dir
	}
	return filepath.Join(dir, fmt.Sprintf("shard-%02d", i))
}

func readMeta(dir string) (*meta, []byte, error) {
	b, err := os.ReadFile(filepath.Join(dir, metaFile))
	if err != nil {
		return nil, nil, err
	}
	m, err := sealed.ParseMeta(b)
	if err != nil {
		return nil, nil, err
	}
	return m, b, nil
}

// Generation is an open, read-only generation.
type Generation struct {
	shards []shard // by key range: engine.StreamOf(key, len(shards))
	meta   meta
	rec    *sealed.Opener
	lock   *os.File // a shared flock on the directory, so collect leaves it
}

type shard struct {
	db *badger.DB
	// txn is one read-only transaction for the generation's whole life. A
	// generation never changes, so one snapshot serves every read, and it
	// spares each request Badger's per-transaction bookkeeping (a
	// watermark update through a channel on begin and on end). Read-only
	// transactions keep no per-read state, so concurrent Gets are safe.
	txn *badger.Txn
}

var (
	_ engine.Generation = (*Generation)(nil)
	_ engine.Scanner    = (*Generation)(nil)
)

// OpenGeneration opens a committed generation read-only. Several processes
// may hold one open at once, beside a running ingest.
func (s *Store) OpenGeneration(id string) (*Generation, error) {
	dir := s.genDir(id)
	m, bound, err := s.readVerified(dir, id)
	if err != nil {
		return nil, fmt.Errorf("open generation %s: %w", id, err)
	}
	lock, err := lockShared(dir)
	if err != nil {
		return nil, fmt.Errorf("open generation %s: %w", id, err)
	}
	g := &Generation{meta: *m, lock: lock}
	var aead cipher.AEAD
	if m.Sealing != "" {
		if aead, err = sealed.OpenSeal(s.opt.Keys, m); err != nil {
			lock.Close()
			return nil, fmt.Errorf("open generation %s: %w", id, err)
		}
	}
	g.rec = sealed.NewOpener(aead, id, bound)
	n := max(m.Shards, 1)
	for i := 0; i < n; i++ {
		db, err := s.openShard(shardDir(dir, i, m.Shards), m, n)
		if err != nil {
			g.Close()
			return nil, fmt.Errorf("open generation %s: %w", id, err)
		}
		g.shards = append(g.shards, shard{db: db, txn: db.NewTransaction(false)})
	}
	return g, nil
}

// openShard opens one of n shards read-only. Only Badger-encrypted shards
// need Badger's caches, which they share out.
func (s *Store) openShard(dir string, m *meta, n int) (*badger.DB, error) {
	opts := s.badgerOptions(dir).WithReadOnly(true)
	if m.Encrypted {
		var err error
		if opts, err = s.withEncryption(opts, m.KeyID); err != nil {
			return nil, err
		}
		block := max(int64(orDefault(s.opt.BlockCacheMB, 64))<<20/int64(n), 4<<20)
		index := max(int64(orDefault(s.opt.IndexCacheMB, 32))<<20/int64(n), 4<<20)
		opts = opts.WithBlockCacheSize(block).WithIndexCacheSize(index)
	}
	return badger.Open(opts)
}

// lockShared takes a shared flock on a generation directory: Store.collect
// removes only generations it can lock exclusively.
func lockShared(dir string) (*os.File, error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(d.Fd()), unix.LOCK_SH); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func orDefault(v, d int) int {
	if v > 0 {
		return v
	}
	return d
}

func (s *Store) withEncryption(opts badger.Options, keyID string) (badger.Options, error) {
	if s.opt.Keys == nil {
		return opts, errors.New("generation is encrypted and no keyring was given")
	}
	k, err := s.opt.Keys.BadgerKey(keyID)
	if err != nil {
		return opts, err
	}
	return opts.WithEncryptionKey(k).WithEncryptionKeyRotationDuration(dataKeyLifetime()), nil
}

// dataKeyLifetime is how long Badger treats its newest data key as fresh.
// A reader must never find it stale: Badger would then try to write a new
// one into the read-only key registry and kill the process (its y.Check
// calls log.Fatal), so a generation older than the default ten days could
// not be served. A writer must find none fresh, so that it makes one (an
// empty registry counts as created in 1970). Half the time since 1970
// satisfies both for any key made after 2020 until 2070.
func dataKeyLifetime() time.Duration { return time.Since(time.Unix(0, 0)) / 2 }

// badgerOptions are shared by readers and writers. Records are keyed
// random bytes, so compression would only cost time.
func (s *Store) badgerOptions(dir string) badger.Options {
	return badger.DefaultOptions(dir).
		WithLogger(badgerLogger{s.opt.Logger}).
		WithCompression(options.None).
		WithBlockCacheSize(0).
		WithMetricsEnabled(false).
		WithDetectConflicts(false).
		WithNumCompactors(0).
		WithBaseTableSize(1 << 20). // × 2^5 at the level StreamWriter fills: 32 MiB tables
		WithNumVersionsToKeep(1)
}

// Info describes the generation.
func (g *Generation) Info() engine.GenerationInfo { return g.meta.Info() }

// Get appends the record under key to dst.
func (g *Generation) Get(ctx context.Context, key, dst []byte) ([]byte, error) {
	item, err := g.shards[engine.StreamOf(key, len(g.shards))].txn.Get(key)
	if err == nil {
		err = item.Value(func(v []byte) (err error) {
			dst, err = g.open(dst, key, v)
			return err
		})
	}
	if errors.Is(err, badger.ErrKeyNotFound) {
		return dst, engine.ErrNotFound
	}
	if err != nil {
		return dst, fmt.Errorf("generation %s: get: %w", g.meta.ID, err)
	}
	return dst, nil
}

// open appends the record stored as v under key to dst.
func (g *Generation) open(dst, key, v []byte) ([]byte, error) { return g.rec.Open(dst, key, v) }

// Scan calls fn for every line with lo <= key < hi in key order. Shards
// hold consecutive key ranges, so scanning them in order keeps key order.
// rec is valid only during the call.
func (g *Generation) Scan(ctx context.Context, lo, hi []byte, fn func(key, rec []byte) error) error {
	var buf []byte
	opened := func(key, v []byte) (err error) {
		if buf, err = g.open(buf[:0], key, v); err != nil {
			return fmt.Errorf("generation %s: scan: %w", g.meta.ID, err)
		}
		return fn(key, buf)
	}
	for _, sh := range g.shards {
		if err := sh.scan(ctx, lo, hi, opened); err != nil {
			return err
		}
	}
	return nil
}

func (sh shard) scan(ctx context.Context, lo, hi []byte, fn func(key, rec []byte) error) error {
	return sh.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.DefaultIteratorOptions)
		defer it.Close()
		for it.Seek(lo); it.Valid(); it.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			item := it.Item()
			if hi != nil && bytes.Compare(item.Key(), hi) >= 0 {
				return nil
			}
			err := item.Value(func(v []byte) error { return fn(item.Key(), v) })
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// Close closes the generation; no Get may be running or follow.
func (g *Generation) Close() error {
	var errs []error
	for _, sh := range g.shards {
		sh.txn.Discard()
		errs = append(errs, sh.db.Close())
	}
	g.shards = nil
	if g.lock != nil {
		g.lock.Close()
	}
	return errors.Join(errs...)
}

// badgerLogger passes Badger's warnings and errors on; its info lines
// (tables opened, levels) would drown the server's own log.
type badgerLogger struct{ l *slog.Logger }

func (b badgerLogger) Errorf(f string, a ...any)   { b.l.Error("badger: " + fmt.Sprintf(f, a...)) }
func (b badgerLogger) Warningf(f string, a ...any) { b.l.Warn("badger: " + fmt.Sprintf(f, a...)) }
func (b badgerLogger) Infof(f string, a ...any)    { b.l.Debug("badger: " + fmt.Sprintf(f, a...)) }
func (b badgerLogger) Debugf(f string, a ...any)   { b.l.Debug("badger: " + fmt.Sprintf(f, a...)) }
