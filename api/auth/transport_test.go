package auth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/kycmatch/kycmatch/api/auth"
)

// tlsIDP is an OpenID provider over TLS whose discovery document names
// jwksURI (relative paths are made absolute on the provider), serving the
// JWKS at /keys and redirecting /moved to redirect.
type tlsIDP struct {
	srv     *httptest.Server
	fetches atomic.Int32
}

func newTLSIDP(t *testing.T, jwks []byte, jwksURI, redirect string) *tlsIDP {
	t.Helper()
	p := &tlsIDP{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		uri := jwksURI
		if strings.HasPrefix(uri, "/") {
			uri = p.srv.URL + uri
		}
		_, _ = w.Write(mustJSON(t, map[string]string{"issuer": p.srv.URL, "jwks_uri": uri}))
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		p.fetches.Add(1)
		_, _ = w.Write(jwks)
	})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		target := redirect
		if strings.HasPrefix(target, "/") {
			target = p.srv.URL + target
		}
		http.Redirect(w, r, target, http.StatusTemporaryRedirect)
	})
	p.srv = httptest.NewTLSServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

// TestIDPTransport: the identity provider is reached over https only (plain
// http only on loopback or when allowed explicitly), and a redirect may not
// change scheme or host. Every refusal is a startup error, before any key
// is trusted.
func TestIDPTransport(t *testing.T) {
	k := newKey(t, jose.ES256, "k")
	jwks := jwksOf(t, k)
	// A plain server on loopback that would serve valid keys: reaching it
	// by a redirect must still be refused.
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(jwks) }))
	defer plain.Close()
	other := newTLSIDP(t, jwks, "/keys", "")

	tests := []struct {
		name, jwksURI, redirect string
		refusal                 string // in the error; "" for success
	}{
		{"HTTPSJWKS", "/keys", "", ""},
		{"SameOriginRedirect", "/moved", "/keys", ""},
		{"HTTPJWKSNotLoopback", "http://idp.example.test/keys", "", "plain http"},
		{"RedirectToHTTP", "/moved", plain.URL + "/keys", "redirect refused"},
		{"RedirectToOtherHost", "/moved", other.srv.URL + "/keys", "redirect refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newTLSIDP(t, jwks, tt.jwksURI, tt.redirect)
			_, err := auth.NewJWT(context.Background(), auth.JWTConfig{OIDCIssuer: p.srv.URL, Audience: testAudience,
				HTTPClient: p.srv.Client()})
			if tt.refusal == "" && err != nil {
				t.Fatalf("NewJWT: %v", err)
			}
			if tt.refusal != "" && (err == nil || !strings.Contains(err.Error(), tt.refusal)) {
				t.Fatalf("NewJWT: err = %v, want a refusal naming %q", err, tt.refusal)
			}
			if other.fetches.Load() != 0 {
				t.Fatal("the other host was asked for keys")
			}
		})
	}
}

// TestIDPURLs: the configured URLs themselves, checked before any request.
func TestIDPURLs(t *testing.T) {
	tests := []struct {
		url      string
		insecure bool
		ok       bool
	}{
		{"https://idp.example.test/introspect", false, true},
		{"http://idp.example.test/introspect", false, false},
		{"http://idp.example.test/introspect", true, true},
		{"http://127.0.0.1:8443/introspect", false, true},
		{"http://127.9.9.9/introspect", false, true},
		{"http://[::1]:8443/introspect", false, true},
		{"http://LocalHost:8443/introspect", false, true},
		{"http://localhost.example.test/introspect", false, false},
		{"http://10.0.0.1/introspect", false, false},
		{"ftp://idp.example.test/introspect", true, false},
		{"/introspect", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			_, err := auth.NewIntrospection(auth.IntrospectionConfig{URL: tt.url, ClientID: "rs", ClientSecret: "s",
				AllowInsecureHTTP: tt.insecure})
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok %v", err, tt.ok)
			}
		})
	}
	t.Run("OIDCIssuer", func(t *testing.T) {
		_, err := auth.NewJWT(context.Background(), auth.JWTConfig{OIDCIssuer: "http://idp.example.test", Audience: testAudience})
		if err == nil || !strings.Contains(err.Error(), "https") {
			t.Fatalf("err = %v, want a refusal of the http issuer", err)
		}
	})
}

// TestIntrospectionRefusesRedirects: an introspection endpoint that answers
// 307 does not get the token posted again anywhere, not even on its own
// origin.
func TestIntrospectionRefusesRedirects(t *testing.T) {
	var posted atomic.Int32
	target := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posted.Add(1)
		_, _ = w.Write([]byte(`{"active":true,"client_id":"c","scope":"` + testScope + `"}`))
	}))
	defer target.Close()
	for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect, http.StatusFound} {
		redirector := httptest.NewTLSServer(http.RedirectHandler(target.URL, status))
		in, err := auth.NewIntrospection(auth.IntrospectionConfig{URL: redirector.URL, ClientID: "rs", ClientSecret: "s",
			HTTPClient: redirector.Client()})
		if err != nil {
			t.Fatal(err)
		}
		_, err = in.Verify(context.Background(), "opaque-token")
		redirector.Close()
		checkErr(t, err, auth.ErrUnavailable)
	}
	if n := posted.Load(); n != 0 {
		t.Fatalf("the redirect target was sent the token %d times", n)
	}
	t.Run("Control", func(t *testing.T) {
		in, err := auth.NewIntrospection(auth.IntrospectionConfig{URL: target.URL, ClientID: "rs", ClientSecret: "s",
			HTTPClient: target.Client()})
		if err != nil {
			t.Fatal(err)
		}
		_, err = in.Verify(context.Background(), "opaque-token")
		checkErr(t, err, nil)
	})
}
