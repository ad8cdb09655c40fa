package postgres

import (
	"context"
	"crypto/cipher"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/store/sealed"
)

// ErrBusy is returned by Create while another ingest builds a generation
// in the same database.
var ErrBusy = errors.New("another ingest is running on this database (it holds the kycmatch advisory lock): wait for it to finish")

// Writer builds one generation: each stream is a binary COPY on a session
// of its own into the generation's table, which has no index until Commit
// builds its primary key. Loading first and indexing after is faster than
// keeping an index up to date row by row, and makes a smaller index.
type Writer struct {
	s       *Store
	lock    *pgx.Conn // holds the advisory lock; every DDL runs on it
	id      string
	prev    string // current generation when the build started
	table   string
	meta    sealed.Meta
	streams []*copyStream
	cancel  context.CancelFunc // stops the COPYs
	done    bool
}

var _ engine.GenerationWriter = (*Writer)(nil)

// Create takes the ingest lock, drops what a killed ingest left and
// creates the new generation's table.
func (s *Store) Create(ctx context.Context, info engine.GenerationInfo) (engine.GenerationWriter, error) {
	lock, err := s.lockIngest(ctx)
	if err != nil {
		return nil, err
	}
	w, err := s.create(ctx, info, lock)
	if err != nil {
		lock.Close(context.Background())
		return nil, err
	}
	return w, nil
}

// lockIngest takes the advisory lock on a session of its own, held until
// the writer closes it; the server drops it if the process dies.
func (s *Store) lockIngest(ctx context.Context) (*pgx.Conn, error) {
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, fail("connect", err)
	}
	conn := c.Hijack()
	var ok bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", lockKey).Scan(&ok); err != nil {
		conn.Close(context.Background())
		return nil, fail("take the ingest lock", err)
	}
	if !ok {
		conn.Close(context.Background())
		return nil, ErrBusy
	}
	// A killed ingest's session stays busy with an index build, and holds
	// the lock, until the server notices the client is gone; PostgreSQL 14
	// and later can check. Elsewhere the setting is unknown: no matter.
	conn.Exec(ctx, "SET client_connection_check_interval = 1000")
	return conn, nil
}

const schema = `
CREATE TABLE IF NOT EXISTS ` + currentTable + ` (
	one boolean PRIMARY KEY DEFAULT true CHECK (one),
	generation text NOT NULL
);
CREATE TABLE IF NOT EXISTS ` + metaTable + ` (
	id text PRIMARY KEY,
	meta bytea NOT NULL,
	mac bytea NOT NULL
)`

func (s *Store) create(ctx context.Context, info engine.GenerationInfo, lock *pgx.Conn) (*Writer, error) {
	if _, err := lock.Exec(ctx, schema); err != nil {
		return nil, fail("create the store's tables", err)
	}
	if err := s.dropUnlisted(ctx, lock); err != nil {
		return nil, err
	}
	w := &Writer{s: s, lock: lock}
	var last string
	err := lock.QueryRow(ctx, "SELECT coalesce(max(id), '') FROM "+metaTable).Scan(&last)
	if err != nil {
		return nil, fail("read generations", err)
	}
	w.id = formatID(1)
	if last != "" {
		var n uint64
		if _, err := fmt.Sscanf(last, "%d", &n); err != nil {
			return nil, fmt.Errorf("malformed generation id %q", last)
		}
		w.id = formatID(n + 1)
	}
	if w.prev, err = s.CurrentID(ctx); err != nil && !errors.Is(err, engine.ErrNoGeneration) {
		return nil, err
	}
	w.table = tableOf(w.id)
	w.meta = sealed.Meta{ID: w.id, KeyID: info.KeyID, Profile: info.Profile, Format: info.Format, LookupSalt: info.LookupSalt}
	if err := w.open(ctx); err != nil {
		return nil, err
	}
	return w, nil
}

// open creates the table and starts one COPY per stream. A logged table:
// an unlogged one would not reach the standbys, and making it logged
// afterwards rewrites it.
func (w *Writer) open(ctx context.Context) error {
	a, err := w.newSeal()
	if err != nil {
		return fmt.Errorf("new generation: %w", err)
	}
	if _, err := w.lock.Exec(ctx, "CREATE TABLE "+w.table+" (k bytea NOT NULL, v bytea NOT NULL)"); err != nil {
		return fail("create the generation's table", err)
	}
	copyCtx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	for i := 0; i < w.s.opt.Streams; i++ {
		st := newCopyStream(sealed.NewSealer(a, w.id))
		w.streams = append(w.streams, st)
		go st.run(copyCtx, w.s, w.table)
	}
	return nil
}

