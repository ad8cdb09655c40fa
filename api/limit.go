package api

// Rule for this file: a phone number goes into LineIDs.Append and nowhere
// else. What is counted, logged or sent to a Counter is its pseudonym.

import (
	"context"
	"hash/maphash"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kycmatch/kycmatch/api/auth"
	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/keys"
)

// LineIDs gives the audit pseudonym of a subscriber line from its E.164
// number: *keys.LineIDs, or serve's holder of the active key version's.
type LineIDs interface {
	Append(dst []byte, phone string) []byte
}

// Hit is one request to count against a key's limit: at most Limit in a
// window of Window that opens with the key's first request. Scope names
// what Key is in ("client", "line"), so that no two scopes share a key.
type Hit struct {
	Scope, Key string
	Limit      int
	Window     time.Duration
}

// Counter counts requests (contract §4 "Against probing"). Windows are
// fixed and open at a key's first request rather than on the clock's
// boundaries, so a client's budget never doubles across a boundary, and
// a refused client learns exactly when it may ask again.
type Counter interface {
	// Count adds one request to each hit in turn and stops at the first
	// one over its limit. It returns that hit's index and the time until
	// its window closes, or -1 when every hit was within its limit. It
	// never fails: a Counter that cannot count falls back on one that can.
	Count(ctx context.Context, now time.Time, hits []Hit) (refused int, wait time.Duration)
}

// Scores coarsen what a score tells (contract §4): every score is rounded
// down to a multiple of Step (0 counts as 1), and one below Min is left
// out. The verdict stays.
type Scores struct {
	Step, Min int
}

// Apply coarsens res's scores in place.
func (sc Scores) Apply(res *engine.Result) {
	if sc.Step <= 1 && sc.Min <= 0 {
		return
	}
	step := int8(max(sc.Step, 1))
	for a, s := range res.Score {
		switch {
		case s == engine.NoScore:
		case int(s) < sc.Min:
			res.Score[a] = engine.NoScore
		default:
			res.Score[a] = s / step * step
		}
	}
}

// Matcher returns m with its scores coarsened, for one-off matches (the
// CLI's) that answer as the server would.
func (sc Scores) Matcher(m Matcher) Matcher { return coarse{m, sc} }

type coarse struct {
	m  Matcher
	sc Scores
}

func (c coarse) Match(ctx context.Context, req *engine.Request, opt engine.Options) (*engine.Result, error) {
	res, err := c.m.Match(ctx, req, opt)
	if err == nil {
		c.sc.Apply(res)
	}
	return res, err
}

// gate stands between Answer and the server's Matcher for one request: it
// sees the line once the body is valid, counts the request against the
// client's and the line's limits in one Counter call before the store is
// read, and coarsens the scores of the answer.
type gate struct {
	s      *server
	w      http.ResponseWriter
	client string
	// line is the pseudonym of the line asked about, "" until known.
	line    string
	counted bool
	hits    [2]Hit
}

var gates = sync.Pool{New: func() any { return new(gate) }}

func (s *server) newGate(w http.ResponseWriter, p *auth.Principal) *gate {
	g := gates.Get().(*gate)
	*g = gate{s: s, w: w, client: clientOf(p)}
	return g
}

func (g *gate) Match(ctx context.Context, req *engine.Request, opt engine.Options) (*engine.Result, error) {
	g.setLine(req.Phone)
	if err := g.count(ctx, true); err != nil {
		return nil, err
	}
	res, err := g.s.cfg.Matcher.Match(ctx, req, opt)
	if err == nil {
		g.s.cfg.Scores.Apply(res)
	}
	return res, err
}

func (g *gate) setLine(phone string) {
	var buf [32]byte
	g.line = string(g.s.lines.Append(buf[:0], phone))
}

// finish counts a request that Answer refused before it reached the store
// (it still counts against its client), and names the line of a
// three-legged token when the body named none. It returns the error to
// answer with.
func (g *gate) finish(ctx context.Context, p *auth.Principal, err error) error {
	if g.line == "" && p != nil && p.Phone != "" {
		g.setLine(p.Phone)
	}
	if limited := g.count(ctx, false); limited != nil {
		return limited
	}
	return err
}

