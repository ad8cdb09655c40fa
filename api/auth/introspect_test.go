package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kycmatch/kycmatch/api/auth"
)

const (
	asClientID = "kyc match:1"   // needs form-encoding
	asSecret   = "p@ss:wörd/+%=" // so does this
)

// authServer is a fake RFC 7662 introspection endpoint that insists on the
// resource server's client credentials.
type authServer struct {
	srv   *httptest.Server
	calls atomic.Int32

	mu      sync.Mutex
	answers map[string]map[string]any
	status  int
	delay   time.Duration
}

func newAuthServer(t *testing.T) *authServer {
	as := &authServer{answers: map[string]map[string]any{}, status: http.StatusOK}
	as.srv = httptest.NewServer(http.HandlerFunc(as.serve))
	t.Cleanup(as.srv.Close)
	return as
}

func (as *authServer) serve(w http.ResponseWriter, r *http.Request) {
	as.calls.Add(1)
	as.mu.Lock()
	status, delay := as.status, as.delay
	as.mu.Unlock()
	// The body must be read for the server to notice a client hanging up.
	_ = r.ParseForm()
	select { // a slow server, which stops being slow once the client gives up
	case <-time.After(delay):
	case <-r.Context().Done():
		return
	}
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	}
	switch {
	case !ok || id != asClientID || secret != asSecret:
		http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
		return
	case r.Method != http.MethodPost,
		r.Header.Get("Content-Type") != "application/x-www-form-urlencoded",
		r.Header.Get("Accept") != "application/json",
		r.PostFormValue("token_type_hint") != "access_token":
		http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
		return
	case status != http.StatusOK:
		http.Error(w, "down", status)
		return
	}
	as.mu.Lock()
	answer, ok := as.answers[r.PostFormValue("token")]
	as.mu.Unlock()
	if !ok {
		answer = map[string]any{"active": false}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(answer)
}

func (as *authServer) set(token string, answer map[string]any) {
	as.mu.Lock()
	defer as.mu.Unlock()
	as.answers[token] = answer
}

func (as *authServer) configure(status int, delay time.Duration) {
	as.mu.Lock()
	defer as.mu.Unlock()
	as.status, as.delay = status, delay
}

