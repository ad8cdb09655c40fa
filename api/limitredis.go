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

// countScript counts a batch of requests, each against its keys in turn,
// in one round trip and atomically, so that processes sharing the Redis
// never both take the last request of a budget. A key's window opens with
// its first request (PEXPIRE then) and closes when the key expires; a
// refused request still counts, which changes nothing once a key is over,
// and is not counted against its later keys. ARGV holds, per request, its
// number of keys and then each key's limit and window in milliseconds;
// KEYS holds the keys of all requests in order. It returns, per request,
// the 1-based index of its first key over its limit and the milliseconds
// left in that key's window, or 0, 0.
var countScript = redis.NewScript(`
local out, k, a = {}, 1, 1
while a <= #ARGV do
  local n = tonumber(ARGV[a]); a = a + 1
  local refused, ttl = 0, 0
  for j = 1, n do
    local limit, window = tonumber(ARGV[a]), tonumber(ARGV[a+1]); a = a + 2
    if refused == 0 then
      local c = redis.call('INCR', KEYS[k])
      if c == 1 then redis.call('PEXPIRE', KEYS[k], window) end
      if c > limit then
        ttl = redis.call('PTTL', KEYS[k])
        if ttl < 0 then redis.call('PEXPIRE', KEYS[k], window); ttl = window end
        refused = j
      end
    end
    k = k + 1
  end
  out[#out+1] = refused; out[#out+1] = ttl
end
return out
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
	calls    chan *redisCall
	stop     chan struct{}
	stopOnce sync.Once
	workers  sync.WaitGroup
}

// ErrRedisURL is NewRedisCounter's error for a URL it cannot use. The URL
// is never repeated: it may hold a password.
var ErrRedisURL = errors.New("want redis://[USER:PASSWORD@]HOST:PORT/DB")

// NewRedisCounter returns a counter in the Redis at url
// (redis://HOST:PORT/DB, go-redis's URL options allowed). It does not
// connect yet. Timeouts the URL leaves unset are short (250 ms to dial,
// 100 ms to read or write) and failed commands and dials are not retried,
// because a request waits for its count. Its metrics go to m, when not nil.
func NewRedisCounter(url string, log *slog.Logger, m *Metrics) (*RedisCounter, error) {
	opt, err := redisOptions(url)
	if err != nil {
		return nil, err
	}
	quietRedis.Do(func() { redis.SetLogger(silent{}) })
	opt.DialTimeout = cmp.Or(opt.DialTimeout, 250*time.Millisecond)
	opt.ReadTimeout = cmp.Or(opt.ReadTimeout, 100*time.Millisecond)
	opt.WriteTimeout = cmp.Or(opt.WriteTimeout, 100*time.Millisecond)
	if opt.MaxRetries == 0 {
		opt.MaxRetries = -1
	}
	// go-redis would otherwise dial 5 times, 100 ms apart, before a count
	// gives up on a Redis that is down.
	opt.DialerRetries = cmp.Or(opt.DialerRetries, 1)
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
	c.calls, c.stop = make(chan *redisCall, redisWorkers*redisMaxBatch), make(chan struct{})
	c.workers.Add(redisWorkers)
	for range redisWorkers {
		go c.work()
	}
	return c, nil
}

// CheckRedisURL returns ErrRedisURL when NewRedisCounter cannot use url.
func CheckRedisURL(url string) error {
	_, err := redisOptions(url)
	return err
}

func redisOptions(url string) (*redis.Options, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, ErrRedisURL
	}
	return opt, nil
}

// Close stops the counter and closes its connections to Redis; later
// counts are local.
func (c *RedisCounter) Close() error {
	c.stopOnce.Do(func() { close(c.stop) })
	c.workers.Wait()
	return c.rdb.Close()
}

// Count implements Counter.
func (c *RedisCounter) Count(ctx context.Context, now time.Time, hits []Hit) (int, time.Duration) {
	if c.down.Load() {
		at := c.retryAt.Load()
		if now.UnixNano() < at || !c.retryAt.CompareAndSwap(at, now.Add(redisRetry).UnixNano()) {
			return c.local.Count(ctx, now, hits)
		}
	}
	call := redisCalls.Get().(*redisCall)
	defer redisCalls.Put(call)
	call.keys, call.args = call.keys[:0], call.args[:0]
	for _, h := range hits {
		ms := h.Window.Milliseconds()
		call.keys = append(call.keys, "kycmatch:limit:"+h.Scope+":"+strconv.FormatInt(ms, 10)+":"+h.Key)
		call.args = append(call.args, h.Limit, ms)
	}
	select {
	case c.calls <- call:
	case <-c.stop:
		return c.local.Count(ctx, now, hits)
	}
	<-call.done
	r, err := call.res, call.err
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

// A redisCall is one Count waiting for its reply.
type redisCall struct {
	keys []string
	args []any
	res  []int64
	err  error
	done chan struct{} // one value per reply, so that calls can be pooled
}

var redisCalls = sync.Pool{New: func() any { return &redisCall{done: make(chan struct{}, 1)} }}

// Counts waiting at the same time go to Redis in one script call: one
// round trip and one system call on each side for the lot, where one each
// per request would leave Redis and this process mostly waiting on the
// kernel. A few workers keep several batches in flight.
const (
	redisWorkers  = 2
	redisMaxBatch = 64
)

func (c *RedisCounter) work() {
	defer c.workers.Done()
	batch := make([]*redisCall, 0, redisMaxBatch)
	for {
		select {
		case <-c.stop:
			return
		case call := <-c.calls:
			batch = append(batch[:0], call)
		}
	more:
		for len(batch) < redisMaxBatch {
			select {
			case call := <-c.calls:
				batch = append(batch, call)
			default:
				break more
			}
		}
		c.send(batch)
	}
}

// send counts every call of batch with one run of the script: one command
// for Redis to parse and one script call, however many requests wait.
// Script.Run loads the script when Redis does not hold it (a new or
// restarted Redis).
func (c *RedisCounter) send(batch []*redisCall) {
	var keys []string
	var args []any
	for _, call := range batch {
		keys = append(keys, call.keys...)
		args = append(append(args, len(call.keys)), call.args...)
	}
	// The client's timeouts bound it.
	r, err := countScript.Run(context.Background(), c.rdb, keys, args...).Int64Slice()
	if err == nil && len(r) != 2*len(batch) {
		err = errors.New("count script: unexpected reply")
	}
	for i, call := range batch {
		if call.err = err; err == nil {
			call.res = r[2*i : 2*i+2]
		}
		call.done <- struct{}{}
	}
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
