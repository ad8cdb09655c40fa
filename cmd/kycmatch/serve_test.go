package main

// End-to-end tests of serve: startServer on real listeners over a real data
// directory, tokens from devissuer.Issuer checked against the JWKS file it
// wrote, the admin listener, graceful Close, and the command's refusals.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kycmatch/kycmatch/api/auth"
	"github.com/kycmatch/kycmatch/ingest"
	"github.com/kycmatch/kycmatch/internal/buildinfo"
	"github.com/kycmatch/kycmatch/internal/devissuer"
	"github.com/kycmatch/kycmatch/keys"
)

const (
	serveIssuer   = "https://idp.serve.test"
	serveAudience = "kyc-match-api"
	servePhone    = "+34600000101"
)

// serveExport is a synthetic export: one eligible line and one that is not.
const serveExport = "phoneNumber,name,birthdate,email,eligible\n" +
	servePhone + ",Marta Serrano Vela,1987-06-15,marta.serrano@example.org,\n" +
	"+34600000102,Pablo Inelegible Soto,1979-09-09,,false\n"

// syncBuffer is a log sink written by the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serveEnv is a keyring, a data directory and a development identity
// provider whose JWKS is in a file, as an operator would configure serve.
type serveEnv struct {
	dir, data, keyring, jwks string
	kr                       *keys.Keyring
	idp                      *devissuer.Issuer
	logs                     *syncBuffer
}

func newServeEnv(t *testing.T) *serveEnv {
	t.Helper()
	dir := t.TempDir()
	e := &serveEnv{dir: dir, data: filepath.Join(dir, "data"), keyring: filepath.Join(dir, "keyring"),
		jwks: filepath.Join(dir, "jwks.json"), logs: &syncBuffer{}}
	var err error
	if e.kr, err = keys.Create(e.keyring, keys.Options{}); err != nil {
		t.Fatal(err)
	}
	if e.idp, err = devissuer.New(serveIssuer, serveAudience); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.jwks, e.idp.JWKS(), 0o600); err != nil {
		t.Fatal(err)
	}
	return e
}

// config is what serveFlags would build, with ports chosen by the kernel.
func (e *serveEnv) config(t *testing.T) *serveConfig {
	t.Helper()
	jwt, err := auth.NewJWT(context.Background(), auth.JWTConfig{JWKSFile: e.jwks, Issuer: serveIssuer, Audience: serveAudience})
	if err != nil {
		t.Fatal(err)
	}
	return &serveConfig{data: e.data, addr: "127.0.0.1:0", adminAddr: "127.0.0.1:0", keyring: e.kr,
		verifier: auth.Chain(jwt, nil), poll: 20 * time.Millisecond, shutdownTimeout: 10 * time.Second,
		logger: slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})), audit: e.logs}
}

