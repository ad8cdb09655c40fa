package auth_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/kycmatch/kycmatch/api/auth"
	"github.com/kycmatch/kycmatch/internal/kyctest"
)

const (
	testIssuer   = "https://idp.example.test/realms/op"
	testAudience = "kyc-match"
	testScope    = "kyc-match:match"
)

// clock is an injectable clock that only moves when told to.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Unix(1_800_000_000, 0)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// signingKey is a test key with the algorithm it signs with.
type signingKey struct {
	kid  string
	alg  jose.SignatureAlgorithm
	priv crypto.Signer
}

// RSA key generation is slow, so the test binary makes one key and shares it.
var sharedRSA = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

func newKey(tb testing.TB, alg jose.SignatureAlgorithm, kid string) signingKey {
	tb.Helper()
	var priv crypto.Signer
	var err error
	switch alg {
	case jose.RS256, jose.PS256:
		priv = sharedRSA()
	case jose.ES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case jose.EdDSA:
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	default:
		tb.Fatalf("no test key for %s", alg)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return signingKey{kid: kid, alg: alg, priv: priv}
}

// jwk is the public JWK of k, without an "alg" so one RSA key serves RS256
// and PS256 tests.
func (k signingKey) jwk() jose.JSONWebKey {
	return jose.JSONWebKey{Key: k.priv.Public(), KeyID: k.kid, Use: "sig"}
}

func jwksOf(tb testing.TB, keys ...signingKey) []byte {
	tb.Helper()
	set := jose.JSONWebKeySet{}
	for _, k := range keys {
		set.Keys = append(set.Keys, k.jwk())
	}
	return mustJSON(tb, set)
}

func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// sign makes a compact JWS of claims with k. The kid header is k.kid unless
// that is empty; extra adds header parameters.
func sign(tb testing.TB, k signingKey, claims map[string]any, extra map[jose.HeaderKey]any) string {
	tb.Helper()
	var key any = k.priv
	if k.kid != "" {
		key = jose.JSONWebKey{Key: k.priv, KeyID: k.kid}
	}
	opts := &jose.SignerOptions{ExtraHeaders: map[jose.HeaderKey]any{jose.HeaderType: "at+jwt"}}
	for name, v := range extra {
		if v == nil {
			delete(opts.ExtraHeaders, name)
			continue
		}
		opts.ExtraHeaders[name] = v
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: k.alg, Key: key}, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return kyctest.SignJWS(tb, signer, mustJSON(tb, claims))
}

// claimsAt returns a valid claims set at now, changed by over; a nil value
// in over removes the claim.
func claimsAt(now time.Time, over map[string]any) map[string]any {
	c := map[string]any{
		"iss":       testIssuer,
		"aud":       testAudience,
		"sub":       "user-1",
		"azp":       "partner-app",
		"client_id": "partner-client",
		"scope":     "openid " + testScope,
		"iat":       now.Unix(),
		"exp":       now.Add(5 * time.Minute).Unix(),
	}
	for k, v := range over {
		if v == nil {
			delete(c, k)
			continue
		}
		c[k] = v
	}
	return c
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// mustFileVerifier returns a JWTVerifier reading a JWKS file holding keys,
// and the file's path. cfg's source, issuer, audience and clock are filled
// in.
func mustFileVerifier(tb testing.TB, clk *clock, cfg auth.JWTConfig, keys ...signingKey) (*auth.JWTVerifier, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "jwks.json")
	kyctest.WriteFileAtomic(tb, path, jwksOf(tb, keys...))
	cfg.JWKSFile = path
	cfg.Issuer = testIssuer
	cfg.Audience = testAudience
	cfg.Now = clk.Now
	v, err := auth.NewJWT(context.Background(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return v, path
}

// checkErr fails unless err wraps want (nil meaning success).
func checkErr(tb testing.TB, err, want error) {
	tb.Helper()
	switch {
	case want == nil && err != nil:
		tb.Fatalf("err = %v, want success", err)
	case want != nil && !errors.Is(err, want):
		tb.Fatalf("err = %v, want %v", err, want)
	}
}
