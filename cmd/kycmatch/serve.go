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
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
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
		Flags: append(append(dataFlags(),
			addrFlag("addr", "public listener HOST:PORT", "127.0.0.1:8080"),
			stringFlag("tls-cert", "PEM certificate chain for TLS on the public listener (with --tls-key; reloaded when it changes)"),
			stringFlag("tls-key", "PEM private key for --tls-cert"),
			addrFlag("admin-addr", "admin listener (healthz, readyz, metrics; always plain HTTP)", "127.0.0.1:9090"),
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
			stringFlag("rate-limit", "per-client limit, N/s, N/m or N/h, e.g. 100/s or 6000/m (default off)"),
			boolFlag("require-id-document", "v0.4: idDocument must be sent and match before anything else"),
			&cli.DurationFlag{Name: "poll", Usage: "how often to look for a new current generation", Value: time.Second, EnvVars: envVar("poll"), Action: positive("poll")},
			&cli.DurationFlag{Name: "shutdown-timeout", Usage: "how long SIGTERM waits for requests in flight", Value: 30 * time.Second, EnvVars: envVar("shutdown-timeout"), Action: positive("shutdown-timeout")},
			stringFlag("log-level", "debug, info (default), warn or error"),
			boolFlag("admin-pprof", "also serve Go's /debug/pprof/ profiles on the admin listener"),
			allowUnsealedFlag(),
		), probingFlags()...),
		Action: serveAction,
	}
}

// serveConfig is everything serve needs, resolved from flags.
type serveConfig struct {
	data, addr, adminAddr string
	storeURL              string // --store, in place of data
	keyring               *keys.Keyring
	// keyringPath and passphraseFile are where the keyring is re-read
	// from; an empty path never re-reads it.
	keyringPath, passphraseFile string
	verifier                    auth.Verifier
	tls                         *certReloader // nil: plain HTTP
	// reloadAuth, when set, re-reads the token verification's signing
	// keys (SIGHUP).
	reloadAuth            func(context.Context) error
	rateLimit             int
	rateWindow            time.Duration
	probing               probing
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
	// SIGHUP re-reads keys instead of ending the process, its default.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	cfg.logger.Info("serving", "addr", srv.Addr(), "admin_addr", srv.AdminAddr())
	for {
		select {
		case <-c.Context.Done():
			return srv.Close()
		case <-hup:
			srv.reload(c.Context)
		}
	}
}

func serveFlags(c *cli.Context, logOut io.Writer) (*serveConfig, error) {
	cfg := &serveConfig{addr: c.String("addr"), adminAddr: c.String("admin-addr"),
		requireIDDocument: c.Bool("require-id-document"), poll: c.Duration("poll"), shutdownTimeout: c.Duration("shutdown-timeout"),
		pprof: c.Bool("admin-pprof"), audit: logOut, keyringPath: c.String("keyring"), passphraseFile: c.String("passphrase-file"),
		allowUnsealed: c.Bool("allow-unsealed")}
	var err error
	if cfg.data, cfg.storeURL, err = storeTarget(c); err != nil {
		return nil, err
	}
	if cfg.logger, err = newLogger(logOut, c.String("log-level")); err != nil {
		return nil, err
	}
	if cfg.tls, err = tlsFlags(c, cfg.logger); err != nil {
		return nil, err
	}
	if cfg.rateLimit, cfg.rateWindow, err = parseRate(c.String("rate-limit")); err != nil {
		return nil, err
	}
	if cfg.probing, err = probingConfig(c); err != nil {
		return nil, err
	}
	if cfg.keyring, err = openStoreKeyring(c, cfg.data); err != nil {
		return nil, err
	}
	if err = verifier(c, cfg); err != nil {
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

// parseRate reads N/s, N/m or N/h as N requests per window: a quota of 30
// a minute is 30 in any minute, not one a second.
func parseRate(s string) (int, time.Duration, error) {
	return parseRateFlag("rate-limit", s, rateWindows)
}

// parseRateFlag reads flag's value s as N per one of windows' units.
func parseRateFlag(flag, s string, windows map[string]time.Duration) (int, time.Duration, error) {
	if s == "" {
		return 0, 0, nil
	}
	n, unit, ok := strings.Cut(s, "/")
	v, err := strconv.Atoi(n)
	window, known := windows[unit]
	if !ok || err != nil || v <= 0 || !known {
		units, example := "N/s, N/m or N/h", "100/s"
		if len(windows) > 3 {
			units, example = "N/s, N/m, N/h or N/d", "10/d"
		}
		return 0, 0, usagef("--%s %q: want %s with N above 0, e.g. %s", flag, s, units, example)
	}
	return v, window, nil
}

var rateWindows = map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour}

// addrFlag is a listener address, checked as HOST:PORT when given.
func addrFlag(name, usage, value string) *cli.StringFlag {
	return &cli.StringFlag{Name: name, Usage: usage, Value: value, EnvVars: envVar(name),
		Action: func(_ *cli.Context, v string) error {
			if _, port, err := net.SplitHostPort(v); err != nil || port == "" {
				return usagef("--%s %q: want HOST:PORT, e.g. 127.0.0.1:8080", name, v)
			}
			return nil
		}}
}

// verifier builds token verification from the auth flags. There is no
// default: serve without an identity provider would either refuse every
// partner or trust anyone. Mistakes in the flags are usage errors naming
// the flag to set; what fails while loading keys names the flag too.
func verifier(c *cli.Context, cfg *serveConfig) error {
	jwt, err := jwtVerifier(c, cfg.logger)
	if err != nil {
		return err
	}
	intro, err := introspector(c)
	if err != nil {
		return err
	}
	if jwt == nil && intro == nil {
		return usagef("configure token verification: --jwks FILE or --oidc-issuer URL (with --audience), or --introspection-url")
	}
	cfg.verifier = auth.Chain(jwt, intro)
	if jwt != nil {
		cfg.reloadAuth = jwt.ReloadKeys
	}
	return nil
}

func jwtVerifier(c *cli.Context, log *slog.Logger) (*auth.JWTVerifier, error) {
	jwks, oidc := c.String("jwks"), c.String("oidc-issuer")
	switch {
	case jwks == "" && oidc == "":
		return nil, nil
	case jwks != "" && oidc != "":
		return nil, usagef("set one of --jwks and --oidc-issuer, not both")
	case c.String("audience") == "":
		return nil, usagef("--audience is required with --jwks or --oidc-issuer")
	case jwks != "" && c.String("issuer") == "":
		return nil, usagef("--issuer is required with --jwks: the iss your identity provider puts in its tokens")
	}
	from := "--jwks " + jwks
	if oidc != "" {
		if err := auth.CheckURL(oidc, c.Bool("allow-insecure-idp")); err != nil {
			return nil, usagef("--oidc-issuer: %v", err)
		}
		from = "--oidc-issuer " + oidc
	}
	jwt, err := auth.NewJWT(c.Context, auth.JWTConfig{JWKSFile: jwks, OIDCIssuer: oidc,
		Issuer: c.String("issuer"), Audience: c.String("audience"), SubjectClaim: c.String("subject-claim"), Logger: log,
		AllowInsecureHTTP: c.Bool("allow-insecure-idp")})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", from, err)
	}
	return jwt, nil
}

