package api

import (
	"cmp"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/kycmatch/kycmatch/api/auth"
	"github.com/kycmatch/kycmatch/engine"
)

// MaxBody is the largest request body accepted (contract §4).
const MaxBody = 64 << 10

// RequiredScope is the OAuth2 scope of the match operation.
const RequiredScope = "kyc-match:match"

// Config wires the public handler.
type Config struct {
	Matcher  Matcher
	Verifier auth.Verifier
	// RequireIDDocument is the v0.4 operator option of idDocument
	// second-level validation.
	RequireIDDocument bool
	// RateLimit is requests per RateWindow (default a second) per
	// client; 0 is off.
	RateLimit  int
	RateWindow time.Duration
	// LineRateLimit is match requests per LineRateWindow (default a
	// second) about one line, all clients together; 0 is off.
	LineRateLimit  int
	LineRateWindow time.Duration
	// Counter counts both limits; nil counts in this process alone.
	Counter Counter
	// Lines gives the pseudonym of the audit lines and the per-line
	// counter; nil makes a key of this process alone.
	Lines LineIDs
	// Scores coarsen the scores of every answer.
	Scores Scores
	Logger *slog.Logger
	// Audit, when set, receives the audit line of every answered match
	// instead of Logger: one JSON object per Write, in the shape of
	// slog.JSONHandler's lines, written only while Logger is enabled at
	// Info. It must take concurrent writes. The line is built by hand
	// because a slog JSON line costs several times more, at one line per
	// request.
	Audit   io.Writer
	Metrics *Metrics // nil: none
}

// NewHandler returns the public API: the match routes of every version,
// with CAMARA errors for everything else. Admin endpoints are never here.
func NewHandler(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &server{cfg: cfg, counter: cfg.Counter, lines: cfg.Lines,
		rateWindow: cmp.Or(cfg.RateWindow, time.Second), lineWindow: cmp.Or(cfg.LineRateWindow, time.Second)}
	if s.counter == nil {
		s.counter = NewLocalCounter()
	}
	if s.lines == nil {
		s.lines = ephemeralLines()
	}
	r := chi.NewRouter()
	s.mux = r
	r.Use(s.recoverer, s.observe, correlator)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) { writeError(w, r, &engine.Error{Code: codeRouteNotFound}) })
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		// RFC 9110 §15.5.6: a 405 names the allowed methods; every route is a POST.
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, r, &engine.Error{Code: codeMethod})
	})
	r.Group(func(r chi.Router) {
		r.Use(auth.Middleware(cfg.Verifier, RequiredScope, s.authError))
		for _, v := range Versions {
			r.Post("/kyc-match/"+v.Name()+"/match", s.match(v))
		}
	})
	return r
}

type server struct {
	cfg     Config
	mux     *chi.Mux // for the route of requests it did not route
	counter Counter
	lines   LineIDs
	// the limits' windows, defaults applied
	rateWindow, lineWindow time.Duration
}

// authError maps the verifier's two outcomes onto the error table. The
// log says which check failed, as a category, for support, and the client
// of a verified token (a 403's; a 401 has none worth trusting); the error's
// text (never the token) only at debug.
func (s *server) authError(w http.ResponseWriter, r *http.Request, p *auth.Principal, err error) {
	attrs := []slog.Attr{slog.String("reason", auth.Reason(err))}
	if p != nil {
		attrs = append(attrs, slog.String("client", p.ClientID))
	}
	attrs = append(attrs, slog.String("correlator", correlatorOf(w)))
	s.cfg.Logger.LogAttrs(r.Context(), slog.LevelInfo, "request refused", attrs...)
	s.cfg.Logger.Debug("request not authorised", "err", err, "correlator", correlatorOf(w))
	if errors.Is(err, auth.ErrPermissionDenied) {
		writeError(w, r, &engine.Error{Code: engine.EPERMISSION})
		return
	}
	writeError(w, r, &engine.Error{Code: engine.EUNAUTHENTICATED})
}

var bodies = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// match is the one handler of every version.
func (s *server) match(v *Version) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !isJSON(r.Header.Get("Content-Type")) || !identityEncoding(r.Header.Get("Content-Encoding")) {
			writeError(w, r, &engine.Error{Code: codeMediaType})
			return
		}
		bp := bodies.Get().(*[]byte)
		defer bodies.Put(bp)
		body, err := readBody(r, (*bp)[:0])
		*bp = body[:0]
		if err != nil {
			writeError(w, r, err)
			return
		}
		p, _ := auth.FromContext(r.Context())
		// The gate counts the request and coarsens the answer (limit.go).
		g := s.newGate(w, p)
		defer gates.Put(g)
		res, err := Answer(r.Context(), g, v, body, Caller{Phone: p.Phone}, s.cfg.RequireIDDocument)
		if err = g.finish(r.Context(), p, err); err != nil {
			res = nil
		}
		s.audit(w, r, v, p, g.line, res, err)
		if err != nil {
			writeError(w, r, err)
			return
		}
		if s.cfg.Metrics != nil {
			s.cfg.Metrics.countResults(res)
		}
		// The body's bytes are no longer needed: the request's values, which
		// may alias them, are not read after Answer returns.
		out := AppendResult(body[:0], res)
		*bp = out[:0]
		writeJSON(w, http.StatusOK, out)
	}
}

