package auth_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/kycmatch/kycmatch/api/auth"
	"github.com/kycmatch/kycmatch/internal/kyctest"
)

// TestJWKSFileRotation replaces the JWKS file the way an operator rotates
// keys and checks both directions: a new key is usable at once (its unknown
// kid triggers a re-read), and a withdrawn key stops working once the next
// periodic check (1 s) notices the change, cached verifications included.
func TestJWKSFileRotation(t *testing.T) {
	clk := newClock()
	oldKey := newKey(t, jose.ES256, "2025-01")
	newKeyV := newKey(t, jose.EdDSA, "2025-02")
	v, path := mustFileVerifier(t, clk, auth.JWTConfig{}, oldKey)
	ctx := context.Background()

	oldTok := sign(t, oldKey, claimsAt(clk.Now(), nil), nil)
	newTok := sign(t, newKeyV, claimsAt(clk.Now(), nil), nil)
	mustVerify := func(tok string, want error) {
		t.Helper()
		_, err := v.Verify(ctx, tok)
		checkErr(t, err, want)
	}

	mustVerify(oldTok, nil) // now cached
	mustVerify(newTok, auth.ErrUnauthenticated)

	kyctest.WriteFileAtomic(t, path, jwksOf(t, newKeyV))
	mustVerify(newTok, nil) // unknown kid: re-read at once, no clock change
	// The re-read published a new key set, so the cached verification of the
	// old token is void and the old kid is now unknown.
	mustVerify(oldTok, auth.ErrUnauthenticated)

	t.Run("WithdrawalSeenByPeriodicCheck", func(t *testing.T) {
		// Put both keys back, let the old token be cached again, then
		// withdraw the old key without any token naming an unknown kid.
		kyctest.WriteFileAtomic(t, path, jwksOf(t, oldKey, newKeyV))
		clk.Advance(1100 * time.Millisecond)
		mustVerify(oldTok, nil)
		kyctest.WriteFileAtomic(t, path, jwksOf(t, newKeyV))
		mustVerify(oldTok, nil) // cache hit within the check interval
		clk.Advance(1100 * time.Millisecond)
		mustVerify(oldTok, auth.ErrUnauthenticated)
		mustVerify(newTok, nil)
	})

	t.Run("BrokenFileKeepsKeys", func(t *testing.T) {
		kyctest.WriteFileAtomic(t, path, []byte(`{"keys": [`))
		clk.Advance(1100 * time.Millisecond)
		mustVerify(newTok, nil)
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		clk.Advance(1100 * time.Millisecond)
		mustVerify(newTok, nil)
	})
}

// idp is a fake OpenID provider: discovery plus a JWKS that the test can
// switch, counting JWKS fetches.
type idp struct {
	srv     *httptest.Server
	mu      sync.Mutex
	jwks    []byte
	status  int
	fetches atomic.Int32
}

func newIDP(t *testing.T, jwks []byte) *idp {
	p := &idp{jwks: jwks, status: http.StatusOK}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(mustJSON(t, map[string]string{"issuer": p.srv.URL, "jwks_uri": p.srv.URL + "/keys"}))
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		p.fetches.Add(1)
		p.mu.Lock()
		defer p.mu.Unlock()
		w.WriteHeader(p.status)
		_, _ = w.Write(p.jwks)
	})
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *idp) publish(jwks []byte, status int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.jwks, p.status = jwks, status
}

func TestOIDCRotation(t *testing.T) {
	clk := newClock()
	k1 := newKey(t, jose.ES256, "k1")
	k2 := newKey(t, jose.ES256, "k2")
	p := newIDP(t, jwksOf(t, k1))
	ctx := context.Background()
	v, err := auth.NewJWT(ctx, auth.JWTConfig{OIDCIssuer: p.srv.URL, Audience: testAudience, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	claims := func() map[string]any { return claimsAt(clk.Now(), map[string]any{"iss": p.srv.URL}) }
	verify := func(tok string, want error, wantFetches int32) {
		t.Helper()
		_, err := v.Verify(ctx, tok)
		checkErr(t, err, want)
		if got := p.fetches.Load(); got != wantFetches {
			t.Fatalf("JWKS fetched %d times, want %d", got, wantFetches)
		}
	}

	tok1 := sign(t, k1, claims(), nil)
	verify(tok1, nil, 1)

	// The issuer rotates to k2. Right after a fetch the unknown kid does not
	// trigger another one: a stream of made-up kids must not hammer the IdP.
	p.publish(jwksOf(t, k2), http.StatusOK)
	tok2 := sign(t, k2, claims(), nil)
	verify(tok2, auth.ErrUnauthenticated, 1)
	clk.Advance(11 * time.Second)
	tok2 = sign(t, k2, claims(), nil)
	verify(tok2, nil, 2)
	verify(tok2, nil, 2) // cached
	bogus := sign(t, newKey(t, jose.ES256, "bogus"), claims(), nil)
	verify(bogus, auth.ErrUnauthenticated, 2)
	verify(tok1, auth.ErrUnauthenticated, 2) // k1 withdrawn

	t.Run("PeriodicRefresh", func(t *testing.T) {
		// Back to k1 at the issuer; after 5 minutes the next request starts a
		// background refresh, and a k1 token waits for it rather than fail.
		p.publish(jwksOf(t, k1), http.StatusOK)
		clk.Advance(5*time.Minute + time.Second)
		tok1 := sign(t, k1, claims(), nil)
		_, err := v.Verify(ctx, tok1)
		checkErr(t, err, nil)
		if got := p.fetches.Load(); got != 3 {
			t.Fatalf("JWKS fetched %d times, want 3", got)
		}
	})

	t.Run("OutageKeepsKeys", func(t *testing.T) {
		p.publish([]byte("oops"), http.StatusServiceUnavailable)
		clk.Advance(11 * time.Second)
		_, err := v.Verify(ctx, sign(t, newKey(t, jose.ES256, "k3"), claims(), nil))
		checkErr(t, err, auth.ErrUnauthenticated)
		if !errors.Is(err, auth.ErrUnavailable) {
			t.Errorf("err = %v, want it to wrap ErrUnavailable", err)
		}
		_, err = v.Verify(ctx, sign(t, k1, claims(), nil))
		checkErr(t, err, nil)
	})
}

func TestOIDCDiscoveryErrors(t *testing.T) {
	k := newKey(t, jose.ES256, "k")
	t.Run("IssuerMismatch", func(t *testing.T) {
		p := newIDP(t, jwksOf(t, k))
		// Discovery must name the issuer that was configured, exactly.
		_, err := auth.NewJWT(context.Background(), auth.JWTConfig{OIDCIssuer: p.srv.URL + "/", Audience: testAudience})
		if err == nil {
			t.Fatal("NewJWT accepted a discovery document for another issuer")
		}
	})
	t.Run("JWKSDown", func(t *testing.T) {
		p := newIDP(t, jwksOf(t, k))
		p.publish(nil, http.StatusInternalServerError)
		_, err := auth.NewJWT(context.Background(), auth.JWTConfig{OIDCIssuer: p.srv.URL, Audience: testAudience})
		if err == nil {
			t.Fatal("NewJWT started without keys")
		}
	})
	t.Run("NoServer", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		_, err := auth.NewJWT(context.Background(), auth.JWTConfig{OIDCIssuer: srv.URL, Audience: testAudience})
		if err == nil {
			t.Fatal("NewJWT started without discovery")
		}
	})
}
