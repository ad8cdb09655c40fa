package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/urfave/cli/v2"

	"github.com/kycmatch/kycmatch/api"
	"github.com/kycmatch/kycmatch/api/auth"
	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/keys"
)

func serveCommand() *cli.Command {
	return &cli.Command{
		Name:  "serve",
		Usage: "answer the KYC Match API",
		Flags: append(dataFlags(),
			&cli.StringFlag{Name: "addr", Usage: "public listener HOST:PORT", Value: "127.0.0.1:8080", EnvVars: envVar("addr")},
			stringFlag("tls-cert", "PEM certificate chain for TLS on the public listener (with --tls-key; reloaded when it changes)"),
			stringFlag("tls-key", "PEM private key for --tls-cert"),
			&cli.StringFlag{Name: "admin-addr", Usage: "admin listener (healthz, readyz, metrics; always plain HTTP)", Value: "127.0.0.1:9090", EnvVars: envVar("admin-addr")},
			stringFlag("jwks", "JWKS file of the identity provider's signing keys (re-read when it changes)"),
			stringFlag("oidc-issuer", "OpenID issuer URL: discovery, JWKS fetched and refreshed"),
			stringFlag("issuer", "required iss of JWT access tokens (default: --oidc-issuer)"),
			stringFlag("audience", "required aud of JWT access tokens"),
			stringFlag("subject-claim", "claim naming the subscriber in three-legged tokens (default phone_number)"),
			stringFlag("introspection-url", "RFC 7662 endpoint for opaque tokens"),
			stringFlag("introspection-client-id", "this server's client id at the introspection endpoint"),
			stringFlag("introspection-secret-file", "file holding this server's client secret"),
			stringFlag("introspection-issuer", "required iss of introspection answers (default: --issuer, else --oidc-issuer; \"\" checks none)"),
			stringFlag("introspection-audience", "required aud of introspection answers (default: --audience; \"\" checks none)"),
			boolFlag("allow-insecure-idp", "accept plain http identity-provider URLs on hosts that are not loopback"),
			stringFlag("rate-limit", "per-client limit, e.g. 100/s or 6000/m (default off)"),
			boolFlag("require-id-document", "v0.4: idDocument must be sent and match before anything else"),
			&cli.DurationFlag{Name: "poll", Usage: "how often to look for a new current generation", Value: time.Second, EnvVars: envVar("poll")},
			&cli.DurationFlag{Name: "shutdown-timeout", Usage: "how long SIGTERM waits for requests in flight", Value: 30 * time.Second, EnvVars: envVar("shutdown-timeout")},
			stringFlag("log-level", "debug, info (default), warn or error"),
			boolFlag("admin-pprof", "also serve Go's /debug/pprof/ profiles on the admin listener"),
			allowUnsealedFlag(),
		),
		Action: serveAction,
	}
}

// serveConfig is everything serve needs, resolved from flags.
type serveConfig struct {
	data, addr, adminAddr string
	keyring               *keys.Keyring
	verifier              auth.Verifier
	tls                   *certReloader // nil: plain HTTP
	rateLimit             int
	requireIDDocument     bool
	poll, shutdownTimeout time.Duration
	logger                *slog.Logger
	// audit, when set, takes the audit lines directly: the writer logger
	// writes to, so they interleave with its lines (see api.Config.Audit).
	audit io.Writer
	pprof bool
	// allowUnsealed: see allowUnsealedFlag.
	allowUnsealed bool
}

func serveAction(c *cli.Context) error {
	if err := noArgs(c); err != nil {
		return err
	}
	sink := newLogSink(c.App.ErrWriter)
	defer sink.Close()
	if os.Getenv("GOGC") == "" {
		// The live heap is small (pools, caches) and requests allocate
		// steadily: collecting at 4× the live heap instead of 2× halves
		// the collector's share of a busy server's CPU.
		debug.SetGCPercent(400)
	}
	cfg, err := serveFlags(c, sink)
	if err != nil {
		return err
	}
	srv, err := startServer(c.Context, cfg)
	if err != nil {
		return err
	}
	cfg.logger.Info("serving", "addr", srv.Addr(), "admin_addr", srv.AdminAddr())
	<-c.Context.Done()
	return srv.Close()
}

