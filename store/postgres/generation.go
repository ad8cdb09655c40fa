package postgres

import (
	"context"
	"crypto/cipher"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/store/sealed"
)

// Generation is an open generation: its verified metadata and the
// statement that reads its table. It holds no session; Gets borrow one
// from the store's pool.
type Generation struct {
	s     *Store
	meta  sealed.Meta
	rec   *sealed.Opener
	table string
	get   string // the one statement of a read, prepared once per session by pgx
}

var (
	_ engine.Generation = (*Generation)(nil)
	_ engine.Scanner    = (*Generation)(nil)
)

// open checks generation id's stored metadata b against its authenticator
// mac, and opens its seal.
func (s *Store) open(id string, b, mac []byte) (*Generation, error) {
	m, err := sealed.ParseMeta(b)
	if err != nil {
		return nil, err
	}
	if err := sealed.VerifyMeta(s.opt.Keys, m, b, mac, "its metadata row"); err != nil {
		return nil, err
	}
	if m.ID != id {
		return nil, fmt.Errorf("its metadata names generation %q: the row was copied from another", m.ID)
	}
	var aead cipher.AEAD
	switch {
	case m.Sealing != "":
		if aead, err = sealed.OpenSeal(s.opt.Keys, m); err != nil {
			return nil, err
		}
	case !s.opt.AllowUnsealed:
		return nil, errors.New("its records are not sealed (it was built with --plaintext-store): pass --allow-unsealed to read it")
	}
	t := tableOf(id)
	return &Generation{s: s, meta: *m, rec: sealed.NewOpener(aead, id, true), table: t,
		get: "SELECT v FROM " + t + " WHERE k = $1"}, nil
}

// Info describes the generation.
func (g *Generation) Info() engine.GenerationInfo { return g.meta.Info() }

// errNoRow is get's own not-found, kept apart from errors to retry.
var errNoRow = errors.New("no row")

// Get appends the record under key to dst: one round trip. A read that
// fails because its session broke (the host went away) is tried once more
// on a fresh session, which may reach another host of the URL: a failover
// then costs only the requests in flight on no host at all.
func (g *Generation) Get(ctx context.Context, key, dst []byte) ([]byte, error) {
	if t := g.s.opt.StatementTimeout; t > 0 {
		// statement_timeout bounds the server's work; this bounds a wait
		// on a network that went silent.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 2*t)
		defer cancel()
	}
	out, err := g.read(ctx, key, dst)
	if err != nil && err != errNoRow && ctx.Err() == nil && unreachable(err) {
		var pe *pgconn.PgError
		if !errors.As(err, &pe) {
			// The pool's idle sessions went to the same host: close them
			// all, so the retry and the requests after it connect anew.
			g.s.pool.Reset()
		}
		out, err = g.read(ctx, key, dst)
	}
	switch {
	case err == errNoRow:
		return dst, engine.ErrNotFound
	case err != nil:
		return dst, fail("generation "+g.meta.ID+": get", err)
	}
	return out, nil
}

func (g *Generation) read(ctx context.Context, key, dst []byte) ([]byte, error) {
	rows, err := g.s.pool.Query(ctx, g.get, key)
	if err != nil {
		return dst, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return dst, err
		}
		return dst, errNoRow
	}
	var v pgtype.DriverBytes
	if err := rows.Scan(&v); err != nil {
		return dst, err
	}
	out, err := g.rec.Open(dst, key, v)
	if err != nil {
		return dst, err
	}
	rows.Close()
	return out, rows.Err()
}

// Scan calls fn for every line with lo <= key < hi in key order (bytea
// compares as bytes.Compare does). rec is valid only during the call.
func (g *Generation) Scan(ctx context.Context, lo, hi []byte, fn func(key, rec []byte) error) error {
	q, args := "SELECT k, v FROM "+g.table+" WHERE true", []any{}
	if lo != nil {
		args = append(args, lo)
		q += fmt.Sprintf(" AND k >= $%d", len(args))
	}
	if hi != nil {
		args = append(args, hi)
		q += fmt.Sprintf(" AND k < $%d", len(args))
	}
	rows, err := g.s.pool.Query(ctx, q+" ORDER BY k", args...)
	if err != nil {
		return fail("generation "+g.meta.ID+": scan", err)
	}
	defer rows.Close()
	var buf []byte
	for rows.Next() {
		var k, v pgtype.DriverBytes
		if err := rows.Scan(&k, &v); err != nil {
			return fmt.Errorf("generation %s: scan: %w", g.meta.ID, err)
		}
		if buf, err = g.rec.Open(buf[:0], k, v); err != nil {
			return fmt.Errorf("generation %s: scan: %w", g.meta.ID, err)
		}
		if err := fn(k, buf); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fail("generation "+g.meta.ID+": scan", err)
	}
	return nil
}

// Close does nothing: the sessions are the store's.
func (g *Generation) Close() error { return nil }
