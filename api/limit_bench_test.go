package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/kycmatch/kycmatch/api"
	"github.com/kycmatch/kycmatch/internal/kyctest"
)

// BenchmarkLimits is BenchmarkHandler's match, over 2 000 lines in turn,
// from 8 goroutines per core, without limits, with a per-client and a
// per-line limit counted in the process, and with both counted in a
// Redis on loopback, interleaved in three rounds (the machine's load
// drifts more than the differences measured).
func BenchmarkLimits(b *testing.B) {
	const lines = 2000
	rs := kyctest.Redis(b)
	limits := func(c *api.Config) {
		c.RateLimit, c.RateWindow = 1<<30, time.Second
		c.LineRateLimit, c.LineRateWindow = 1<<30, time.Hour
	}
	redis := func(c *api.Config) {
		rc, err := api.NewRedisCounter(rs.URL(), nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { rc.Close() })
		c.Counter = rc
	}
	cases := []struct {
		name string
		mods []func(*api.Config)
	}{{"NoLimits", nil}, {"Local", []func(*api.Config){limits}}, {"Redis", []func(*api.Config){limits, redis}}}
	var bodies [lines][]byte
	for i := range bodies {
		bodies[i] = fmt.Appendf(nil, `{"phoneNumber":"+346%08d","name":"Ana María Gil","givenName":"Ana María","familyName":"Gil",`+
			`"birthdate":"1990-01-31","email":"ana.gil@example.com","postalCode":"28013","country":"ES","gender":"FEMALE",`+
			`"idDocument":"12345678Z","nationality":"ES"}`, i)
	}
	handlers := make([]http.Handler, len(cases))
	tokens := make([]string, len(cases))
	for i, tc := range cases {
		handlers[i], tokens[i] = benchServer(b, lines, tc.mods...)
	}
	for range 3 {
		for i, tc := range cases {
			benchParallel(b, tc.name, handlers[i], tokens[i], bodies[:])
		}
	}
}

func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchParallel(b *testing.B, name string, h http.Handler, token string, bodies [][]byte) {
	lines := int64(len(bodies))
	{
		b.Run(name, func(b *testing.B) {
			var n atomic.Int64
			cpu0 := processCPU(b)
			b.SetParallelism(8)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req := httptest.NewRequest(http.MethodPost, "/kyc-match/vwip/match", bytes.NewReader(bodies[n.Add(1)%lines]))
					req.Header.Set("Authorization", "Bearer "+token)
					req.Header.Set("Content-Type", "application/json")
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Errorf("%d %s", rec.Code, rec.Body)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
			// This process's CPU per request, Redis's own excluded: on a
			// shared machine it varies less than req/s.
			b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}