// newSeal returns the AEAD the records are sealed with; nil in a
// plaintext store.
func (w *Writer) newSeal() (cipher.AEAD, error) {
	if w.s.opt.Plaintext {
		return nil, nil
	}
	return sealed.NewSeal(w.s.opt.Keys, &w.meta)
}

// Streams returns how many key ranges are loaded concurrently.
func (w *Writer) Streams() int { return len(w.streams) }

// Put adds one line to a stream; keys must increase strictly within it.
func (w *Writer) Put(s int, key, rec []byte) error {
	st := w.streams[s]
	if err := engine.CheckPut(s, len(w.streams), key, st.lastKey); err != nil {
		return err
	}
	st.lastKey = append(st.lastKey[:0], key...)
	return st.put(key, st.seal.Seal(key, rec))
}

// Commit finishes the COPYs, builds the primary key, analyses the table
// and switches to it in one transaction; until that commits, the previous
// generation stays current.
func (w *Writer) Commit(ctx context.Context, stats engine.CommitStats) (engine.GenerationInfo, error) {
	if w.done {
		return engine.GenerationInfo{}, errors.New("store: generation already finished")
	}
	if err := w.finish(ctx); err != nil {
		w.Abort()
		return engine.GenerationInfo{}, err
	}
	w.meta.Finish(stats)
	if err := w.publish(ctx); err != nil {
		w.Abort()
		return engine.GenerationInfo{}, err
	}
	w.done = true
	if err := w.s.dropUnlisted(ctx, w.lock); err != nil {
		w.s.opt.Logger.Warn("old generations kept until the next ingest", "err", err)
	}
	w.unlock(ctx)
	return w.meta.Info(), nil
}

func (w *Writer) finish(ctx context.Context) error {
	var errs []error
	for _, st := range w.streams {
		errs = append(errs, st.stop())
	}
	if err := errors.Join(errs...); err != nil {
		return fail("load the generation", err)
	}
	// fillfactor 100: the table never changes, so its pages can be full.
	if _, err := w.lock.Exec(ctx, "ALTER TABLE "+w.table+" ADD PRIMARY KEY (k) WITH (fillfactor = 100)"); err != nil {
		return fail("index the generation", err)
	}
	if _, err := w.lock.Exec(ctx, "ANALYZE "+w.table); err != nil {
		return fail("analyse the generation", err)
	}
	return nil
}

// publish is the switch: the new metadata row, the pointer, and the
// metadata of generations older than the previous one gone, in one
// transaction. Their tables are dropped after it, by dropUnlisted.
func (w *Writer) publish(ctx context.Context) error {
	b, mac, err := sealed.MarshalMeta(w.s.opt.Keys, &w.meta)
	if err != nil {
		return fmt.Errorf("write generation metadata: %w", err)
	}
	err = pgx.BeginFunc(ctx, w.lock, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO "+metaTable+" (id, meta, mac) VALUES ($1, $2, $3)", w.id, b, mac); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO "+currentTable+" (one, generation) VALUES (true, $1) ON CONFLICT (one) DO UPDATE SET generation = excluded.generation", w.id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "DELETE FROM "+metaTable+" WHERE id <> $1 AND id <> $2", w.id, w.prev)
		return err
	})
	if err != nil {
		return fail("make the generation current", err)
	}
	return nil
}

// Abort discards the generation being built.
func (w *Writer) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	w.cancel()
	for _, st := range w.streams {
		st.stop()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := w.lock.Exec(ctx, "DROP TABLE IF EXISTS "+w.table)
	w.unlock(ctx)
	if err != nil {
		return fail("drop the unfinished generation", err)
	}
	return nil
}

// unlock releases the advisory lock and closes its session. Explicitly:
// the server releases a closed session's locks only as its backend
// exits, which the next ingest might not wait for.
func (w *Writer) unlock(ctx context.Context) {
	w.lock.Exec(ctx, "SELECT pg_advisory_unlock($1)", lockKey)
	w.lock.Close(ctx)
}

