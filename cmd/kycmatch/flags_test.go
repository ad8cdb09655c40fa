package main

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kycmatch/kycmatch/internal/devissuer"
)

// TestBadFlagValues: every bad flag value is a usage error, exit 2, one
// sentence naming the flag, before anything starts.
func TestBadFlagValues(t *testing.T) {
	e := newServeEnv(t)
	serve := []string{"serve", "--data", e.data, "--keyring", e.keyring, "--addr", "127.0.0.1:0", "--admin-addr", "127.0.0.1:0"}
	jwt := with(serve, "--jwks", e.jwks, "--issuer", serveIssuer, "--audience", serveAudience)
	tests := []struct {
		args []string
		flag string
	}{
		{with(jwt, "--poll", "0s"), "--poll"},
		{with(jwt, "--poll", "-1s"), "--poll"},
		{with(jwt, "--poll", "often"), "--poll"},
		{with(jwt, "--shutdown-timeout", "0s"), "--shutdown-timeout"},
		{with(jwt, "--rate-limit", "30"), "--rate-limit"},
		{with(jwt, "--rate-limit", "0/s"), "--rate-limit"},
		{with(jwt, "--rate-limit", "10/d"), "--rate-limit"},
		{with(jwt, "--rate-limit", "x/m"), "--rate-limit"},
		{with(jwt, "--addr", "8080"), "--addr"},
		{with(jwt, "--admin-addr", "localhost"), "--admin-addr"},
		{with(jwt, "--log-level", "loud"), "--log-level"},
		{with(serve, "--jwks", e.jwks, "--audience", serveAudience), "--issuer"},
		{with(serve, "--jwks", e.jwks, "--oidc-issuer", "https://idp.test", "--audience", serveAudience), "--oidc-issuer"},
		{with(serve, "--oidc-issuer", "ftp://idp.test", "--audience", serveAudience), "--oidc-issuer"},
		{with(serve, "--introspection-url", "idp.test/introspect"), "--introspection-url"},
		{with(serve, "--introspection-url", "https://idp.test/introspect"), "--introspection-client-id"},
		{[]string{"gen", "--count", "many"}, "--count"},
		{[]string{"gen", "--format", "xml"}, "--format"},
		{[]string{"keys", "list", "--keyring", e.keyring, "--output", "yaml"}, "--output"},
		{[]string{"match", "--data", e.data, "--keyring", e.keyring, "--json", "{}", "--api", "v9"}, "--api"},
	}
	for _, tt := range tests {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		var stderr bytes.Buffer
		code := run(ctx, append([]string{"kycmatch"}, tt.args...), nil, &bytes.Buffer{}, &stderr)
		cancel()
		msg := strings.TrimSpace(stderr.String())
		if code != exitUsage {
			t.Errorf("%v: exit %d, want %d: %s", tt.args, code, exitUsage, msg)
			continue
		}
		if strings.Count(msg, "\n") > 0 || !strings.HasPrefix(msg, "kycmatch: ") || !strings.HasSuffix(msg, ".") {
			t.Errorf("%v: %q is not one sentence", tt.args, msg)
		}
		if !strings.Contains(msg, tt.flag) || strings.Contains(msg, "auth:") {
			t.Errorf("%v: %q does not name %s (or names a package)", tt.args, msg, tt.flag)
		}
	}
}

// TestParseRate: N per window, exactly.
func TestParseRate(t *testing.T) {
	tests := []struct {
		in     string
		n      int
		window time.Duration
	}{
		{"", 0, 0}, {"100/s", 100, time.Second}, {"30/m", 30, time.Minute}, {"59/m", 59, time.Minute}, {"1000/h", 1000, time.Hour},
	}
	for _, tt := range tests {
		n, w, err := parseRate(tt.in)
		if err != nil || n != tt.n || w != tt.window {
			t.Errorf("parseRate(%q) = %d, %s, %v; want %d, %s", tt.in, n, w, err, tt.n, tt.window)
		}
	}
}

// TestServeRateLimitPerMinute: --rate-limit 5/m lets exactly five requests
// of one client through in a minute; the sixth is 429 with a Retry-After
// within that minute.
func TestServeRateLimitPerMinute(t *testing.T) {
	e := newServeEnv(t)
	e.ingest(t, e.kr)
	cfg := e.config(t)
	var err error
	if cfg.rateLimit, cfg.rateWindow, err = parseRate("5/m"); err != nil {
		t.Fatal(err)
	}
	srv, err := startServer(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	tok := e.token(t)
	var statuses []int
	var last response
	for range 6 {
		last = send(t, http.MethodPost, "http://"+srv.Addr()+"/kyc-match/v0.4/match", tok,
			strings.NewReader(`{"phoneNumber":"`+servePhone+`","name":"Marta Serrano Vela"}`))
		statuses = append(statuses, last.status)
	}
	if want := []int{200, 200, 200, 200, 200, 429}; !slices.Equal(statuses, want) {
		t.Fatalf("statuses %v, want %v", statuses, want)
	}
	camara(t, last, 429, "TOO_MANY_REQUESTS")
	if !strings.Contains(e.logs.String(), `"level":"INFO","msg":"request refused","reason":"rate","client":"serve-test-partner"`) {
		t.Errorf("no info line for the 429 with its client:\n%s", e.logs)
	}
	if n, err := strconv.Atoi(last.header.Get("Retry-After")); err != nil || n <= 0 || n > 60 {
		t.Errorf("Retry-After %q, want 1 to 60 seconds", last.header.Get("Retry-After"))
	}
}

// with is base and more in a new slice: the cases must not share one.
func with(base []string, more ...string) []string { return append(slices.Clip(base), more...) }

// TestServeRefusalLog: a 401 or 403 is logged at info with the category of
// the check that failed, never the token.
func TestServeRefusalLog(t *testing.T) {
	e := newServeEnv(t)
	e.ingest(t, e.kr)
	srv, err := startServer(context.Background(), e.config(t))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	noScope, err := e.idp.Token(devissuer.Claims{ClientID: "p", Scopes: []string{"other"}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	other, err := devissuer.New(serveIssuer, serveAudience)
	if err != nil {
		t.Fatal(err)
	}
	forged, err := other.Token(devissuer.Claims{ClientID: "p", Scopes: []string{"kyc-match:match"}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		token, reason string
		status        int
	}{
		{"", "missing", 401}, {"not-a-token", "malformed", 401},
		{forged, "signature", 401}, {noScope, "scope", 403},
	}
	for _, tt := range tests {
		r := send(t, http.MethodPost, "http://"+srv.Addr()+"/kyc-match/vwip/match", tt.token, strings.NewReader(`{}`))
		if r.status != tt.status {
			t.Errorf("%s: status %d", tt.reason, r.status)
		}
		if !strings.Contains(e.logs.String(), `"level":"INFO","msg":"request refused","reason":"`+tt.reason+`"`) {
			t.Errorf("no info line with reason %s", tt.reason)
		}
	}
	for _, tok := range []string{noScope, forged} {
		if strings.Contains(e.logs.String(), tok[strings.LastIndexByte(tok, '.')+1:]) {
			t.Error("the log holds a token's signature")
		}
	}
}

func TestPlural(t *testing.T) {
	for n, want := range map[int]string{0: "0 lines", 1: "1 line", 2: "2 lines"} {
		if got := plural(n, "line"); got != want {
			t.Errorf("plural(%d) = %q, want %q", n, got, want)
		}
	}
}
