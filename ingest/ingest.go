// Package ingest owns the path from a subscriber export to a generation:
// reading CSV and JSON Lines in the forms real exports take, mapping
// columns, the row rules and the rejects report, hashing in parallel,
// sorting and the merge into a new generation (Run), full or as a delta on
// the current one. Check runs the same path and stops before writing.
//
// A generation is published only when it passes the guards (MaxRejects;
// MaxShrink against the current generation for a full build); otherwise
// the current one stays current. Values are hashed as soon as a row is
// parsed: sort runs and the store see only digests and tokens, and the
// rejects report and every error name the row, the field and the rule,
// never the value.
package ingest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"time"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/hashing"
	"github.com/kycmatch/kycmatch/keys"
	"github.com/kycmatch/kycmatch/normalize"
)

// Format is the export's file format.
type Format int

// The export formats of contract §2.
const (
	CSV Format = iota
	JSONL
)

// Options configure one ingest run.
type Options struct {
	Input         io.Reader // the export, already decompressed
	Format        Format
	Mapping       *Mapping // nil: the contract's column names only
	DefaultRegion string   // ISO 3166-1 alpha-2, for national phone numbers
	MSISDN        bool     // digits-only phone numbers are international (country code first)
	Delimiter     rune     // CSV field separator; 0 is ','
	// DateFormat of birthdate and idDocumentExpiryDate; nil takes the
	// mapping's date_format, else YYYY-MM-DD. A flag is more specific to
	// one run than a mapping file shared by many, so it wins.
	DateFormat *DateFormat
	Delta      bool // apply upserts and deletes to the current generation
	// Profile is the normalisation profile of a full build (nil: default,
	// which is also what a delta is refused for naming: it keeps its
	// base's).
	Profile    *normalize.Profile
	MaxRejects Limit
	MaxShrink  Limit // a full build fails below (100 − P)% of the current generation's lines

	Keyring *keys.Keyring
	Store   engine.Store

	Rejects  io.Writer        // one line per rejected row; nil discards
	Progress func(rows int64) // called now and then from one goroutine
	Logger   *slog.Logger     // nil discards
	Workers  int              // normalise+hash goroutines; default GOMAXPROCS
	SortMem  int              // bytes of records sorted in memory; default 256 MiB
	TempDir  string           // for sort runs; must be private to the operator
	Now      func() time.Time // for tests

	noTokens bool // benchmarks only: see engine.Encoder.OmitTokensForBenchmark
	check    bool // set by Check
}

// Summary is the outcome of a run.
type Summary struct {
	Read, Loaded, Rejected int64
	Elapsed                time.Duration
	Generation             engine.GenerationInfo
	Profile                string // the name of the normalisation profile applied
	// Collect is the parallel phase (read, normalise, hash, sort); Write
	// the merge into the generation and its commit.
	Collect, Write time.Duration
	// A delta's rows by op, and how many deletes named a line its base
	// generation does not hold (found by Run only).
	Upserts, Deletes, DeletesAbsent int64

	checked, delta bool // by Check: nothing was written; a delta
}

// String is the one summary line of contract §2.
func (s Summary) String() string {
	rate := 0.0
	if s.Elapsed > 0 {
		rate = float64(s.Read) / s.Elapsed.Seconds()
	}
	ops := ""
	if s.delta {
		ops = fmt.Sprintf(" (upserts %d, deletes %d", s.Upserts, s.Deletes)
		if !s.checked {
			ops += fmt.Sprintf(", %d of them of absent lines", s.DeletesAbsent)
		}
		ops += ")"
	}
	if s.checked {
		return fmt.Sprintf("rows read %d, would load %d%s, rejected %d, elapsed %s, %.0f rows/s, profile %s; nothing was written",
			s.Read, s.Loaded, ops, s.Rejected, s.Elapsed.Round(time.Millisecond), rate, s.Profile)
	}
	return fmt.Sprintf("rows read %d, loaded %d%s, rejected %d, elapsed %s, %.0f rows/s, generation %s (%d lines, profile %s) is current",
		s.Read, s.Loaded, ops, s.Rejected, s.Elapsed.Round(time.Millisecond), rate, s.Generation.ID, s.Generation.Lines, s.Profile)
}

