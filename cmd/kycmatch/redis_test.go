package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kycmatch/kycmatch/internal/kyctest"
)

// metric is the value of an unlabelled metric on p's admin listener.
func (p *serveProcess) metric(t *testing.T, name string) float64 {
	t.Helper()
	for _, l := range strings.Split(get(t, "http://"+p.adminAddr+"/metrics").body, "\n") {
		if v, ok := strings.CutPrefix(l, name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

func lineBody(phone string) string {
	return `{"phoneNumber":"` + phone + `","name":"Marta Serrano Vela"}`
}

// TestRedisSharedLineBudget: two serve processes on one Redis enforce one
// per-line budget, and Redis holds pseudonyms, never the number.
func TestRedisSharedLineBudget(t *testing.T) {
	rs := kyctest.Redis(t)
	e := newServeEnv(t)
	e.ingest(t, e.kr)
	flags := []string{"--line-rate-limit", "3/h", "--rate-limit", "1000/s", "--rate-limit-redis", rs.URL()}
	p1, p2 := startServe(t, e, flags...), startServe(t, e, flags...)
	tok := e.token(t)
	var got []int
	for _, p := range []*serveProcess{p1, p2, p1, p2, p1} {
		r := p.match(t, tok, lineBody(servePhone))
		got = append(got, r.status)
		if r.status == 429 {
			if n, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || n < 3590 || n > 3600 {
				t.Errorf("Retry-After %q, want the rest of the hour", r.header.Get("Retry-After"))
			}
		}
	}
	if want := []int{200, 200, 200, 429, 429}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("statuses over two processes %v, want %v", got, want)
	}
	opt, _ := redis.ParseURL(rs.URL())
	keys, err := redis.NewClient(opt).Keys(context.Background(), "*").Result()
	if err != nil || len(keys) != 2 {
		t.Fatalf("Redis keys %q, %v: want one client's and one line's", keys, err)
	}
	for _, k := range keys {
		if strings.Contains(k, strings.TrimPrefix(servePhone, "+")[2:]) {
			t.Errorf("Redis key %q holds the phone number", k)
		}
	}
}

// TestRedisDown: Redis killed under load fails no request; both processes
// count locally and say so in their metrics; once Redis is back they
// share one budget again by themselves.
func TestRedisDown(t *testing.T) {
	rs := kyctest.Redis(t)
	e := newServeEnv(t)
	e.ingest(t, e.kr)
	flags := []string{"--line-rate-limit", "3/h", "--rate-limit", "100000/s", "--rate-limit-redis", rs.URL()}
	ps := []*serveProcess{startServe(t, e, flags...), startServe(t, e, flags...)}
	tok := e.token(t)

	var n atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	bad := map[int]int{}
	stop := time.Now().Add(1500 * time.Millisecond)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				// every number once: unknown lines, each within its budget
				i := n.Add(1)
				if r := ps[w%2].match(t, tok, lineBody(fmt.Sprintf("+346990%05d", i))); r.status != 404 {
					mu.Lock()
					bad[r.status]++
					mu.Unlock()
				}
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	rs.Stop()
	wg.Wait()
	if len(bad) > 0 || n.Load() < 20 {
		t.Fatalf("with Redis killed under load: %d requests, statuses other than 404: %v", n.Load(), bad)
	}
	for i, p := range ps {
		if p.metric(t, "kycmatch_rate_limit_redis_errors_total") < 1 || p.metric(t, "kycmatch_rate_limit_redis_fallback") != 1 {
			t.Errorf("process %d: Redis errors not counted, or no fallback shown", i)
		}
		if c := strings.Count(p.stderr.String(), "cannot reach Redis"); c != 1 {
			t.Errorf("process %d logged the outage %d times, want once", i, c)
		}
	}

	rs.Start()
	time.Sleep(1200 * time.Millisecond) // past the retry interval
	var got []int
	for _, p := range []*serveProcess{ps[0], ps[1], ps[0], ps[1]} {
		got = append(got, p.match(t, tok, lineBody("+34699900001")).status)
	}
	if want := []int{404, 404, 404, 429}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after Redis came back: %v, want %v (one budget again)", got, want)
	}
	for i, p := range ps {
		if p.metric(t, "kycmatch_rate_limit_redis_fallback") != 0 {
			t.Errorf("process %d still counts locally", i)
		}
	}
}