// dropUnlisted drops every generation table without a metadata row: what
// a killed ingest left, and generations a commit no longer keeps. It runs
// under the ingest lock. Readers still on a dropped generation have moved
// on by now (they poll every few seconds); a drop that waits too long for
// one is left to the next ingest.
func (s *Store) dropUnlisted(ctx context.Context, lock *pgx.Conn) error {
	rows, err := lock.Query(ctx, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name LIKE 'kycmatch_gen_%' AND table_name NOT IN (SELECT 'kycmatch_gen_' || id FROM "+metaTable+")")
	if err != nil {
		return fail("list generation tables", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fail("list generation tables", err)
	}
	slices.Sort(names)
	for _, n := range names {
		if id, ok := strings.CutPrefix(n, genPrefix); !ok || !validID(id) {
			continue // LIKE's _ matches any character: kycmatch_generations
		}
		if _, err := lock.Exec(ctx, "SET lock_timeout = '10s'; DROP TABLE IF EXISTS "+pgx.Identifier{n}.Sanitize()+"; RESET lock_timeout"); err != nil {
			return fail("drop old generation "+strings.TrimPrefix(n, genPrefix), err)
		}
		s.opt.Logger.Info("dropped a generation no longer kept", "table", n)
	}
	return nil
}

// copyStream is one COPY, fed batches of rows by Put through a channel.
type copyStream struct {
	seal    *sealed.Sealer
	lastKey []byte
	cur     *batch
	full    chan *batch // to the COPY
	free    chan *batch // back from it
	done    chan struct{}
	mu      sync.Mutex
	err     error // the COPY's error, once it ended
	stopped bool
}

// Three batches go round: one filled by Put, one in the channel, one
// being copied; free holds them all, so no hand-back ever blocks.

// batch is rows packed into one buffer: key and value of row i end at
// ends[i][0] and ends[i][1].
type batch struct {
	buf  []byte
	ends [][2]int
}

const batchRows, batchBytes = 1024, 1 << 20

func newCopyStream(seal *sealed.Sealer) *copyStream {
	st := &copyStream{seal: seal, cur: &batch{}, full: make(chan *batch, 1), free: make(chan *batch, 3), done: make(chan struct{})}
	st.free <- &batch{}
	st.free <- &batch{}
	return st
}

func (st *copyStream) put(key, v []byte) error {
	b := st.cur
	b.buf = append(append(b.buf, key...), v...)
	b.ends = append(b.ends, [2]int{len(b.buf) - len(v), len(b.buf)})
	if len(b.ends) < batchRows && len(b.buf) < batchBytes {
		return nil
	}
	st.full <- b
	st.cur = <-st.free
	return st.failed()
}

func (st *copyStream) failed() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.err
}

// run is the COPY; after it ends, failed or not, it hands back whatever
// Put still sends, so Put never blocks on a dead stream.
func (st *copyStream) run(ctx context.Context, s *Store, table string) {
	defer close(st.done)
	err := st.copy(ctx, s, table)
	st.mu.Lock()
	st.err = err
	st.mu.Unlock()
	for b := range st.full {
		st.free <- b.reset()
	}
}

func (st *copyStream) copy(ctx context.Context, s *Store, table string) error {
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	name := strings.Trim(table, `"`)
	_, err = c.Conn().CopyFrom(ctx, pgx.Identifier{name}, []string{"k", "v"}, &source{st: st})
	return err
}

// stop sends the last batch, ends the COPY and returns its error.
func (st *copyStream) stop() error {
	if !st.stopped {
		st.stopped = true
		if len(st.cur.ends) > 0 {
			st.full <- st.cur
		}
		st.cur = nil
		close(st.full)
	}
	<-st.done
	return st.failed()
}

func (b *batch) reset() *batch {
	b.buf, b.ends = b.buf[:0], b.ends[:0]
	return b
}

// source is the COPY's pgx.CopyFromSource: the rows of the batches Put
// sends, until the stream stops.
type source struct {
	st    *copyStream
	b     *batch
	i     int
	start int
	row   [2]any
}

func (s *source) Next() bool {
	for s.b == nil || s.i == len(s.b.ends) {
		if s.b != nil {
			s.st.free <- s.b.reset()
			s.b = nil
		}
		b, ok := <-s.st.full
		if !ok {
			return false
		}
		s.b, s.i, s.start = b, 0, 0
	}
	e := s.b.ends[s.i]
	s.row[0], s.row[1] = s.b.buf[s.start:e[0]], s.b.buf[e[0]:e[1]]
	s.start, s.i = e[1], s.i+1
	return true
}

// Values returns the current row; pgx encodes it before calling Next.
func (s *source) Values() ([]any, error) { return s.row[:], nil }

func (s *source) Err() error { return nil }