func newIntrospector(t *testing.T, as *authServer, clk *clock, cfg auth.IntrospectionConfig) *auth.Introspector {
	t.Helper()
	cfg.URL = as.srv.URL
	cfg.ClientID = asClientID
	if cfg.ClientSecret == "" {
		cfg.ClientSecret = asSecret
	}
	cfg.Now = clk.Now
	in, err := auth.NewIntrospection(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func activeAnswer(now time.Time, over map[string]any) map[string]any {
	a := map[string]any{
		"active":    true,
		"client_id": "partner-client",
		"scope":     testScope,
		"exp":       now.Add(time.Hour).Unix(),
		"iss":       testIssuer,
		"aud":       []string{testAudience},
	}
	for k, v := range over {
		if v == nil {
			delete(a, k)
			continue
		}
		a[k] = v
	}
	return a
}

func TestIntrospection(t *testing.T) {
	clk := newClock()
	now := clk.Now()
	as := newAuthServer(t)
	in := newIntrospector(t, as, clk, auth.IntrospectionConfig{Issuer: testIssuer, Audience: testAudience, CacheSize: -1})

	tests := []struct {
		name        string
		answer      map[string]any // nil: the server does not know the token
		want        error
		unavailable bool
		principal   *auth.Principal
	}{
		{name: "OK/Active", answer: activeAnswer(now, map[string]any{"phone_number": "tel:+34-612-345-678"}),
			principal: &auth.Principal{ClientID: "partner-client", Phone: "+34612345678", Scopes: []string{testScope}, Expiry: now.Add(time.Hour)}},
		{name: "OK/TwoLegged", answer: activeAnswer(now, nil),
			principal: &auth.Principal{ClientID: "partner-client", Scopes: []string{testScope}, Expiry: now.Add(time.Hour)}},
		{name: "OK/NoExp", answer: activeAnswer(now, map[string]any{"exp": nil}),
			principal: &auth.Principal{ClientID: "partner-client", Scopes: []string{testScope}}},
		{name: "ErrUnauthenticated/Inactive", answer: map[string]any{"active": false}, want: auth.ErrUnauthenticated},
		{name: "ErrUnauthenticated/Unknown", want: auth.ErrUnauthenticated},
		{name: "ErrUnauthenticated/ActiveButExpired", answer: activeAnswer(now, map[string]any{"exp": now.Add(-2 * time.Minute).Unix()}), want: auth.ErrUnauthenticated},
		{name: "ErrUnauthenticated/WrongIssuer", answer: activeAnswer(now, map[string]any{"iss": "https://other"}), want: auth.ErrUnauthenticated},
		{name: "ErrUnauthenticated/WrongAudience", answer: activeAnswer(now, map[string]any{"aud": "other"}), want: auth.ErrUnauthenticated},
		{name: "OK/TokenTypeBearer", answer: activeAnswer(now, map[string]any{"token_type": "bearer"}),
			principal: &auth.Principal{ClientID: "partner-client", Scopes: []string{testScope}, Expiry: now.Add(time.Hour)}},
		{name: "OK/TokenTypeAccessToken", answer: activeAnswer(now, map[string]any{"token_type": "access_token"}),
			principal: &auth.Principal{ClientID: "partner-client", Scopes: []string{testScope}, Expiry: now.Add(time.Hour)}},
		{name: "ErrUnauthenticated/RefreshToken", answer: activeAnswer(now, map[string]any{"token_type": "refresh_token"}), want: auth.ErrUnauthenticated},
		{name: "ErrUnauthenticated/DPoPToken", answer: activeAnswer(now, map[string]any{"token_type": "DPoP"}), want: auth.ErrUnauthenticated},
		{name: "ErrUnauthenticated/TokenTypeNotString", answer: activeAnswer(now, map[string]any{"token_type": 1}), want: auth.ErrUnauthenticated},
		{name: "ErrUnauthenticated/WrongAudienceInArray", answer: activeAnswer(now, map[string]any{"aud": []string{"other", "more"}}), want: auth.ErrUnauthenticated},
		{name: "ErrUnauthenticated/NoIssuer", answer: activeAnswer(now, map[string]any{"iss": nil}), want: auth.ErrUnauthenticated},
		{name: "ErrUnauthenticated/BadPhone", answer: activeAnswer(now, map[string]any{"phone_number": "0612345678"}), want: auth.ErrUnauthenticated},
		{name: "ErrUnauthenticated/ActiveAsString", answer: activeAnswer(now, map[string]any{"active": "true"}), want: auth.ErrUnauthenticated, unavailable: true},
		{name: "ErrUnauthenticated/NoActive", answer: activeAnswer(now, map[string]any{"active": nil}), want: auth.ErrUnauthenticated, unavailable: true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token := fmt.Sprintf("opaque-token-%d-secretbits", i)
			if tt.answer != nil {
				as.set(token, tt.answer)
			}
			p, err := in.Verify(context.Background(), token)
			checkErr(t, err, tt.want)
			if err != nil {
				t.Log(err)
				if got := errors.Is(err, auth.ErrUnavailable); got != tt.unavailable {
					t.Errorf("errors.Is(err, ErrUnavailable) = %v, want %v", got, tt.unavailable)
				}
				if strings.Contains(err.Error(), "secretbits") {
					t.Errorf("error %q quotes the token", err)
				}
				return
			}
			if diff := cmp.Diff(tt.principal, p); diff != "" {
				t.Errorf("Principal (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIntrospectionEndpointFailures(t *testing.T) {
	clk := newClock()
	as := newAuthServer(t)
	as.set("tok", activeAnswer(clk.Now(), nil))
	fast := &http.Client{Timeout: 100 * time.Millisecond}

	tests := []struct {
		name   string
		status int
		delay  time.Duration
		secret string
	}{
		{"ErrUnavailable/Status500", http.StatusInternalServerError, 0, ""},
		{"ErrUnavailable/Timeout", http.StatusOK, 10 * time.Second, ""},
		{"ErrUnavailable/BadClientCredentials", http.StatusOK, 0, "wrong"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			as.configure(tt.status, tt.delay)
			defer as.configure(http.StatusOK, 0)
			in := newIntrospector(t, as, clk, auth.IntrospectionConfig{ClientSecret: tt.secret, HTTPClient: fast})
			_, err := in.Verify(context.Background(), "tok")
			checkErr(t, err, auth.ErrUnauthenticated)
			if !errors.Is(err, auth.ErrUnavailable) {
				t.Errorf("err = %v, want it to wrap ErrUnavailable", err)
			}
			t.Log(err)
		})
	}

	t.Run("ErrUnauthenticated/CallerGivesUp", func(t *testing.T) {
		as.configure(http.StatusOK, 10*time.Second)
		defer as.configure(http.StatusOK, 0)
		in := newIntrospector(t, as, clk, auth.IntrospectionConfig{HTTPClient: fast})
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		_, err := in.Verify(ctx, "tok")
		checkErr(t, err, auth.ErrUnauthenticated)
	})
}

func TestIntrospectionCache(t *testing.T) {
	ctx := context.Background()
	verify := func(t *testing.T, in *auth.Introspector, as *authServer, token string, want error, wantCalls int32) {
		t.Helper()
		_, err := in.Verify(ctx, token)
		checkErr(t, err, want)
		if got := as.calls.Load(); got != wantCalls {
			t.Fatalf("introspection endpoint called %d times, want %d", got, wantCalls)
		}
	}

	t.Run("OK/HitCallsOnce", func(t *testing.T) {
		clk, as := newClock(), newAuthServer(t)
		in := newIntrospector(t, as, clk, auth.IntrospectionConfig{})
		as.set("a", activeAnswer(clk.Now(), nil))
		verify(t, in, as, "a", nil, 1)
		verify(t, in, as, "a", nil, 1)
	})

	t.Run("OK/ExpiresWithToken", func(t *testing.T) {
		clk, as := newClock(), newAuthServer(t)
		in := newIntrospector(t, as, clk, auth.IntrospectionConfig{})
		as.set("a", activeAnswer(clk.Now(), map[string]any{"exp": clk.Now().Add(30 * time.Second).Unix()}))
		verify(t, in, as, "a", nil, 1)
		clk.Advance(29 * time.Second)
		verify(t, in, as, "a", nil, 1)
		clk.Advance(2 * time.Second)
		as.set("a", map[string]any{"active": false})
		verify(t, in, as, "a", auth.ErrUnauthenticated, 2)
	})

	t.Run("OK/CappedByCacheTTL", func(t *testing.T) {
		clk, as := newClock(), newAuthServer(t)
		in := newIntrospector(t, as, clk, auth.IntrospectionConfig{})
		as.set("a", activeAnswer(clk.Now(), nil)) // lives an hour
		verify(t, in, as, "a", nil, 1)
		clk.Advance(4 * time.Minute)
		verify(t, in, as, "a", nil, 1)
		clk.Advance(2 * time.Minute)
		verify(t, in, as, "a", nil, 2)
	})

	t.Run("OK/NoExpCachedBriefly", func(t *testing.T) {
		clk, as := newClock(), newAuthServer(t)
		in := newIntrospector(t, as, clk, auth.IntrospectionConfig{})
		as.set("a", activeAnswer(clk.Now(), map[string]any{"exp": nil}))
		verify(t, in, as, "a", nil, 1)
		clk.Advance(59 * time.Second)
		verify(t, in, as, "a", nil, 1)
		clk.Advance(2 * time.Second)
		verify(t, in, as, "a", nil, 2)
	})

	t.Run("OK/Bounded", func(t *testing.T) {
		clk, as := newClock(), newAuthServer(t)
		in := newIntrospector(t, as, clk, auth.IntrospectionConfig{CacheSize: 2})
		for _, tok := range []string{"a", "b", "c"} {
			as.set(tok, activeAnswer(clk.Now(), nil))
		}
		verify(t, in, as, "a", nil, 1)
		verify(t, in, as, "b", nil, 2)
		verify(t, in, as, "a", nil, 2) // a is now the most recently used
		verify(t, in, as, "c", nil, 3) // evicts b
		verify(t, in, as, "a", nil, 3)
		verify(t, in, as, "c", nil, 3)
		verify(t, in, as, "b", nil, 4)
	})

	t.Run("OK/FailuresNotCached", func(t *testing.T) {
		clk, as := newClock(), newAuthServer(t)
		in := newIntrospector(t, as, clk, auth.IntrospectionConfig{})
		verify(t, in, as, "a", auth.ErrUnauthenticated, 1)
		as.set("a", activeAnswer(clk.Now(), nil))
		verify(t, in, as, "a", nil, 2)
	})

	t.Run("OK/ConcurrentMissesShareOneCall", func(t *testing.T) {
		clk, as := newClock(), newAuthServer(t)
		in := newIntrospector(t, as, clk, auth.IntrospectionConfig{})
		as.set("a", activeAnswer(clk.Now(), nil))
		as.configure(http.StatusOK, 50*time.Millisecond)
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		for range 20 {
			wg.Go(func() {
				_, err := in.Verify(ctx, "a")
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			checkErr(t, err, nil)
		}
		if got := as.calls.Load(); got != 1 {
			t.Errorf("introspection endpoint called %d times, want 1", got)
		}
	})
}

func TestNewIntrospectionErrors(t *testing.T) {
	for name, cfg := range map[string]auth.IntrospectionConfig{
		"NoURL":       {ClientID: "a", ClientSecret: "b"},
		"RelativeURL": {URL: "/introspect", ClientID: "a", ClientSecret: "b"},
		"NoClientID":  {URL: "https://as.example/introspect", ClientSecret: "b"},
		"NoSecret":    {URL: "https://as.example/introspect", ClientID: "a"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := auth.NewIntrospection(cfg); err == nil {
				t.Fatal("NewIntrospection succeeded")
			}
		})
	}
}

// TestIntrospectionSecretNotPrinted guards against a config or verifier
// ending up in a log line with the client secret in it.
func TestIntrospectionSecretNotPrinted(t *testing.T) {
	cfg := auth.IntrospectionConfig{URL: "https://as.example/introspect", ClientID: "rs", ClientSecret: "hunter2-secret"}
	in, err := auth.NewIntrospection(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg),
		fmt.Sprint(in), fmt.Sprintf("%+v", in), fmt.Sprintf("%#v", in),
		cfg.LogValue().String(),
	} {
		if strings.Contains(s, "hunter2") || strings.Contains(s, "aHVudGVyMi") {
			t.Errorf("secret printed: %s", s)
		}
	}
}
