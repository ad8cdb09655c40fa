package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/kycmatch/kycmatch/api"
	"github.com/kycmatch/kycmatch/api/auth"
	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/ingest"
	"github.com/kycmatch/kycmatch/internal/devissuer"
	"github.com/kycmatch/kycmatch/keys"
	"github.com/kycmatch/kycmatch/store"
	"github.com/kycmatch/kycmatch/synth"
)

// Defaults of Options (contract §7).
const (
	DefaultAddr  = "127.0.0.1:8080"
	DefaultLines = 1000
	// DefaultClient is the one client configured when none is given, with
	// DefaultClient as its secret too.
	DefaultClient = "sandbox"
	// TokenLifetime is how long every token lives.
	TokenLifetime = time.Hour
	// Audience is the "aud" of the sandbox's tokens.
	Audience = "kyc-match"
)

// Client is one OAuth client of the token endpoint.
type Client struct {
	ID, Secret string
}

// Options configure a sandbox; the zero value is the contract's default.
type Options struct {
	Addr    string // HOST:PORT; default DefaultAddr, port 0 picks a free one
	Lines   int    // synthetic lines, default DefaultLines
	Seed    int64
	Clients []Client // default one, DefaultClient with secret DefaultClient
	Logger  *slog.Logger
	// Audit, when set, receives the API's audit lines (see api.Config.Audit).
	Audit io.Writer
}

// Sandbox is a running sandbox. Close stops it and removes everything it
// wrote.
type Sandbox struct {
	issuer  string
	dir     string
	summary ingest.Summary
	listing *Listing
	idp     *devissuer.Issuer
	clients map[string]string
	first   Client
	log     *slog.Logger

	live *engine.Live
	ln   net.Listener
	srv  *http.Server
	done chan error
}

// Start builds the generation and answers on o.Addr until Close. The
// listener is bound first, because the issuer is the address it listens on.
func Start(ctx context.Context, o Options) (_ *Sandbox, err error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return nil, fmt.Errorf("sandbox: listen on %s: %w", o.Addr, err)
	}
	sb := &Sandbox{ln: ln, issuer: "http://" + ln.Addr().String(), log: o.Logger, clients: map[string]string{}, done: make(chan error, 1)}
	defer func() {
		if err != nil {
			sb.cleanup()
		}
	}()
	for _, c := range o.Clients {
		sb.clients[c.ID] = c.Secret
	}
	sb.first = o.Clients[0]
	if sb.dir, err = os.MkdirTemp("", "kycmatch-sandbox-"); err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	if sb.idp, err = devissuer.New(sb.issuer, Audience); err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	if err := sb.build(ctx, o); err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	h, err := sb.handler(ctx, o)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	sb.srv = &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 15 * time.Second,
		WriteTimeout: 15 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 32 << 10,
		ErrorLog: slog.NewLogLogger(o.Logger.Handler(), slog.LevelWarn)}
	go func() { sb.done <- sb.srv.Serve(ln) }()
	return sb, nil
}

func (o *Options) defaults() error {
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	if o.Lines == 0 {
		o.Lines = DefaultLines
	}
	if o.Lines < MinLines || o.Lines > MaxLines {
		return fmt.Errorf("sandbox: %d lines: want %d to %d", o.Lines, MinLines, MaxLines)
	}
	if len(o.Clients) == 0 {
		o.Clients = []Client{{DefaultClient, DefaultClient}}
	}
	for _, c := range o.Clients {
		if c.ID == "" || c.Secret == "" {
			return errors.New("sandbox: a client needs an id and a secret")
		}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// build makes the synthetic export and ingests it, through the same synth
// and ingest code as `kycmatch gen | kycmatch ingest`, under a keyring that
// exists only in memory.
func (sb *Sandbox) build(ctx context.Context, o Options) error {
	kr, err := keys.InMemory()
	if err != nil {
		return err
	}
	var export bytes.Buffer
	if err := synth.Write(&export, synth.Options{Count: o.Lines, Seed: o.Seed}); err != nil {
		return err
	}
	data := filepath.Join(sb.dir, "data")
	st, err := store.Open(data, store.Options{Keys: store.KeyringKeys(kr)})
	if err != nil {
		return err
	}
	if sb.summary, err = ingest.Run(ctx, ingest.Options{Input: &export, Format: ingest.CSV, Keyring: kr, Store: st, TempDir: data}); err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	if sb.live, err = engine.NewLive(ctx, st, kr, o.Logger, nil); err != nil {
		return fmt.Errorf("open the generation: %w", err)
	}
	sb.listing, err = newListing(ctx, sb.live, o.Seed, o.Lines)
	return err
}

// handler serves the sandbox's own routes and, for everything else, the
// API exactly as serve builds it, verifying tokens the way serve does with
// --oidc-issuer: discovery, then the JWKS it names. Those two documents are
// fetched from this handler in-process, so the verifier needs no network and
// no listener serving yet.
func (sb *Sandbox) handler(ctx context.Context, o Options) (http.Handler, error) {
	mux := http.NewServeMux()
	sb.routes(mux)
	verifier, err := auth.NewJWT(ctx, auth.JWTConfig{OIDCIssuer: sb.issuer, Audience: Audience, Logger: o.Logger,
		HTTPClient: &http.Client{Transport: inProcess{mux}, Timeout: 5 * time.Second}, AllowInsecureHTTP: true})
	if err != nil {
		return nil, err
	}
	mux.Handle("/", api.NewHandler(api.Config{Matcher: sb.live, Verifier: verifier, Logger: o.Logger,
		Audit: o.Audit, Metrics: api.NewMetrics()}))
	return mux, nil
}

// URL is the sandbox's base URL, which is also its issuer.
func (sb *Sandbox) URL() string { return sb.issuer }

// Addr is the address it listens on.
func (sb *Sandbox) Addr() string { return sb.ln.Addr().String() }

// Client is the first configured client, for a printed example.
func (sb *Sandbox) Client() Client { return sb.first }

// Summary is the ingest's summary line of the synthetic generation.
func (sb *Sandbox) Summary() ingest.Summary { return sb.summary }

// Listing is what GET /sandbox/lines answers.
func (sb *Sandbox) Listing() *Listing { return sb.listing }

// Token issues a token as the token endpoint would to an authenticated
// client (scope "" is the default): for the demo's printed curl.
func (sb *Sandbox) Token(client, scope, phone string) (string, error) {
	scopes, ok := checkScopes(scope)
	if !ok {
		return "", errors.New("sandbox: a scope the sandbox does not offer")
	}
	return sb.issue(client, scopes, phone)
}

// Close stops HTTP, letting requests in flight finish for a few seconds,
// then closes the generation and removes the temporary directory.
func (sb *Sandbox) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := sb.srv.Shutdown(ctx)
	if serr := <-sb.done; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if cerr := sb.cleanup(); err == nil {
		err = cerr
	}
	return err
}

func (sb *Sandbox) cleanup() error {
	sb.ln.Close()
	if sb.live != nil {
		sb.live.Close()
	}
	if sb.dir == "" {
		return nil
	}
	if err := os.RemoveAll(sb.dir); err != nil {
		return fmt.Errorf("sandbox: remove %s: %w", sb.dir, err)
	}
	return nil
}
