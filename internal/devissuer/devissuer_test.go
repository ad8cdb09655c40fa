package devissuer_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/kycmatch/kycmatch/api/auth"
	"github.com/kycmatch/kycmatch/internal/devissuer"
)

const testScope = "kyc-match:match"

// TestIssuer checks the path end to end: the JWKS an Issuer hands
// out, written to a file, lets a JWTVerifier accept its tokens.
func TestIssuer(t *testing.T) {
	dev, err := devissuer.New("https://kycmatch.demo.invalid", "kyc-match-demo")
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
		claims devissuer.Claims
		want   *auth.Principal
	}{
		{"OK/TwoLegged", devissuer.Claims{ClientID: "demo-partner", Scopes: []string{testScope}},
			&auth.Principal{ClientID: "demo-partner", Scopes: []string{testScope}}},
		{"OK/ThreeLegged", devissuer.Claims{Subject: "u1", ClientID: "demo-partner", Phone: "+34612345678", Scopes: []string{"openid", testScope}},
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
		other, err := devissuer.New(dev.Issuer(), dev.Audience())
		if err != nil {
			t.Fatal(err)
		}
		tok, err := other.Token(devissuer.Claims{ClientID: "x", Scopes: []string{testScope}}, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		_, err = v.Verify(context.Background(), tok)
		if !errors.Is(err, auth.ErrUnauthenticated) {
			t.Fatalf("Verify = %v, want ErrUnauthenticated", err)
		}
	})

	t.Run("Err/NonPositiveTTL", func(t *testing.T) {
		if _, err := dev.Token(devissuer.Claims{}, 0); err == nil {
			t.Fatal("Token accepted a zero lifetime")
		}
	})
}