func serveFlags(c *cli.Context, logOut io.Writer) (*serveConfig, error) {
	cfg := &serveConfig{addr: c.String("addr"), adminAddr: c.String("admin-addr"),
		requireIDDocument: c.Bool("require-id-document"), poll: c.Duration("poll"), shutdownTimeout: c.Duration("shutdown-timeout"),
		pprof: c.Bool("admin-pprof"), audit: logOut, allowUnsealed: c.Bool("allow-unsealed")}
	var err error
	if cfg.data, err = required(c, "data"); err != nil {
		return nil, err
	}
	if cfg.logger, err = newLogger(logOut, c.String("log-level")); err != nil {
		return nil, err
	}
	if cfg.tls, err = tlsFlags(c, cfg.logger); err != nil {
		return nil, err
	}
	if cfg.rateLimit, err = parseRate(c.String("rate-limit")); err != nil {
		return nil, err
	}
	if cfg.keyring, err = openDataKeyring(c, cfg.data); err != nil {
		return nil, err
	}
	if cfg.verifier, err = verifier(c, cfg.logger); err != nil {
		return nil, err
	}
	return cfg, nil
}

func newLogger(w interface{ Write([]byte) (int, error) }, level string) (*slog.Logger, error) {
	var l slog.Level
	if level != "" {
		if err := l.UnmarshalText([]byte(level)); err != nil {
			return nil, usagef("--log-level %q: want debug, info, warn or error", level)
		}
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// parseRate reads N/s or N/m as requests per second (a per-minute quota is
// spread over the minute).
func parseRate(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, unit, ok := strings.Cut(s, "/")
	v, err := strconv.Atoi(n)
	if !ok || err != nil || v <= 0 || (unit != "s" && unit != "m") {
		return 0, usagef("--rate-limit %q: want N/s or N/m, e.g. 100/s", s)
	}
	if unit == "m" {
		v = max(1, v/60)
	}
	return v, nil
}

// verifier builds token verification from the auth flags. There is no
// default: serve without an identity provider would either refuse every
// partner or trust anyone.
func verifier(c *cli.Context, log *slog.Logger) (auth.Verifier, error) {
	var jwt *auth.JWTVerifier
	var intro *auth.Introspector
	var err error
	if c.String("jwks") != "" || c.String("oidc-issuer") != "" {
		if c.String("audience") == "" {
			return nil, usagef("--audience is required with --jwks or --oidc-issuer")
		}
		jwt, err = auth.NewJWT(c.Context, auth.JWTConfig{JWKSFile: c.String("jwks"), OIDCIssuer: c.String("oidc-issuer"),
			Issuer: c.String("issuer"), Audience: c.String("audience"), SubjectClaim: c.String("subject-claim"), Logger: log,
			AllowInsecureHTTP: c.Bool("allow-insecure-idp")})
		if err != nil {
			return nil, fmt.Errorf("token verification: %w", err)
		}
	}
	if u := c.String("introspection-url"); u != "" {
		secret, err := readSecretFile(c.String("introspection-secret-file"))
		if err != nil {
			return nil, err
		}
		intro, err = auth.NewIntrospection(auth.IntrospectionConfig{URL: u, ClientID: c.String("introspection-client-id"),
			ClientSecret: secret, Issuer: orFlag(c, "introspection-issuer", cmp.Or(c.String("issuer"), c.String("oidc-issuer"))),
			Audience: orFlag(c, "introspection-audience", c.String("audience")), SubjectClaim: c.String("subject-claim"), AllowInsecureHTTP: c.Bool("allow-insecure-idp")})
		if err != nil {
			return nil, fmt.Errorf("token introspection: %w", err)
		}
	}
	if jwt == nil && intro == nil {
		return nil, usagef("configure token verification: --jwks FILE or --oidc-issuer URL (with --audience), or --introspection-url")
	}
	return auth.Chain(jwt, intro), nil
}

// orFlag is the flag's value when it was given, even empty, else def: an
// authorisation server that omits iss or aud from its answers needs a way
// to turn the default check off.
func orFlag(c *cli.Context, name, def string) string {
	if c.IsSet(name) {
		return c.String(name)
	}
	return def
}

func readSecretFile(path string) (string, error) {
	if path == "" {
		return "", usagef("--introspection-secret-file is required with --introspection-url")
	}
	b, err := keys.ReadPassphraseFile(path)
	if err != nil {
		return "", fmt.Errorf("introspection secret: %w", err)
	}
	return string(b), nil
}

// server is a running serve: the public and admin listeners over a Live
// matcher. Close stops HTTP first, letting requests in flight finish, and
// only then closes the generation.
type server struct {
	cfg           *serveConfig
	live          *engine.Live
	public, admin *http.Server
	pubLn, admLn  net.Listener
	stopWatch     context.CancelFunc
	served        chan error
}

func startServer(ctx context.Context, cfg *serveConfig) (*server, error) {
	st, err := openServed(cfg.data, cfg.keyring, cfg.allowUnsealed)
	if err != nil {
		return nil, err
	}
	metrics := api.NewMetrics()
	live, err := engine.NewLive(ctx, st, cfg.keyring, cfg.logger, metrics.SetGeneration)
	if err != nil {
		return nil, fmt.Errorf("open the current generation: %w", err)
	}
	if !live.Ready() {
		cfg.logger.Warn("no generation yet: /match answers 503 until an ingest publishes one", "data", cfg.data)
	}
	s := &server{cfg: cfg, live: live, served: make(chan error, 2)}
	handler := api.NewHandler(api.Config{Matcher: live, Verifier: cfg.verifier, RequireIDDocument: cfg.requireIDDocument,
		RateLimit: cfg.rateLimit, Logger: cfg.logger, Audit: cfg.audit, Metrics: metrics})
	if err := s.listen(handler, adminHandler(live, metrics, cfg.pprof)); err != nil {
		live.Close()
		return nil, err
	}
	watchCtx, cancel := context.WithCancel(context.Background())
	s.stopWatch = cancel
	go live.Watch(watchCtx, cfg.poll)
	return s, nil
}

func (s *server) listen(public, admin http.Handler) error {
	var err error
	if s.pubLn, err = net.Listen("tcp", s.cfg.addr); err != nil {
		return fmt.Errorf("listen on %s: %w", s.cfg.addr, err)
	}
	if s.admLn, err = net.Listen("tcp", s.cfg.adminAddr); err != nil {
		s.pubLn.Close()
		return fmt.Errorf("listen on %s: %w", s.cfg.adminAddr, err)
	}
	s.public = &http.Server{Handler: public, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 15 * time.Second,
		WriteTimeout: 15 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 32 << 10,
		ErrorLog: slog.NewLogLogger(s.cfg.logger.Handler(), slog.LevelWarn)}
	s.admin = &http.Server{Handler: admin, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second}
	if s.cfg.tls != nil {
		s.public.TLSConfig = tlsConfig(s.cfg.tls)
		go func() { s.served <- s.public.ServeTLS(s.pubLn, "", "") }()
	} else {
		go func() { s.served <- s.public.Serve(s.pubLn) }()
	}
	go func() { s.served <- s.admin.Serve(s.admLn) }()
	return nil
}

// Addr and AdminAddr are the bound addresses (useful with port 0).
func (s *server) Addr() string      { return s.pubLn.Addr().String() }
func (s *server) AdminAddr() string { return s.admLn.Addr().String() }

// Close shuts down gracefully within the configured timeout.
func (s *server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.shutdownTimeout)
	defer cancel()
	s.stopWatch()
	err := s.public.Shutdown(ctx)
	s.admin.Shutdown(ctx)
	s.live.Close()
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("requests still running after %s: %w", s.cfg.shutdownTimeout, err)
	}
	s.cfg.logger.Info("stopped")
	return err
}

// adminHandler serves the operator's endpoints, on their own listener so
// that they never face partners.
func adminHandler(live *engine.Live, m *api.Metrics, profiles bool) http.Handler {
	mux := http.NewServeMux()
	if profiles {
		// Profiles hold code positions and sizes, never memory contents.
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintln(w, `{"status":"ok"}`)
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		info, ok := live.Info()
		if !ok {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, `{"status":"no generation open"}`)
			return
		}
		fmt.Fprintf(w, "{\"status\":\"ready\",\"generation\":%q}\n", info.ID)
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
	return mux
}