// secretFile writes a client secret for --introspection-secret-file.
func (e *serveEnv) secretFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(e.dir, "introspection-secret")
	if err := os.WriteFile(path, []byte("synthetic-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// ingest publishes a generation into the data directory, as a separate
// `kycmatch ingest` would.
func (e *serveEnv) ingest(t *testing.T, kr *keys.Keyring) {
	t.Helper()
	st, err := openStore(e.data, kr, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Run(context.Background(), ingest.Options{Input: strings.NewReader(serveExport), Format: ingest.CSV,
		Keyring: kr, Store: st, TempDir: e.data}); err != nil {
		t.Fatal(err)
	}
}

func (e *serveEnv) token(t *testing.T) string {
	t.Helper()
	tok, err := e.idp.Token(devissuer.Claims{ClientID: "serve-test-partner", Scopes: []string{"kyc-match:match"}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

type response struct {
	status int
	header http.Header
	body   string
}

func get(t *testing.T, url string) response {
	t.Helper()
	return send(t, http.MethodGet, url, "", nil)
}

func send(t *testing.T, method, url, token string, body io.Reader) response {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, string(b)}
}

// camara checks the shape every public response has: JSON, a correlator,
// and for errors {status, code, message}.
func camara(t *testing.T, r response, status int, code string) {
	t.Helper()
	if r.status != status || r.header.Get("Content-Type") != "application/json" || r.header.Get("x-correlator") == "" {
		t.Fatalf("got %d (Content-Type %q, x-correlator %q) %s, want %d %s", r.status, r.header.Get("Content-Type"),
			r.header.Get("x-correlator"), r.body, status, code)
	}
	if code == "" {
		return
	}
	var e struct {
		Status  int    `json:"status"`
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	dec := json.NewDecoder(strings.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil || e.Status != status || e.Code != code || e.Message == "" {
		t.Fatalf("error body %s (%v), want status %d code %s", r.body, err, status, code)
	}
}

// TestServeAdmin: the admin listener reports health, readiness before and
// after the first generation, and metrics; the public one serves only the
// API, with CAMARA errors for everything else.
func TestServeAdmin(t *testing.T) {
	e := newServeEnv(t)
	srv, err := startServer(context.Background(), e.config(t))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	pub, adm := "http://"+srv.Addr(), "http://"+srv.AdminAddr()
	tok := e.token(t)
	match := func(body string) response {
		return send(t, http.MethodPost, pub+"/kyc-match/v0.4/match", tok, strings.NewReader(body))
	}

	if r := get(t, adm+"/healthz"); r.status != 200 || !strings.Contains(r.body, `"ok"`) {
		t.Errorf("/healthz: %d %s", r.status, r.body)
	}
	if r := get(t, adm+"/readyz"); r.status != http.StatusServiceUnavailable {
		t.Errorf("/readyz before any generation: %d %s", r.status, r.body)
	}
	camara(t, match(`{"phoneNumber":"`+servePhone+`","name":"Marta Serrano Vela"}`), 503, "UNAVAILABLE")
	if r := get(t, adm+"/metrics"); !strings.Contains(r.body, "\nkycmatch_ready 0\n") {
		t.Error("/metrics before any generation lacks kycmatch_ready 0")
	}

	// An ingest publishes a generation; the watcher picks it up.
	e.ingest(t, e.kr)
	deadline := time.Now().Add(5 * time.Second)
	for get(t, adm+"/readyz").status != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("/readyz did not turn 200 after the ingest")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if r := get(t, adm+"/readyz"); !strings.Contains(r.body, `"00000001"`) {
		t.Errorf("/readyz does not name the generation: %s", r.body)
	}
	r := match(`{"phoneNumber":"` + servePhone + `","name":"Marta Serrano Vela","birthdate":"1987-06-16"}`)
	camara(t, r, 200, "")
	if r.body != `{"nameMatch":"true","birthdateMatch":"false"}` {
		t.Errorf("answer %s", r.body)
	}
	camara(t, match(`{"phoneNumber":"+34600000199","name":"Marta Serrano Vela"}`), 404, "IDENTIFIER_NOT_FOUND")
	camara(t, match(`{"phoneNumber":"+34600000102","name":"Pablo Inelegible Soto"}`), 422, "SERVICE_NOT_APPLICABLE")
	camara(t, send(t, http.MethodPost, pub+"/kyc-match/vwip/match", "", strings.NewReader(`{}`)), 401, "UNAUTHENTICATED")
	// A wrong method and a bad correlator are counted under the route too.
	camara(t, get(t, pub+"/kyc-match/vwip/match"), 405, "METHOD_NOT_ALLOWED")
	req, _ := http.NewRequest(http.MethodPost, pub+"/kyc-match/vwip/match", strings.NewReader(`{}`))
	req.Header.Set("x-correlator", "bad correlator!")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 400 {
		t.Fatalf("bad correlator: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}

	// The operator's endpoints are not on the public listener.
	for _, path := range []string{"/metrics", "/healthz", "/readyz", "/debug/pprof/"} {
		camara(t, get(t, pub+path), 404, "NOT_FOUND")
	}
	// Profiles only when asked for.
	if r := get(t, adm+"/debug/pprof/"); r.status != http.StatusNotFound {
		t.Errorf("admin /debug/pprof/ without --admin-pprof: %d", r.status)
	}

	m := get(t, adm+"/metrics")
	if m.status != 200 || !strings.HasPrefix(m.header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %s", m.status, m.header.Get("Content-Type"))
	}
	keyID := e.kr.Active().ID()
	for _, want := range []string{
		`kycmatch_http_requests_total{code="",route="/kyc-match/v0.4/match",status="200"} 1`,
		`kycmatch_http_requests_total{code="UNAVAILABLE",route="/kyc-match/v0.4/match",status="503"} 1`,
		`kycmatch_http_requests_total{code="IDENTIFIER_NOT_FOUND",route="/kyc-match/v0.4/match",status="404"} 1`,
		`kycmatch_http_requests_total{code="SERVICE_NOT_APPLICABLE",route="/kyc-match/v0.4/match",status="422"} 1`,
		`kycmatch_http_requests_total{code="UNAUTHENTICATED",route="/kyc-match/vwip/match",status="401"} 1`,
		`kycmatch_http_requests_total{code="NOT_FOUND",route="unmatched",status="404"} 4`,
		`kycmatch_http_requests_total{code="METHOD_NOT_ALLOWED",route="/kyc-match/vwip/match",status="405"} 1`,
		`kycmatch_http_requests_total{code="INVALID_ARGUMENT",route="/kyc-match/vwip/match",status="400"} 1`,
		`kycmatch_http_requests_in_flight 0`, // the scrape is on the admin listener
		`kycmatch_generation_ingest_rows{kind="read"} 2`,
		`kycmatch_generation_ingest_rows{kind="rejected"} 0`,
		`kycmatch_match_results_total{attribute="name",result="true"} 1`,
		`kycmatch_match_results_total{attribute="birthdate",result="false"} 1`,
		`kycmatch_generation_info{generation="00000001",key_id="` + keyID + `",profile="default"} 1`,
		`kycmatch_generation_lines 2`,
		`kycmatch_ready 1`,
	} {
		if !strings.Contains(m.body, "\n"+want+"\n") {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// The build's gauge carries what --version prints.
	bi := buildinfo.Read()
	if want := `kycmatch_build_info{formats="` + bi.Formats + `",goversion="` + bi.GoVersion + `",revision="` + bi.Revision +
		`",version="` + bi.Version + `"} 1`; !strings.Contains(m.body, "\n"+want+"\n") {
		t.Errorf("/metrics lacks %s", want)
	}
	if !regexp.MustCompile(`\nkycmatch_generation_ingest_duration_seconds [0-9.e+-]+\n`).MatchString(m.body) {
		t.Error("/metrics lacks kycmatch_generation_ingest_duration_seconds")
	}
	if !regexp.MustCompile(`\nkycmatch_generation_age_seconds [0-9.e+-]+\n`).MatchString(m.body) {
		t.Error("/metrics lacks kycmatch_generation_age_seconds")
	}
	// Unknown routes are counted under one label, not under the path a
	// client made up.
	if strings.Contains(m.body, `route="/metrics"`) || strings.Contains(m.body, `route="/debug/pprof/"`) {
		t.Error("/metrics has a label made of a client's path")
	}
	for _, v := range []string{servePhone, "Marta", "1987-06-1"} {
		if strings.Contains(m.body, v) {
			t.Errorf("/metrics contains the submitted value %q", v)
		}
	}
}

// dribble is a request body that arrives slowly, like a client on a poor
// link; started is closed once the first piece has been read.
type dribble struct {
	pieces  []string
	delay   time.Duration
	started chan struct{}
	once    sync.Once
}

func (d *dribble) Read(p []byte) (int, error) {
	if len(d.pieces) == 0 {
		return 0, io.EOF
	}
	d.once.Do(func() { close(d.started) })
	if len(d.pieces) > 1 || d.delay > 0 {
		time.Sleep(d.delay)
	}
	n := copy(p, d.pieces[0])
	d.pieces[0] = d.pieces[0][n:]
	if d.pieces[0] == "" {
		d.pieces = d.pieces[1:]
	}
	return n, nil
}

// TestServeCloseIsGraceful is what SIGTERM does: Close lets a request in
// flight finish and answer, then stops both listeners and closes the
// generation.
func TestServeCloseIsGraceful(t *testing.T) {
	e := newServeEnv(t)
	e.ingest(t, e.kr)
	srv, err := startServer(context.Background(), e.config(t))
	if err != nil {
		t.Fatal(err)
	}
	pub := "http://" + srv.Addr()
	body := `{"phoneNumber":"` + servePhone + `","name":"Marta Serrano Vela","email":"marta.serrano@example.org"}`
	var pieces []string
	for i := 0; i < len(body); i += 10 {
		pieces = append(pieces, body[i:min(i+10, len(body))])
	}
	slow := &dribble{pieces: pieces, delay: 60 * time.Millisecond, started: make(chan struct{})}
	type result struct {
		r   response
		err error
		at  time.Time
	}
	done := make(chan result, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, pub+"/kyc-match/vwip/match", slow)
		req.Header.Set("Authorization", "Bearer "+e.token(t))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- result{err: err, at: time.Now()}
			return
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		done <- result{r: response{resp.StatusCode, resp.Header, string(b)}, err: err, at: time.Now()}
	}()
	<-slow.started
	time.Sleep(150 * time.Millisecond) // the headers and a few pieces are in: the request is active

	closeErr := make(chan error, 1)
	var closedAt time.Time
	go func() { err := srv.Close(); closedAt = time.Now(); closeErr <- err }()
	res := <-done
	if err := <-closeErr; err != nil {
		t.Fatalf("Close: %v", err)
	}
	if res.err != nil {
		t.Fatalf("request in flight during Close: %v", res.err)
	}
	camara(t, res.r, 200, "")
	if res.r.body != `{"nameMatch":"true","emailMatch":"true"}` {
		t.Errorf("answer %s", res.r.body)
	}
	if closedAt.Before(res.at.Add(-50 * time.Millisecond)) {
		t.Errorf("Close returned %s before the request in flight finished", res.at.Sub(closedAt))
	}
	if _, err := http.Get(pub + "/kyc-match/vwip/match"); err == nil {
		t.Error("the public listener still accepts connections after Close")
	}
	if !strings.Contains(e.logs.String(), `"msg":"stopped"`) {
		t.Error("no \"stopped\" log line")
	}
}

// TestServeCommand runs `kycmatch serve` as main does, with a context that
// SIGTERM would cancel: it serves on the addresses it logs, answers, and
// on cancellation stops with exit status 0. Its log holds no submitted
// value.
func TestServeCommand(t *testing.T) {
	e := newServeEnv(t)
	e.ingest(t, e.kr)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	exit := make(chan int, 1)
	go func() {
		exit <- run(ctx, []string{"kycmatch", "serve", "--data", e.data, "--keyring", e.keyring,
			"--addr", "127.0.0.1:0", "--admin-addr", "127.0.0.1:0", "--jwks", e.jwks, "--issuer", serveIssuer,
			"--audience", serveAudience, "--poll", "50ms", "--log-level", "debug"}, nil, &stdout, &stderr)
	}()
	var serving struct {
		Addr      string `json:"addr"`
		AdminAddr string `json:"admin_addr"`
	}
	deadline := time.Now().Add(10 * time.Second)
	for serving.Addr == "" {
		select {
		case code := <-exit:
			t.Fatalf("serve exited with %d: %s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no \"serving\" log line: %s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
		for _, l := range strings.Split(stderr.String(), "\n") {
			if strings.Contains(l, `"msg":"serving"`) {
				json.Unmarshal([]byte(l), &serving)
			}
		}
	}
	r := send(t, http.MethodPost, "http://"+serving.Addr+"/kyc-match/v0.4/match", e.token(t),
		strings.NewReader(`{"phoneNumber":"`+servePhone+`","name":"Marta Serrano Vela","email":"marta.serrano@example.net"}`))
	camara(t, r, 200, "")
	if r := get(t, "http://"+serving.AdminAddr+"/readyz"); r.status != 200 {
		t.Errorf("/readyz: %d", r.status)
	}
	cancel() // what SIGTERM does through signal.NotifyContext in main
	select {
	case code := <-exit:
		if code != exitOK {
			t.Errorf("exit %d after SIGTERM: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop after its context ended")
	}
	logs := stderr.String()
	if !strings.Contains(logs, `"msg":"match"`) || !strings.Contains(logs, `"msg":"stopped"`) {
		t.Errorf("log lacks the audit or stop line:\n%s", logs)
	}
	for _, v := range []string{servePhone, "Marta", "Serrano", "marta.serrano", "1987-06-15"} {
		if strings.Contains(logs, v) {
			t.Errorf("the log contains the submitted value %q", v)
		}
	}
}

// TestServeRefuses: serve does not start without token verification, nor
// over a generation whose key the keyring does not hold.
func TestServeRefuses(t *testing.T) {
	e := newServeEnv(t)
	e.ingest(t, e.kr)
	other := filepath.Join(e.dir, "other-keyring")
	if _, err := keys.Create(other, keys.Options{}); err != nil {
		t.Fatal(err)
	}
	base := []string{"kycmatch", "serve", "--data", e.data, "--addr", "127.0.0.1:0", "--admin-addr", "127.0.0.1:0"}
	jwt := []string{"--jwks", e.jwks, "--issuer", serveIssuer, "--audience", serveAudience}
	tests := []struct {
		name string
		args []string
		code int
		want []string // in the one-sentence error
	}{
		{"Usage/NoAuthFlag", append(base, "--keyring", e.keyring), exitUsage, []string{"--jwks", "--introspection-url"}},
		{"Usage/JWKSWithoutAudience", append(base, "--keyring", e.keyring, "--jwks", e.jwks), exitUsage, []string{"--audience"}},
		{"Usage/IntrospectionWithoutSecret", append(base, "--keyring", e.keyring, "--introspection-url", "http://127.0.0.1:1/introspect", "--introspection-client-id", "kycmatch"), exitUsage, []string{"--introspection-secret-file"}},
		{"Usage/TLSCertWithoutKey", append(append(base, "--keyring", e.keyring, "--tls-cert", filepath.Join(e.dir, "tls.crt")), jwt...), exitUsage, []string{"--tls-key"}},
		{"Usage/TLSKeyWithoutCert", append(append(base, "--keyring", e.keyring, "--tls-key", filepath.Join(e.dir, "tls.key")), jwt...), exitUsage, []string{"--tls-cert"}},
		{"Failure/TLSCertMissing", append(append(base, "--keyring", e.keyring, "--tls-cert", filepath.Join(e.dir, "tls.crt"),
			"--tls-key", filepath.Join(e.dir, "tls.key")), jwt...), exitFailure, []string{"TLS certificate"}},
		{"Usage/IntrospectionOverHTTP", append(base, "--keyring", e.keyring, "--introspection-url", "http://idp.example.test/introspect",
			"--introspection-client-id", "rs", "--introspection-secret-file", e.secretFile(t)), exitUsage, []string{"https"}},
		{"Failure/KeyNotInKeyring", append(append(base, "--keyring", other), jwt...), exitFailure, []string{e.kr.Active().ID(), "keyring"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Should serve start by mistake, the deadline stops it and the
			// exit status gives it away.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var stderr bytes.Buffer
			code := run(ctx, tt.args, nil, io.Discard, &stderr)
			msg := strings.TrimSpace(stderr.String())
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, msg)
			}
			lines := strings.Split(msg, "\n")
			last := lines[len(lines)-1]
			if !strings.HasPrefix(last, "kycmatch: ") || !strings.HasSuffix(last, ".") {
				t.Errorf("error %q is not one sentence", last)
			}
			for _, w := range tt.want {
				if !strings.Contains(last, w) {
					t.Errorf("error %q does not name %s", last, w)
				}
			}
			// Nothing is answering when serve refuses to start: a log line
			// saying otherwise would mislead the operator.
			if strings.Contains(msg, "still answering") {
				t.Errorf("refusal to start claims the server is still answering:\n%s", msg)
			}
		})
	}
}
