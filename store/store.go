// Package store keeps kycmatch generations on local disk, behind the
// engine's Store interface: a generation is a few Badger databases, one per
// key range (shard), so an ingest writes them in parallel. It is the only
// package that imports Badger.
//
// Layout of a data directory:
//
//	CURRENT            id of the current generation, replaced atomically
//	ingest.lock        held (flock) by the one process building a generation
//	gen-<id>/          a committed generation: GENERATION.json, its
//	                   authenticator GENERATION.mac, and
//	  shard-NN/        one Badger database per key range
//	tmp-<id>/          a generation being built; left over only by a crash
//
// A generation is built in tmp-<id>, synced, renamed to gen-<id>, and only
// then named in CURRENT; a crash at any point leaves CURRENT naming the
// previous, complete generation. The next writer removes tmp-* leftovers and
// old generations that no reader holds (readers hold a shared flock on the
// generation directory).
//
// The store never sees a raw value: keys are lookup digests and values are
// engine records. Records are also sealed at rest (AES-256-GCM, see
// package sealed) under a per-generation key derived from the keyring, a second
// layer beneath the keyed digests that also detects altered records.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/kycmatch/kycmatch/engine"
)

const (
	currentFile = "CURRENT"
	lockFile    = "ingest.lock"
	metaFile    = "GENERATION.json"
	genPrefix   = "gen-"
	tmpPrefix   = "tmp-"
)

// Options configure a Store.
type Options struct {
	// Keys gives the at-rest keys of key versions. Needed to build or open
	// sealed (or older, Badger-encrypted) generations.
	Keys Keys
	// Plaintext builds new generations without sealing their records.
	// Digests and tokens stay keyed either way; this only drops the second
	// layer (and lets tests scan the files for raw values).
	Plaintext bool
	// AllowUnsealed opens generations whose records are not sealed, and
	// ones written before their metadata was authenticated (GENERATION.mac,
	// see metamac.go). Without it both are refused: anyone who can write
	// the data directory could forge them without the keyring.
	AllowUnsealed bool
	// Keep is how many committed generations a commit leaves on disk, the
	// new current one included (minimum and default 2: the previous one
	// stays for servers that have not switched yet).
	Keep int
	// BlockCacheMB and IndexCacheMB size Badger's caches for readers of
	// Badger-encrypted generations (defaults 64 and 32); other generations
	// are read straight from their mapped files.
	BlockCacheMB, IndexCacheMB int
	Logger                     *slog.Logger
}

// Store is a data directory of generations.
type Store struct {
	dir string
	opt Options
}

var (
	_ engine.Store            = (*Store)(nil)
	_ engine.GenerationLister = (*Store)(nil)
)

// Open returns the store in dir, creating the directory if needed.
func Open(dir string, opt Options) (*Store, error) {
	if dir == "" {
		return nil, errors.New("no data directory given")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	if opt.Keep < 2 {
		opt.Keep = 2
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Store{dir: dir, opt: opt}, nil
}

// Dir returns the data directory.
func (s *Store) Dir() string { return s.dir }

// CurrentID reads CURRENT.
func (s *Store) CurrentID(ctx context.Context) (string, error) {
	b, err := os.ReadFile(filepath.Join(s.dir, currentFile))
	if errors.Is(err, os.ErrNotExist) {
		return "", engine.ErrNoGeneration
	}
	if err != nil {
		return "", fmt.Errorf("read current generation: %w", err)
	}
	id := strings.TrimSpace(string(b))
	if _, err := parseID(id); err != nil {
		return "", fmt.Errorf("read current generation: %w", err)
	}
	return id, nil
}

// Current opens the current generation read-only.
func (s *Store) Current(ctx context.Context) (engine.Generation, error) {
	id, err := s.CurrentID(ctx)
	if err != nil {
		return nil, err
	}
	return s.OpenGeneration(id)
}

func formatID(n uint64) string { return fmt.Sprintf("%08d", n) }

func parseID(id string) (uint64, error) {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil || len(id) != 8 {
		return 0, fmt.Errorf("malformed generation id %q", id)
	}
	return n, nil
}

func (s *Store) genDir(id string) string { return filepath.Join(s.dir, genPrefix+id) }

// generations lists committed generation ids in increasing order.
func (s *Store) generations() ([]uint64, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("list generations: %w", err)
	}
	var ids []uint64
	for _, e := range entries {
		if n, ok := strings.CutPrefix(e.Name(), genPrefix); ok && e.IsDir() {
			if id, err := parseID(n); err == nil {
				ids = append(ids, id)
			}
		}
	}
	return ids, nil
}

// KeptGenerations reads the metadata of every committed generation on
// disk, oldest first. It does not verify their authenticators: it serves
// key management, which must see a generation it could not open.
func (s *Store) KeptGenerations(ctx context.Context) ([]engine.GenerationInfo, error) {
	ids, err := s.generations()
	if err != nil {
		return nil, err
	}
	slices.Sort(ids)
	infos := make([]engine.GenerationInfo, 0, len(ids))
	for _, id := range ids {
		m, _, err := readMeta(s.genDir(formatID(id)))
		if err != nil {
			return nil, fmt.Errorf("read generation %s: %w", formatID(id), err)
		}
		infos = append(infos, m.Info())
	}
	return infos, nil
}