// count counts the request once: against its client's limit, and, when
// line, against its line's. Over either it sets Retry-After and returns
// the 429.
func (g *gate) count(ctx context.Context, line bool) error {
	if g.counted {
		return nil
	}
	g.counted = true
	cfg := &g.s.cfg
	hits := g.hits[:0]
	if cfg.RateLimit > 0 {
		hits = append(hits, Hit{Scope: "client", Key: g.client, Limit: cfg.RateLimit, Window: g.s.rateWindow})
	}
	if line && cfg.LineRateLimit > 0 {
		hits = append(hits, Hit{Scope: "line", Key: g.line, Limit: cfg.LineRateLimit, Window: g.s.lineWindow})
	}
	if len(hits) == 0 {
		return nil
	}
	i, wait := g.s.counter.Count(ctx, time.Now(), hits)
	if i < 0 {
		return nil
	}
	reason := "rate"
	if hits[i].Scope == "line" {
		reason = "line-rate"
	}
	cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "request refused", slog.String("reason", reason),
		slog.String("client", g.client), slog.String("line", g.line), slog.String("correlator", correlatorOf(g.w)))
	g.w.Header().Set("Retry-After", strconv.FormatInt(retrySeconds(wait), 10))
	return &engine.Error{Code: codeRateLimited}
}

// retrySeconds is wait in whole seconds, rounded up (RFC 9110 §10.2.3
// has no fractions), and at least 1: a client told 0 would ask again at
// once and be refused again.
func retrySeconds(wait time.Duration) int64 {
	return max(1, int64((wait+time.Second-1)/time.Second))
}

// LocalCounter counts in this process's memory. Safe for concurrent use.
// A count is an atomic add on the key's current window, found under a
// shard's read lock: one client's key is hit by every request it makes,
// and a mutex there would serialise them.
type LocalCounter struct {
	seed   maphash.Seed
	shards [64]localShard
}

type localShard struct {
	mu sync.RWMutex
	m  map[localKey]*localCount
	// sweep is when the shard next drops closed windows (unix
	// nanoseconds), so that a key is kept about as long as its window.
	sweep atomic.Int64
	_     [64]byte // one shard per cache line: no false sharing between cores
}

type localKey struct{ scope, key string }

// localCount is a key's current window, replaced whole when it closes so
// that a count never lands in a window it did not see open.
type localCount struct{ cur atomic.Pointer[localWindow] }

type localWindow struct {
	end int64 // unix nanoseconds
	n   atomic.Int64
}

// NewLocalCounter returns an empty counter.
func NewLocalCounter() *LocalCounter {
	c := &LocalCounter{seed: maphash.MakeSeed()}
	for i := range c.shards {
		c.shards[i].m = make(map[localKey]*localCount)
	}
	return c
}

// Count implements Counter.
func (c *LocalCounter) Count(_ context.Context, now time.Time, hits []Hit) (int, time.Duration) {
	t := now.UnixNano()
	for i, h := range hits {
		if n, end := c.count(t, h).add(t, h.Window); n > int64(h.Limit) {
			return i, time.Duration(end - t)
		}
	}
	return -1, 0
}

// count finds h's counter, adding it when new.
func (c *LocalCounter) count(now int64, h Hit) *localCount {
	k := localKey{h.Scope, h.Key}
	sh := &c.shards[maphash.Comparable(c.seed, k)%uint64(len(c.shards))]
	if s := sh.sweep.Load(); now > s && sh.sweep.CompareAndSwap(s, now+int64(time.Minute)) {
		sh.mu.Lock()
		for k, lc := range sh.m {
			if lc.cur.Load().end <= now {
				delete(sh.m, k)
			}
		}
		sh.mu.Unlock()
	}
	sh.mu.RLock()
	lc := sh.m[k]
	sh.mu.RUnlock()
	if lc != nil {
		return lc
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if lc = sh.m[k]; lc == nil {
		lc = new(localCount)
		lc.cur.Store(&localWindow{}) // closed: the first add opens one
		sh.m[k] = lc
	}
	return lc
}

// add counts one request and returns the count in the window and its end.
func (lc *localCount) add(now int64, window time.Duration) (int64, int64) {
	for {
		w := lc.cur.Load()
		if now < w.end {
			return w.n.Add(1), w.end
		}
		next := &localWindow{end: now + int64(window)}
		next.n.Store(1)
		if lc.cur.CompareAndSwap(w, next) {
			return 1, next.end
		}
	}
}

// ephemeralLines are the pseudonyms of a handler configured without
// LineIDs: keyed by this process alone, so they serve the per-line
// counter but cannot be compared across processes or restarts.
func ephemeralLines() LineIDs { return keys.Ephemeral().LineIDs() }
