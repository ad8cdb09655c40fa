package api

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// countScript counts one request against each key in turn, in one round
// trip and atomically, so that processes sharing the Redis never both
// take the last request of a budget. A key's window opens with its first
// request (PEXPIRE then) and closes when the key expires; a refused
// request still counts, which changes nothing once a key is over.
// ARGV holds each key's limit and window in milliseconds. It returns the
// 1-based index of the first key over its limit and the milliseconds left
// in its window, or {0, 0}.
var countScript = redis.NewScript(`
for i, key in ipairs(KEYS) do
  local limit, window = tonumber(ARGV[2*i-1]), tonumber(ARGV[2*i])
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('PEXPIRE', key, window) end
  if n > limit then
    local ttl = redis.call('PTTL', key)
    if ttl < 0 then redis.call('PEXPIRE', key, window); ttl = window end
    return {i, ttl}
  end
end
return {0, 0}
`)

// redisRetry is how long a RedisCounter that lost Redis counts locally
// before one request tries Redis again.
const redisRetry = time.Second

// RedisCounter counts in Redis, so every process that uses the same Redis
// enforces one budget per key. When Redis cannot be reached it counts in
// this process (a LocalCounter) instead, logs that once, counts each
// failure in kycmatch_rate_limit_redis_errors_total, and tries Redis again
// every second with one request, going back to it as soon as it answers:
// a request is never failed or delayed for long because Redis is down.
// Safe for concurrent use.
type RedisCounter struct {
	rdb      *redis.Client
	local    *LocalCounter
	log      *slog.Logger
	errs     prometheus.Counter
	fallback prometheus.Gauge
	down     atomic.Bool
	retryAt  atomic.Int64 // unix nanoseconds; while down, when one request next tries Redis
}

// ErrRedisURL is NewRedisCounter's error for a URL it cannot use. The URL
// is never repeated: it may hold a password.
var ErrRedisURL = errors.New("want redis://[USER:PASSWORD@]HOST:PORT/DB")

// NewRedisCounter returns a counter in the Redis at url
// (redis://HOST:PORT/DB, go-redis's URL options allowed). It does not
// connect yet. Timeouts the URL leaves unset are short (250 ms to dial,
// 100 ms to read or write) and failed commands are not retried, because a
// request waits for its count. Its metrics go to m, when not nil.
func NewRedisCounter(url string, log *slog.Logger, m *Metrics) (*RedisCounter, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, ErrRedisURL
	}
	quietRedis.Do(func() { redis.SetLogger(silent{}) })
	opt.DialTimeout = cmp.Or(opt.DialTimeout, 250*time.Millisecond)
	opt.ReadTimeout = cmp.Or(opt.ReadTimeout, 100*time.Millisecond)
	opt.WriteTimeout = cmp.Or(opt.WriteTimeout, 100*time.Millisecond)
	if opt.MaxRetries == 0 {
		opt.MaxRetries = -1
	}
	c := &RedisCounter{rdb: redis.NewClient(opt), local: NewLocalCounter(), log: log,
		errs: prometheus.NewCounter(prometheus.CounterOpts{Name: "kycmatch_rate_limit_redis_errors_total",
			Help: "Rate-limit counts that Redis did not answer; each was counted in this process instead."}),
		fallback: prometheus.NewGauge(prometheus.GaugeOpts{Name: "kycmatch_rate_limit_redis_fallback",
			Help: "1 while rate limits are counted in this process because Redis cannot be reached."}),
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if m != nil {
		m.Registry.MustRegister(c.errs, c.fallback)
	}
	return c, nil
}

// Close closes the connections to Redis.
func (c *RedisCounter) Close() error { return c.rdb.Close() }

// Count implements Counter.
func (c *RedisCounter) Count(ctx context.Context, now time.Time, hits []Hit) (int, time.Duration) {
	if c.down.Load() {
		at := c.retryAt.Load()
		if now.UnixNano() < at || !c.retryAt.CompareAndSwap(at, now.Add(redisRetry).UnixNano()) {
			return c.local.Count(ctx, now, hits)
		}
	}
	keys := make([]string, len(hits))
	args := make([]any, 0, 2*len(hits))
	for i, h := range hits {
		ms := h.Window.Milliseconds()
		keys[i] = "kycmatch:limit:" + strconv.FormatInt(ms, 10) + ":" + h.Key
		args = append(args, h.Limit, ms)
	}
	// A client that hangs up must not look like Redis going away.
	r, err := countScript.Run(context.WithoutCancel(ctx), c.rdb, keys, args...).Int64Slice()
	if err == nil && len(r) != 2 {
		err = errors.New("count script: unexpected reply")
	}
	if err != nil {
		c.failed(now, err)
		return c.local.Count(ctx, now, hits)
	}
	if c.down.CompareAndSwap(true, false) {
		c.fallback.Set(0)
		c.log.Info("rate limits: Redis answers again; counting there")
	}
	return int(r[0]) - 1, time.Duration(r[1]) * time.Millisecond
}

// go-redis logs every failed dial to stderr by itself, outside the
// process's JSON log; the counter logs an outage once, and the metric
// counts each failure.
var quietRedis sync.Once

type silent struct{}

func (silent) Printf(context.Context, string, ...any) {}

func (c *RedisCounter) failed(now time.Time, err error) {
	c.errs.Inc()
	if c.down.CompareAndSwap(false, true) {
		c.retryAt.Store(now.Add(redisRetry).UnixNano())
		c.fallback.Set(1)
		c.log.Warn("rate limits: cannot reach Redis; counting in this process until it answers", "err", err)
	}
}
