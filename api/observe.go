package api

import (
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/kycmatch/kycmatch/engine"
)

// recorder remembers what was answered, for metrics and logs.
type recorder struct {
	http.ResponseWriter
	status   int
	code     string // CAMARA code of an error response
	internal error  // cause of a 500, for the log only
	wrote    bool
	// correlator of the request, for logs
	correlator string
	start      time.Time // for the audit line's latency
}

func (rw *recorder) WriteHeader(status int) {
	if !rw.wrote {
		rw.status, rw.wrote = status, true
	}
	rw.ResponseWriter.WriteHeader(status)
}

func (rw *recorder) Write(b []byte) (int, error) {
	if !rw.wrote {
		rw.status, rw.wrote = http.StatusOK, true
	}
	return rw.ResponseWriter.Write(b)
}

var recorders = sync.Pool{New: func() any { return new(recorder) }}

// observe times every request and records its route, status and CAMARA
// code. Routes are chi's patterns, never the raw path, so no label can
// carry what a client put in a URL.
func (s *server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		if s.cfg.Metrics != nil {
			s.cfg.Metrics.inFlight.Inc()
			defer s.cfg.Metrics.inFlight.Dec()
		}
		rw := recorders.Get().(*recorder)
		*rw = recorder{ResponseWriter: w, status: http.StatusOK, start: start}
		defer recorders.Put(rw)
		next.ServeHTTP(rw, r)
		route := s.route(r)
		elapsed := time.Since(start)
		if s.cfg.Metrics != nil {
			s.cfg.Metrics.observe(route, rw.status, rw.code, elapsed)
		}
		if rw.internal != nil {
			s.cfg.Logger.Error("internal error", "route", route, "correlator", rw.correlator, "err", rw.internal)
		}
		s.cfg.Logger.LogAttrs(r.Context(), slog.LevelDebug, "request",
			slog.String("method", r.Method), slog.String("route", route), slog.Int("status", rw.status),
			slog.String("code", rw.code), slog.Duration("elapsed", elapsed), slog.String("correlator", rw.correlator))
	})
}

// recoverer turns a panic into a CAMARA 500. The panic value is not logged:
// it could hold anything the failing code was looking at; the stack, which
// holds only code positions and pointers, is.
func (s *server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.cfg.Logger.Error("panic while serving a request", "correlator", correlatorOf(w), "stack", string(debug.Stack()))
			if rw, ok := w.(*recorder); !ok || !rw.wrote {
				writeError(w, r, &engine.Error{Code: engine.EINTERNAL})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// route is the request's route pattern: chi's when it routed the request;
// for a refusal before routing (a bad correlator) or a 405, the pattern
// the path matches with the method every route takes; "unmatched" for a
// path that is no route.
func (s *server) route(r *http.Request) string {
	if p := chi.RouteContext(r.Context()).RoutePattern(); p != "" && r.Method == http.MethodPost {
		return p
	}
	if p := s.mux.Find(chi.NewRouteContext(), http.MethodPost, r.URL.Path); p != "" {
		return p
	}
	return "unmatched"
}
