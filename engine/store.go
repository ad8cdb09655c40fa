package engine

import (
	"bytes"
	"context"
	"errors"
	"time"
)

// GenerationInfo describes one generation: a complete, immutable snapshot
// of the operator's subscriber lines. Nothing in it is personal data.
type GenerationInfo struct {
	ID      string    // e.g. "00000007"; increases with every commit
	KeyID   string    // the key version every digest of it was made with
	Profile string    // the name of the normalisation profile it was built with
	Created time.Time // when it was committed
	Lines   int64     // subscriber lines it holds
	Format  int       // record format version (RecordFormat)
	// LookupSalt salts the generation's lookup keys (see
	// hashing.Scheme.WithLookupSalt); nil in generations made before salts.
	LookupSalt []byte
	// ProfileDefinition is the profile's complete definition
	// (normalize.Profile.Definition), so that the rules stay the
	// generation's whatever happens to the file they came from; nil in
	// generations made before profiles, which are all default.
	ProfileDefinition []byte

	// The ingest run that built it, for operators' dashboards.
	Read, Rejected int64
	IngestTime     time.Duration
}

// CommitStats are what a builder tells the store about a finished build.
type CommitStats struct {
	Lines, Read, Rejected int64
	Elapsed               time.Duration
}

// Store keeps generations. Implementations must make Commit atomic: a
// reader sees either the previous current generation or the new one, never
// a partial one, whatever crashes in between.
type Store interface {
	// Current opens the current generation for reading. It returns
	// ErrNoGeneration when none has been committed.
	Current(ctx context.Context) (Generation, error)
	// CurrentID returns the current generation's id without opening it,
	// cheaply enough to be polled. ErrNoGeneration when none.
	CurrentID(ctx context.Context) (string, error)
	// Create starts building a new generation described by info (ID and
	// Created are assigned on commit).
	Create(ctx context.Context, info GenerationInfo) (GenerationWriter, error)
}

// GenerationLister is an optional capability of a Store: the generations
// it keeps (the current one and those a commit left for readers that have
// not switched yet), oldest first, without opening them. Key removal uses
// it to refuse shredding a key a kept generation still needs.
type GenerationLister interface {
	KeptGenerations(ctx context.Context) ([]GenerationInfo, error)
}

// Generation is one open, read-only generation. Safe for concurrent use.
type Generation interface {
	Info() GenerationInfo
	// Get appends the record stored under key to dst. It returns
	// ErrNotFound when no line has that key; other errors are internal.
	Get(ctx context.Context, key []byte, dst []byte) ([]byte, error)
	Close() error
}

// Scanner is an optional capability of a Generation: the lines with
// lo <= key < hi (nil bounds are open) in increasing key order, for
// building the next generation from this one. key and rec are only valid
// during fn.
type Scanner interface {
	Scan(ctx context.Context, lo, hi []byte, fn func(key, rec []byte) error) error
}

// GenerationWriter fills a new generation. Keys are digests, uniformly
// spread, so the key space splits into Streams() ranges by first byte
// (see StreamOf), which can be filled concurrently.
type GenerationWriter interface {
	// Streams returns how many key ranges can be filled concurrently.
	Streams() int
	// Put adds one line to a stream. Within a stream keys must increase
	// strictly and belong to the stream's range. Safe for concurrent use
	// with distinct streams.
	Put(stream int, key, rec []byte) error
	// Commit makes the generation durable and current, and returns its info.
	Commit(ctx context.Context, stats CommitStats) (GenerationInfo, error)
	// Abort discards the generation; the current one stays. After Commit it
	// does nothing.
	Abort() error
}

// StreamOf returns the stream, of n, whose key range holds key.
func StreamOf(key []byte, n int) int {
	if len(key) == 0 {
		return 0
	}
	return int(key[0]) * n / 256
}

// CheckPut is GenerationWriter.Put's rule for every store: key belongs to
// stream s of n and follows last, the stream's previous key (nil at first),
// strictly.
func CheckPut(s, n int, key, last []byte) error {
	if last != nil && bytes.Compare(key, last) <= 0 {
		return errors.New("store: keys out of order")
	}
	if StreamOf(key, n) != s {
		return errors.New("store: key outside its stream's range")
	}
	return nil
}

// StreamBounds returns the key range [lo, hi) of stream s of n; nil is
// open.
func StreamBounds(s, n int) (lo, hi []byte) {
	if s > 0 {
		lo = []byte{byte((s*256 + n - 1) / n)}
	}
	if s < n-1 {
		hi = []byte{byte(((s+1)*256 + n - 1) / n)}
	}
	return lo, hi
}
