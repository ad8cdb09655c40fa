package auth_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/kycmatch/kycmatch/api/auth"
)

// TestDevIssuer checks the demo path end to end: the JWKS a DevIssuer hands
// out, written to a file, lets a JWTVerifier accept its tokens.
func TestDevIssuer(t *testing.T) {
	dev, err := auth.NewDevIssuer("https://kycmatch.demo.invalid", "kyc-match-demo")
	if err != nil {
		t.Fatal(err)
	}
	jwks := dev.JWKS()
	if strings.Contains(string(jwks), `"d"`) {
		t.Fatalf("JWKS holds private key material: %s", jwks)
	}
	path := filepath.Join(t.TempDir(), "demo-jwks.json")
	if err := os.WriteFile(path, jwks, 0o644); err != nil {
		t.Fatal(err)
	}
	v, err := auth.NewJWT(context.Background(), auth.JWTConfig{JWKSFile: path, Issuer: dev.Issuer(), Audience: dev.Audience()})
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		claims auth.DevClaims
		want   *auth.Principal
	}{
		{"OK/TwoLegged", auth.DevClaims{ClientID: "demo-partner", Scopes: []string{testScope}},
			&auth.Principal{ClientID: "demo-partner", Scopes: []string{testScope}}},
		{"OK/ThreeLegged", auth.DevClaims{Subject: "u1", ClientID: "demo-partner", Phone: "+34612345678", Scopes: []string{"openid", testScope}},
			&auth.Principal{ClientID: "demo-partner", Phone: "+34612345678", Scopes: []string{"openid", testScope}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := dev.Token(tt.claims, 10*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			p, err := v.Verify(context.Background(), tok)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, p, cmpopts.IgnoreFields(auth.Principal{}, "Expiry")); diff != "" {
				t.Errorf("Principal (-want +got):\n%s", diff)
			}
			if until := time.Until(p.Expiry); until < 9*time.Minute || until > 10*time.Minute {
				t.Errorf("Expiry in %s, want about 10m", until)
			}
		})
	}

	t.Run("ErrUnauthenticated/OtherDevIssuer", func(t *testing.T) {
		other, err := auth.NewDevIssuer(dev.Issuer(), dev.Audience())
		if err != nil {
			t.Fatal(err)
		}
		tok, err := other.Token(auth.DevClaims{ClientID: "x", Scopes: []string{testScope}}, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		_, err = v.Verify(context.Background(), tok)
		checkErr(t, err, auth.ErrUnauthenticated)
	})

	t.Run("Err/NonPositiveTTL", func(t *testing.T) {
		if _, err := dev.Token(auth.DevClaims{}, 0); err == nil {
			t.Fatal("Token accepted a zero lifetime")
		}
	})
}