// isJSON accepts application/json with or without parameters (charset).
// The common spellings are checked without mime.ParseMediaType, which
// allocates a map per request.
func isJSON(ct string) bool {
	if ct == "application/json" || strings.EqualFold(ct, "application/json; charset=utf-8") {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/json"
}

// identityEncoding refuses compressed bodies, which the API does not take:
// 415 names the problem where a 400 would blame the JSON.
func identityEncoding(ce string) bool { return ce == "" || strings.EqualFold(ce, "identity") }

// readBody reads at most MaxBody bytes; a longer body is 413 whatever its
// declared length.
func readBody(r *http.Request, dst []byte) ([]byte, error) {
	if r.ContentLength > MaxBody {
		return dst, &engine.Error{Code: codeTooLarge}
	}
	for {
		if len(dst) == cap(dst) {
			dst = append(dst, 0)[:len(dst)]
		}
		// Reading at most one byte past MaxBody tells a long body without
		// an io.LimitReader, one allocation per request.
		n, err := r.Body.Read(dst[len(dst):min(cap(dst), MaxBody+1)])
		dst = dst[:len(dst)+n]
		if len(dst) > MaxBody {
			return dst, &engine.Error{Code: codeTooLarge}
		}
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst, &engine.Error{Code: engine.EINVALID, Message: "The request body could not be read."}
		}
	}
}

// audit writes one line per answered match: who asked, about which line
// (its pseudonym), under which correlator, which attributes, and the
// results. Never a value, nor the phone number.
func (s *server) audit(w http.ResponseWriter, r *http.Request, v *Version, p *auth.Principal, line string, res *engine.Result, err error) {
	ctx := r.Context()
	if !s.cfg.Logger.Enabled(ctx, slog.LevelInfo) {
		return
	}
	outcome, status := "OK", http.StatusOK
	if err != nil {
		info := ErrorInfoOf(err)
		outcome, status, res = info.Code, info.Status, nil
	}
	var latency time.Duration
	if rw, ok := w.(*recorder); ok {
		latency = time.Since(rw.start)
	}
	if s.cfg.Audit != nil {
		writeAudit(s.cfg.Audit, time.Now(), clientOf(p), line, correlatorOf(w), v.Name(), outcome, status, latency, res)
		return
	}
	// Without an audit writer the line goes through Logger. The Record is
	// built here, as the log/slog docs show for wrappers: Logger.LogAttrs
	// would also walk the stack for a source position nobody reads.
	rec := slog.NewRecord(time.Now(), slog.LevelInfo, "match", 0)
	rec.AddAttrs(auditAttrs(clientOf(p), line, correlatorOf(w), v.Name(), outcome, status, latency, res)...)
	// A handler's error has nowhere better to go than the handler.
	_ = s.cfg.Logger.Handler().Handle(ctx, rec)
}

func clientOf(p *auth.Principal) string {
	if p == nil {
		return ""
	}
	return p.ClientID
}

// writeError sends err as a CAMARA error body.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	info := ErrorInfoOf(err)
	if rw, ok := w.(*recorder); ok {
		rw.code = info.Code
		if engine.ErrorCode(err) == engine.EINTERNAL {
			rw.internal = err
		}
	}
	_, body := ErrorBody(err)
	writeJSON(w, info.Status, body)
}

// correlatorOf returns the request's correlator, kept in the recorder
// rather than the context: a context value would copy the request.
func correlatorOf(w http.ResponseWriter) string {
	if rw, ok := w.(*recorder); ok {
		return rw.correlator
	}
	return ""
}

// correlator echoes a valid x-correlator and makes one up otherwise; an
// invalid one is refused, with a made-up one in the response so that even
// the error can be traced.
func correlator(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := r.Header.Get("x-correlator")
		valid := validCorrelator(c)
		if c == "" || !valid {
			c = newCorrelator()
		}
		w.Header()["X-Correlator"] = []string{c}
		if rw, ok := w.(*recorder); ok {
			rw.correlator = c
		}
		if !valid {
			writeError(w, r, &engine.Error{Code: engine.EINVALID, Message: "The x-correlator header does not match its pattern."})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// validCorrelator checks ^[a-zA-Z0-9-_:;.\/<>{}]{0,256}$.
func validCorrelator(c string) bool {
	if len(c) > 256 {
		return false
	}
	for i := 0; i < len(c); i++ {
		switch b := c[i]; {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9':
		case b == '-' || b == '_' || b == ':' || b == ';' || b == '.' || b == '/' || b == '<' || b == '>' || b == '{' || b == '}':
		default:
			return false
		}
	}
	return true
}

// newCorrelator makes a random UUID (version 4). A correlator is a trace
// id the client sees anyway, not a secret, so it comes from math/rand/v2's
// per-thread ChaCha8 generator (seeded by the runtime from the system's
// entropy) rather than crypto/rand, which costs a getrandom system call per
// request here.
func newCorrelator() string {
	var u [16]byte
	binary.LittleEndian.PutUint64(u[:8], mrand.Uint64())
	binary.LittleEndian.PutUint64(u[8:], mrand.Uint64())
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}
