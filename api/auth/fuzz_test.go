package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/kycmatch/kycmatch/api/auth"
)

// FuzzVerify feeds arbitrary strings to a JWTVerifier. Properties: it never
// panics; every failure wraps ErrUnauthenticated and never
// ErrPermissionDenied; and nothing verifies except the genuinely signed
// tokens of the seed corpus. (go-jose decodes base64 leniently, so a variant that differs only in
// the unused low bits of the signature's last character decodes to the same
// signature and verifies too; such a variant carries the same signed header
// and claims, which is what the last property checks.)
func FuzzVerify(f *testing.F) {
	clk := newClock()
	es := newKey(f, jose.ES256, "es")
	rs := newKey(f, jose.RS256, "rs")
	v, _ := mustFileVerifier(f, clk, auth.JWTConfig{}, es, rs)
	valid := sign(f, es, claimsAt(clk.Now(), nil), nil)
	validRS := sign(f, rs, claimsAt(clk.Now(), nil), nil)
	parts := strings.Split(valid, ".")
	// Genuine tokens, by signed part (header and payload).
	signed := map[string]bool{}
	for _, tok := range []string{valid, validRS} {
		signed[tok[:strings.LastIndexByte(tok, '.')]] = true
	}

	f.Add(valid) // genuine tokens let the fuzzer start deep inside
	f.Add(validRS)
	f.Add(parts[0] + "." + parts[1] + ".")                                     // signature stripped
	f.Add(b64(`{"alg":"none"}`) + "." + parts[1] + ".")                        // alg none
	f.Add(b64(`{"alg":"HS256","kid":"rs"}`) + "." + parts[1] + "." + parts[2]) // HMAC
	f.Add(b64(`{"alg":"ES256","kid":"es","crit":["exp"]}`) + "." + parts[1] + "." + parts[2])
	f.Add("e30.e30.e30")                      // {} . {} . {}
	f.Add("eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d") // JWE shape
	f.Add("")
	f.Add("....")

	f.Fuzz(func(t *testing.T, token string) {
		p, err := v.Verify(context.Background(), token)
		if err != nil {
			if !errors.Is(err, auth.ErrUnauthenticated) || errors.Is(err, auth.ErrPermissionDenied) {
				t.Fatalf("err = %v, want ErrUnauthenticated only", err)
			}
			if p != nil {
				t.Fatal("Principal returned with an error")
			}
			return
		}
		if i := strings.LastIndexByte(token, '.'); i < 0 || !signed[token[:i]] {
			t.Fatalf("a token that was never signed verified: %q", token)
		}
	})
}

// FuzzVerifyClaims signs arbitrary payloads with a trusted key, so the fuzzer
// reaches the claim checks that FuzzVerify's random signatures never pass.
// Properties: no panic; an accepted token has a valid expiry, a phone that is
// E.164 or empty, and the configured issuer.
func FuzzVerifyClaims(f *testing.F) {
	clk := newClock()
	now := clk.Now()
	es := newKey(f, jose.ES256, "es")
	v, _ := mustFileVerifier(f, clk, auth.JWTConfig{}, es)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: es.priv, KeyID: es.kid}}, nil)
	if err != nil {
		f.Fatal(err)
	}

	f.Add(mustJSON(f, claimsAt(now, nil)))
	f.Add(mustJSON(f, claimsAt(now, map[string]any{"phone_number": "tel:+1-(201)-555-0123"})))
	f.Add(mustJSON(f, claimsAt(now, map[string]any{"scp": []any{"a", 1}})))
	f.Add(mustJSON(f, claimsAt(now, map[string]any{"exp": 1e300, "aud": []any{nil}})))
	f.Add([]byte(`{"exp":` + itoa(now.Unix()+60) + `,"iss":"` + testIssuer + `","aud":"` + testAudience + `","ISS":"x","iss":"y"}`))
	f.Add([]byte(`null`))

	f.Fuzz(func(t *testing.T, payload []byte) {
		jws, err := signer.Sign(payload)
		if err != nil {
			t.Skip()
		}
		token, err := jws.CompactSerialize()
		if err != nil {
			t.Skip()
		}
		p, err := v.Verify(context.Background(), token)
		if err != nil {
			if !errors.Is(err, auth.ErrUnauthenticated) {
				t.Fatalf("err = %v, want ErrUnauthenticated", err)
			}
			return
		}
		if p.Expiry.Before(now.Add(-time.Minute)) {
			t.Fatalf("accepted a token that expired at %v", p.Expiry)
		}
		if p.Phone != "" && (!strings.HasPrefix(p.Phone, "+") || strings.Trim(p.Phone[1:], "0123456789") != "") {
			t.Fatalf("accepted phone %q", p.Phone)
		}
	})
}
