package auth_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/google/go-cmp/cmp"

	"github.com/kycmatch/kycmatch/api/auth"
)

func TestHasScope(t *testing.T) {
	tests := []struct {
		name   string
		scopes []string
		want   bool
	}{
		{"OK/Plain", []string{"openid", testScope}, true},
		{"OK/PurposeQualified", []string{"dpv:FraudPreventionAndDetection#kyc-match:match"}, true},
		{"OK/PurposeWithDigits", []string{"dpv:Purpose2#kyc-match:match"}, true},
		{"ErrPermissionDenied/None", nil, false},
		{"ErrPermissionDenied/Other", []string{"openid", "kyc-match:read"}, false},
		{"ErrPermissionDenied/Suffix", []string{"kyc-match:matchX"}, false},
		{"ErrPermissionDenied/Prefix", []string{"xkyc-match:match"}, false},
		{"ErrPermissionDenied/EmptyPurpose", []string{"dpv:#kyc-match:match"}, false},
		{"ErrPermissionDenied/PurposeWithPunctuation", []string{"dpv:Fraud-Prevention#kyc-match:match"}, false},
		{"ErrPermissionDenied/PurposeWithHash", []string{"dpv:A#B#kyc-match:match"}, false},
		{"ErrPermissionDenied/PurposeNonASCII", []string{"dpv:Fraudé#kyc-match:match"}, false},
		{"ErrPermissionDenied/OtherPrefix", []string{"xpv:Fraud#kyc-match:match"}, false},
		{"ErrPermissionDenied/PurposeQualifiedOther", []string{"dpv:Fraud#kyc-match:matchX"}, false},
		{"ErrPermissionDenied/Joined", []string{"openid kyc-match:match"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := auth.HasScope(tt.scopes, testScope); got != tt.want {
				t.Errorf("HasScope(%q) = %v, want %v", tt.scopes, got, tt.want)
			}
		})
	}
	if auth.HasScope([]string{""}, "") {
		t.Error("HasScope granted an empty required scope")
	}
}

// guarded returns a handler behind Middleware that records what reached it
// and what onError was given.
type guarded struct {
	handler   http.Handler
	principal *auth.Principal // what next found in the context
	refused   *auth.Principal // what onError was given
	err       error
	leaked    bool // onError's request carried a Principal
}

func newGuarded(v auth.Verifier) *guarded {
	g := &guarded{}
	onError := func(w http.ResponseWriter, r *http.Request, p *auth.Principal, err error) {
		g.refused, g.err = p, err
		_, g.leaked = auth.FromContext(r.Context())
		status := http.StatusUnauthorized
		if errors.Is(err, auth.ErrPermissionDenied) {
			status = http.StatusForbidden
		}
		http.Error(w, "generic", status)
	}
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.principal, _ = auth.FromContext(r.Context())
		_, _ = io.WriteString(w, "ok")
	})
	g.handler = auth.Middleware(v, testScope, onError)(next)
	return g
}