func introspector(c *cli.Context) (*auth.Introspector, error) {
	u := c.String("introspection-url")
	if u == "" {
		return nil, nil
	}
	if err := auth.CheckURL(u, c.Bool("allow-insecure-idp")); err != nil {
		return nil, usagef("--introspection-url: %v", err)
	}
	if c.String("introspection-client-id") == "" {
		return nil, usagef("--introspection-client-id is required with --introspection-url")
	}
	secret, err := readSecretFile(c.String("introspection-secret-file"))
	if err != nil {
		return nil, err
	}
	intro, err := auth.NewIntrospection(auth.IntrospectionConfig{URL: u, ClientID: c.String("introspection-client-id"),
		ClientSecret: secret, Issuer: orFlag(c, "introspection-issuer", cmp.Or(c.String("issuer"), c.String("oidc-issuer"))),
		Audience: orFlag(c, "introspection-audience", c.String("audience")), SubjectClaim: c.String("subject-claim"),
		AllowInsecureHTTP: c.Bool("allow-insecure-idp")})
	if err != nil {
		return nil, fmt.Errorf("--introspection-url: %w", err)
	}
	return intro, nil
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
		return "", fmt.Errorf("--introspection-secret-file: %w", err)
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
	closeCounter  func() // after the listeners: requests in flight still count
	closeStore    func()
	served        chan error
}

func startServer(ctx context.Context, cfg *serveConfig) (*server, error) {
	ks := newLiveKeyring(cfg.keyring, cfg.keyringPath, cfg.passphraseFile)
	st, closeSt, err := openStoreAt(cfg.data, cfg.storeURL, ks, storeOpts{allowUnsealed: cfg.allowUnsealed, statementTimeout: readTimeout, logger: cfg.logger})
	if err != nil {
		return nil, err
	}
	metrics := api.NewMetrics()
	live, err := engine.NewLive(ctx, st, ks, cfg.logger, metrics.SetGeneration)
	if err != nil {
		closeSt()
		return nil, fmt.Errorf("open the current generation: %w", err)
	}
	live.OnRefusal(metrics.RefuseGeneration)
	if !live.Ready() {
		cfg.logger.Warn("no generation yet: /match answers 503 until an ingest publishes one", "data", cfg.data)
	}
	counter, closeCounter, err := cfg.probing.counter(cfg.logger, metrics)
	if err != nil {
		live.Close()
		closeSt()
		return nil, err
	}
	s := &server{cfg: cfg, live: live, closeStore: closeSt, served: make(chan error, 2)}
	handler := api.NewHandler(api.Config{Counter: counter, Matcher: live, Verifier: cfg.verifier, RequireIDDocument: cfg.requireIDDocument,
		RateLimit: cfg.rateLimit, RateWindow: cfg.rateWindow, Logger: cfg.logger, Audit: cfg.audit, Metrics: metrics,
		LineRateLimit: cfg.probing.lineLimit, LineRateWindow: cfg.probing.lineWindow, Scores: cfg.probing.scores,
		Lines: newActiveLines(ks)})
	if err := s.listen(handler, adminHandler(live, metrics, cfg.pprof)); err != nil {
		closeCounter()
		live.Close()
		closeSt()
		return nil, err
	}
	watchCtx, cancel := context.WithCancel(context.Background())
	s.stopWatch, s.closeCounter = cancel, closeCounter
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
	s.closeCounter()
	s.live.Close()
	s.closeStore()
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
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) { readyz(w, live) })
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
	return mux
}

// readyz says whether a generation answers, which one, and which current
// generation was refused, if one was: a refusal leaves serve ready on the
// previous generation, and the operator needs to see both.
func readyz(w http.ResponseWriter, live *engine.Live) {
	var body struct {
		Ready      bool            `json:"ready"`
		Generation string          `json:"generation,omitempty"`
		Refused    *engine.Refusal `json:"refused,omitempty"`
	}
	info, ok := live.Info()
	body.Ready, body.Generation = ok, info.ID
	if r, refused := live.Refused(); refused {
		body.Refused = &r
	}
	w.Header().Set("Content-Type", "application/json")
	if !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	writeJSONLine(w, body)
}