// ErrTooManyRejects ends a run whose rejects pass --max-rejects; the
// current generation stays.
var ErrTooManyRejects = errors.New("too many rejected rows")

// ErrShrink ends a full run that would load too few lines against the
// current generation (--max-shrink); the current generation stays.
var ErrShrink = errors.New("the export shrinks the subscriber base too much")

// ErrNothingLoaded ends a full run in which no row could be loaded: making
// an empty generation current would answer 404 for every subscriber.
var ErrNothingLoaded = errors.New("no row of the export could be loaded")

// Run imports an export into a new generation and makes it current. On any
// error the current generation is left as it was.
func Run(ctx context.Context, o Options) (Summary, error) {
	b, start, err := o.readAll(ctx)
	if b == nil {
		return Summary{}, err
	}
	defer b.close()
	if err != nil {
		return b.summary(start), err
	}
	collected := o.Now()
	info, err := b.write(ctx)
	sum := b.summary(start)
	sum.Generation = info
	sum.Collect, sum.Write = collected.Sub(start), o.Now().Sub(collected)
	o.Logger.Info("ingest phases", "read_normalise_hash_sort", sum.Collect, "merge_write_commit", sum.Write, "sort_runs", len(b.sort.runs))
	return sum, err
}

// readAll is the part of a run that ingest and check share: every row read,
// validated and encoded, the rejects reported. The caller closes b, which is
// nil only when err is set before the first row.
func (o *Options) readAll(ctx context.Context) (b *builder, start time.Time, err error) {
	o.defaults()
	start = o.Now()
	rr, err := o.reader()
	if err != nil {
		return nil, start, err
	}
	if b, err = o.build(ctx); err != nil {
		return nil, start, err
	}
	return b, start, b.collect(ctx, rr)
}

func (o *Options) defaults() {
	if o.DateFormat == nil && o.Mapping != nil {
		o.DateFormat = o.Mapping.DateFormat
	}
	if o.DateFormat == nil {
		o.DateFormat = new(DateISO)
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.SortMem <= 0 {
		o.SortMem = 256 << 20
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Rejects == nil {
		o.Rejects = io.Discard
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

func (o *Options) reader() (rowReader, error) {
	switch o.Format {
	case CSV:
		return newCSVReader(o.Input, o.Mapping, o.Delimiter)
	case JSONL:
		return newJSONLReader(o.Input, o.Mapping), nil
	}
	return nil, fmt.Errorf("unknown export format %d", o.Format)
}

// schemeFor chooses the key and the rules: a full build takes the active
// key, the requested profile and a new lookup salt; a delta must hash
// exactly like the generation it extends, so it takes that one's key,
// profile and salt. Both go through engine.SchemeFor, as serve does.
func (o *Options) schemeFor(base engine.Generation) (*hashing.Scheme, error) {
	if base == nil {
		k := o.activeKey()
		salt := make([]byte, lookupSaltSize)
		rand.Read(salt)
		p := o.Profile
		if p == nil {
			p = normalize.DefaultProfile
		}
		info := engine.GenerationInfo{KeyID: k.ID(), Profile: p.Name(), ProfileDefinition: p.Definition(), LookupSalt: salt}
		return engine.SchemeFor(info, oneKey{k})
	}
	info := base.Info()
	if info.Format != engine.RecordFormat {
		return nil, fmt.Errorf("current generation %s has record format %d and this build writes %d: a delta cannot extend it, run a full ingest", info.ID, info.Format, engine.RecordFormat)
	}
	if o.Profile != nil {
		return nil, fmt.Errorf("a delta keeps the current generation's profile %s; it takes none of its own", info.Profile)
	}
	return engine.SchemeFor(info, o.Keyring)
}

// activeKey is the key a full build hashes with. Check's records are
// thrown away, so it hashes with a key made for the run and never kept.
func (o *Options) activeKey() *keys.Key {
	if o.check {
		return keys.Ephemeral()
	}
	return o.Keyring.Active()
}

// oneKey is the key source of a full build: the one key it hashes with.
type oneKey struct{ k *keys.Key }

func (s oneKey) Key(id string) (*keys.Key, error) {
	if id != s.k.ID() {
		return nil, fmt.Errorf("key %s is not the build's key", id)
	}
	return s.k, nil
}

// lookupSaltSize is 128 bits: salts never repeat between ingests.
const lookupSaltSize = 16
