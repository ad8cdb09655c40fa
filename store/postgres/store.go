// Package postgres keeps kycmatch generations in a PostgreSQL database,
// behind the engine's Store interface, so that serve nodes hold no state
// and read from a primary or its hot standbys. It is the only package that
// imports pgx.
//
// Everything lives in tables named kycmatch_*, in the first schema of the
// connection's search_path:
//
//	kycmatch_current      one row: the id of the current generation
//	kycmatch_generations  the metadata of the kept generations and its
//	                      authenticator (package sealed)
//	kycmatch_gen_<id>     one generation: (k bytea primary key, v bytea),
//	                      a keyed lookup key and its sealed record
//
// A generation is loaded with binary COPY into a new table without index,
// its primary key built afterwards, analysed, and then made current in one
// transaction that names it in kycmatch_current: a reader sees the old
// generation or the new one, and a crash at any point leaves the previous
// one current. The next ingest drops what a killed one left. Readers run
// only short autocommit statements, so they work against hot standbys and
// under a role that may only SELECT.
//
// The SQL keeps to what PostgreSQL-compatible distributed databases also
// offer; see the README for what was tested where.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/store/sealed"
)

const (
	currentTable = "kycmatch_current"
	metaTable    = "kycmatch_generations"
	genPrefix    = "kycmatch_gen_"
	// lockKey is the advisory lock an ingest holds: "kycmatch" in ASCII.
	lockKey int64 = 0x6b79636d61746368
)

// Options configure a Store.
type Options struct {
	// Keys gives the at-rest keys of key versions.
	Keys sealed.Keys
	// Plaintext builds new generations without sealing their records;
	// AllowUnsealed reads such generations (see store.Options).
	Plaintext, AllowUnsealed bool
	// StatementTimeout bounds every statement of the store's sessions
	// (unless the URL sets statement_timeout), and a read's wait on the
	// network; 0 leaves both unbounded, as an ingest building a primary
	// key over millions of lines needs.
	StatementTimeout time.Duration
	// Streams is how many COPY streams fill a generation (default 2 to 4,
	// by cores).
	Streams int
	Logger  *slog.Logger
}

// Store is a database of generations.
type Store struct {
	pool *pgxpool.Pool
	opt  Options
}

var (
	_ engine.Store            = (*Store)(nil)
	_ engine.GenerationLister = (*Store)(nil)
)

// Open returns the store at url, a postgres:// URL in libpq's syntax
// (several hosts and target_session_attrs included). It does not connect:
// the first statement does, so a database that is down now is not an
// error here.
func Open(url string, opt Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("store URL: %w", err)
	}
	if opt.Streams <= 0 {
		opt.Streams = min(max(runtime.GOMAXPROCS(0), 2), 4)
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	cc := cfg.ConnConfig
	if cc.ConnectTimeout == 0 {
		// A host that does not answer must not hold a request for the
		// kernel's TCP timeout when another host of the URL would.
		cc.ConnectTimeout = 2 * time.Second
	}
	if _, set := cc.RuntimeParams["statement_timeout"]; !set && opt.StatementTimeout > 0 {
		cc.RuntimeParams["statement_timeout"] = strconv.FormatInt(opt.StatementTimeout.Milliseconds(), 10)
	}
	if _, set := cc.RuntimeParams["application_name"]; !set {
		cc.RuntimeParams["application_name"] = "kycmatch"
	}
	// An ingest holds one session for its lock and one per COPY stream,
	// and a delta reads its base beside them.
	cfg.MaxConns = max(cfg.MaxConns, int32(opt.Streams+4))
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		return nil, fmt.Errorf("store URL: %w", err)
	}
	return &Store{pool: pool, opt: opt}, nil
}

// Close closes the store's sessions.
func (s *Store) Close() { s.pool.Close() }

// CurrentID reads the pointer row, on whichever host the store reads from.
func (s *Store) CurrentID(ctx context.Context) (string, error) {
	var id string
	err := s.pool.QueryRow(ctx, "SELECT generation FROM "+currentTable).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) || isUndefinedTable(err) {
		return "", engine.ErrNoGeneration
	}
	if err != nil {
		return "", fail("read current generation", err)
	}
	return id, nil
}

// Current opens the current generation.
func (s *Store) Current(ctx context.Context) (engine.Generation, error) {
	var id string
	var b, mac []byte
	err := s.pool.QueryRow(ctx, "SELECT g.id, g.meta, g.mac FROM "+currentTable+" c JOIN "+metaTable+" g ON g.id = c.generation").Scan(&id, &b, &mac)
	if errors.Is(err, pgx.ErrNoRows) || isUndefinedTable(err) {
		return nil, engine.ErrNoGeneration
	}
	if err != nil {
		return nil, fail("open the current generation", err)
	}
	g, err := s.open(id, b, mac)
	if err != nil {
		return nil, fmt.Errorf("open generation %s: %w", id, err)
	}
	return g, nil
}

// OpenGeneration opens a kept generation by id.
func (s *Store) OpenGeneration(ctx context.Context, id string) (*Generation, error) {
	var b, mac []byte
	err := s.pool.QueryRow(ctx, "SELECT meta, mac FROM "+metaTable+" WHERE id = $1", id).Scan(&b, &mac)
	if err != nil {
		return nil, fail("open generation "+id, err)
	}
	g, err := s.open(id, b, mac)
	if err != nil {
		return nil, fmt.Errorf("open generation %s: %w", id, err)
	}
	return g, nil
}

// KeptGenerations reads the metadata of every kept generation, oldest
// first, without verifying it: key management must see a generation it
// could not open.
func (s *Store) KeptGenerations(ctx context.Context) ([]engine.GenerationInfo, error) {
	rows, err := s.pool.Query(ctx, "SELECT meta FROM "+metaTable+" ORDER BY id")
	if err != nil {
		if isUndefinedTable(err) {
			return nil, nil
		}
		return nil, fail("list generations", err)
	}
	metas, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		if isUndefinedTable(err) {
			return nil, nil
		}
		return nil, fail("list generations", err)
	}
	infos := make([]engine.GenerationInfo, 0, len(metas))
	for _, b := range metas {
		m, err := sealed.ParseMeta(b)
		if err != nil {
			return nil, err
		}
		infos = append(infos, m.Info())
	}
	return infos, nil
}

// tableOf names the table of generation id, quoted.
func tableOf(id string) string { return pgx.Identifier{genPrefix + id}.Sanitize() }

func formatID(n uint64) string { return fmt.Sprintf("%08d", n) }

// validID reports whether id is a generation id: eight digits.
func validID(id string) bool {
	if len(id) != 8 {
		return false
	}
	for _, c := range id {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func isUndefinedTable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "42P01"
}

// fail wraps err from the database; when no host answered, or the one
// that did is shutting down, recovering or out of resources, it also
// wraps engine.ErrStoreUnavailable, so the API answers 503 and never a
// verdict.
func fail(op string, err error) error {
	if unreachable(err) {
		return fmt.Errorf("%s: %w: %w", op, engine.ErrStoreUnavailable, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// unreachable tells a database out of reach from a statement it refused.
func unreachable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code[:2] {
		case "08", "53", "57", "58": // connection, resources, operator intervention (shutdown, timeouts), system
			return true
		}
		// A standby cancels a read that conflicts with replay (a dropped
		// generation), and a read of a table dropped under it.
		return pe.Code == "40001" || pe.Code == "42P01"
	}
	return !errors.Is(err, context.Canceled)
}