func TestMiddleware(t *testing.T) {
	clk := newClock()
	now := clk.Now()
	es := newKey(t, jose.ES256, "es")
	v, _ := mustFileVerifier(t, clk, auth.JWTConfig{}, es)
	tok := func(over map[string]any) string { return sign(t, es, claimsAt(now, over), nil) }
	valid := tok(map[string]any{"phone_number": "+34612345678"})

	tests := []struct {
		name      string
		header    []string // Authorization header lines
		want      error
		challenge string
		principal *auth.Principal
	}{
		{name: "OK", header: []string{"Bearer " + valid},
			principal: &auth.Principal{ClientID: "partner-app", Phone: "+34612345678", Scopes: []string{"openid", testScope}, Expiry: now.Add(5 * time.Minute)}},
		{name: "OK/SchemeCaseInsensitive", header: []string{"bEARER " + valid}},
		{name: "OK/PurposeQualifiedScope", header: []string{"Bearer " + tok(map[string]any{"scope": "dpv:FraudPreventionAndDetection#kyc-match:match"})}},
		{name: "OK/ScpArray", header: []string{"Bearer " + tok(map[string]any{"scope": nil, "scp": []string{"openid", testScope}})}},
		{name: "ErrPermissionDenied/NoScope", header: []string{"Bearer " + tok(map[string]any{"scope": nil})},
			want: auth.ErrPermissionDenied, challenge: `Bearer error="insufficient_scope", scope="kyc-match:match"`},
		{name: "ErrPermissionDenied/OtherScope", header: []string{"Bearer " + tok(map[string]any{"scope": "openid kyc-match:matchX"})},
			want: auth.ErrPermissionDenied, challenge: `Bearer error="insufficient_scope", scope="kyc-match:match"`},
		{name: "ErrPermissionDenied/EmptyPurpose", header: []string{"Bearer " + tok(map[string]any{"scope": "dpv:#kyc-match:match"})},
			want: auth.ErrPermissionDenied},
		{name: "ErrUnauthenticated/NoHeader", want: auth.ErrUnauthenticated, challenge: "Bearer"},
		{name: "ErrUnauthenticated/EmptyBearer", header: []string{"Bearer "}, want: auth.ErrUnauthenticated, challenge: `Bearer error="invalid_token"`},
		{name: "ErrUnauthenticated/BearerOnly", header: []string{"Bearer"}, want: auth.ErrUnauthenticated},
		{name: "ErrUnauthenticated/WrongScheme", header: []string{"Basic " + valid}, want: auth.ErrUnauthenticated},
		{name: "ErrUnauthenticated/NoScheme", header: []string{valid}, want: auth.ErrUnauthenticated},
		{name: "ErrUnauthenticated/TwoTokens", header: []string{"Bearer " + valid + " " + valid}, want: auth.ErrUnauthenticated},
		{name: "ErrUnauthenticated/CommaList", header: []string{"Bearer " + valid + "," + valid}, want: auth.ErrUnauthenticated},
		{name: "ErrUnauthenticated/TwoHeaders", header: []string{"Bearer " + valid, "Bearer " + valid}, want: auth.ErrUnauthenticated},
		{name: "ErrUnauthenticated/InvalidToken", header: []string{"Bearer " + valid[:len(valid)-4] + "AAAA"}, want: auth.ErrUnauthenticated,
			challenge: `Bearer error="invalid_token"`},
		{name: "ErrUnauthenticated/Expired", header: []string{"Bearer " + tok(map[string]any{"exp": now.Add(-5 * time.Minute).Unix()})}, want: auth.ErrUnauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGuarded(v)
			r := httptest.NewRequest(http.MethodPost, "/kyc-match/v0.4/match", strings.NewReader("{}"))
			for _, h := range tt.header {
				r.Header.Add("Authorization", h)
			}
			w := httptest.NewRecorder()
			g.handler.ServeHTTP(w, r)

			checkErr(t, g.err, tt.want)
			body := w.Body.String()
			if tt.want == nil {
				if w.Code != http.StatusOK || g.principal == nil {
					t.Fatalf("status %d, principal %v: handler not reached", w.Code, g.principal)
				}
				if tt.principal != nil {
					if diff := cmp.Diff(tt.principal, g.principal); diff != "" {
						t.Errorf("Principal (-want +got):\n%s", diff)
					}
				}
				return
			}
			if g.principal != nil || body == "ok\n" || body == "ok" {
				t.Fatal("next handler was called")
			}
			if tt.want == auth.ErrUnauthenticated && errors.Is(g.err, auth.ErrPermissionDenied) {
				t.Errorf("err %v wraps both sentinels", g.err)
			}
			// Only a verified identity reaches onError: the 403's.
			switch {
			case g.leaked:
				t.Error("onError's request context carries a Principal")
			case tt.want == auth.ErrPermissionDenied && (g.refused == nil || g.refused.ClientID != "partner-app"):
				t.Errorf("403: onError got Principal %+v, want partner-app's", g.refused)
			case tt.want == auth.ErrUnauthenticated && g.refused != nil:
				t.Errorf("401: onError got Principal %+v, want none", g.refused)
			}
			if tt.challenge != "" && w.Header().Get("WWW-Authenticate") != tt.challenge {
				t.Errorf("WWW-Authenticate = %q, want %q", w.Header().Get("WWW-Authenticate"), tt.challenge)
			}
			if strings.Contains(body, valid[len(valid)-16:]) || strings.Contains(body, "eyJ") || strings.Contains(body, "612345678") {
				t.Errorf("response body leaks the token or a claim: %q", body)
			}
		})
	}
}

// TestMiddlewareWiring: a missing piece is a panic at start-up, not a door
// left open or shut at run time.
func TestMiddlewareWiring(t *testing.T) {
	onError := func(http.ResponseWriter, *http.Request, *auth.Principal, error) {}
	v := auth.Chain(nil, nil)
	tests := []struct {
		name    string
		v       auth.Verifier
		scope   string
		onError func(http.ResponseWriter, *http.Request, *auth.Principal, error)
	}{
		{"NoVerifier", nil, testScope, onError},
		{"NoScope", v, "", onError},
		{"NoErrorWriter", v, testScope, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("Middleware did not panic")
				}
			}()
			auth.Middleware(tt.v, tt.scope, tt.onError)
		})
	}
}

func TestFromContext(t *testing.T) {
	if p, ok := auth.FromContext(context.Background()); ok || p != nil {
		t.Error("FromContext found a Principal in an empty context")
	}
	want := &auth.Principal{ClientID: "c"}
	if p, ok := auth.FromContext(auth.NewContext(context.Background(), want)); !ok || p != want {
		t.Error("FromContext lost the Principal")
	}
}

func TestChain(t *testing.T) {
	clk := newClock()
	es := newKey(t, jose.ES256, "es")
	jv, _ := mustFileVerifier(t, clk, auth.JWTConfig{}, es)
	as := newAuthServer(t)
	in := newIntrospector(t, as, clk, auth.IntrospectionConfig{})
	jwt := sign(t, es, claimsAt(clk.Now(), nil), nil)
	as.set("opaque-1", activeAnswer(clk.Now(), map[string]any{"client_id": "introspected"}))
	as.set(jwt, activeAnswer(clk.Now(), map[string]any{"client_id": "introspected"}))
	ctx := context.Background()

	tests := []struct {
		name   string
		v      auth.Verifier
		token  string
		client string // "" means an error is wanted
	}{
		{"OK/JWTToJWTVerifier", auth.Chain(jv, in), jwt, "partner-app"},
		{"OK/OpaqueToIntrospection", auth.Chain(jv, in), "opaque-1", "introspected"},
		{"OK/JWTIntrospectedWithoutJWTVerifier", auth.Chain(nil, in), jwt, "introspected"},
		{"ErrUnauthenticated/OpaqueWithoutIntrospection", auth.Chain(jv, nil), "opaque-1", ""},
		{"ErrUnauthenticated/Nothing", auth.Chain(nil, nil), jwt, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := tt.v.Verify(ctx, tt.token)
			if tt.client == "" {
				checkErr(t, err, auth.ErrUnauthenticated)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.ClientID != tt.client {
				t.Errorf("ClientID = %q, want %q", p.ClientID, tt.client)
			}
		})
	}
}
