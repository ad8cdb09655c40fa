package auth_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/kycmatch/kycmatch/api/auth"
)

// TestReason: each refused request is put in the category a support log
// line names, whichever verifier judged it.
func TestReason(t *testing.T) {
	clk := newClock()
	now := clk.Now()
	es := newKey(t, jose.ES256, "es")
	jv, _ := mustFileVerifier(t, clk, auth.JWTConfig{}, es)
	as := newAuthServer(t)
	as.set("opaque-no-scope", activeAnswer(now, map[string]any{"scope": "openid"}))
	down := newAuthServer(t)
	down.configure(http.StatusServiceUnavailable, 0)
	tok := func(over map[string]any) string { return sign(t, es, claimsAt(now, over), nil) }
	past, future := now.Add(-5*time.Minute).Unix(), now.Add(5*time.Minute).Unix()

	tests := []struct {
		name   string
		authz  string // the Authorization header; "" for none
		down   bool   // introspection endpoint answers 503
		reason string
	}{
		{"NoHeader", "", false, "missing"},
		{"WrongScheme", "Basic " + tok(nil), false, "malformed"},
		{"NotAJWT", "Bearer a.b.c", false, "malformed"},
		{"Expired", "Bearer " + tok(map[string]any{"exp": past}), false, "expired"},
		{"NoExpiry", "Bearer " + tok(map[string]any{"exp": nil}), false, "expired"},
		{"NotYetValid", "Bearer " + tok(map[string]any{"nbf": future}), false, "expired"},
		{"IssuedInFuture", "Bearer " + tok(map[string]any{"iat": future}), false, "expired"},
		{"UnknownKey", "Bearer " + sign(t, newKey(t, jose.ES256, "other"), claimsAt(now, nil), nil), false, "signature"},
		{"BadSignature", "Bearer " + sign(t, newKey(t, jose.ES256, "es"), claimsAt(now, nil), nil), false, "signature"},
		{"Issuer", "Bearer " + tok(map[string]any{"iss": "https://other.example"}), false, "issuer"},
		{"Audience", "Bearer " + tok(map[string]any{"aud": "other-api"}), false, "audience"},
		{"Scope/JWT", "Bearer " + tok(map[string]any{"scope": "openid"}), false, "scope"},
		{"Scope/Introspected", "Bearer opaque-no-scope", false, "scope"},
		{"Inactive", "Bearer opaque-unknown", false, "inactive"},
		{"Unavailable", "Bearer opaque-no-scope", true, "unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := as
			if tt.down {
				srv = down
			}
			g := newGuarded(auth.Chain(jv, newIntrospector(t, srv, clk, auth.IntrospectionConfig{})))
			r := httptest.NewRequest(http.MethodPost, "/kyc-match/v0.4/match", nil)
			if tt.authz != "" {
				r.Header.Set("Authorization", tt.authz)
			}
			g.handler.ServeHTTP(httptest.NewRecorder(), r)
			if g.err == nil {
				t.Fatal("request accepted")
			}
			if got := auth.Reason(g.err); got != tt.reason {
				t.Errorf("Reason(%v) = %q, want %q", g.err, got, tt.reason)
			}
		})
	}
}
