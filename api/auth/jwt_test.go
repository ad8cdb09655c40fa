package auth_test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/google/go-cmp/cmp"

	"github.com/kycmatch/kycmatch/api/auth"
	"github.com/kycmatch/kycmatch/internal/kyctest"
)

func TestJWTVerify(t *testing.T) {
	clk := newClock()
	now := clk.Now()
	rs := newKey(t, jose.RS256, "rs")
	ps := rs
	ps.alg = jose.PS256
	es := newKey(t, jose.ES256, "es")
	ed := newKey(t, jose.EdDSA, "ed")
	esNoKid := newKey(t, jose.ES256, "")
	v, _ := mustFileVerifier(t, clk, auth.JWTConfig{}, rs, es, ed, esNoKid)

	forger := newKey(t, jose.ES256, "es") // same kid, other key
	unknown := newKey(t, jose.ES256, "not-published")
	valid := sign(t, es, claimsAt(now, nil), nil)
	parts := strings.Split(valid, ".")

	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"OK/RS256", sign(t, rs, claimsAt(now, nil), nil), nil},
		{"OK/PS256", sign(t, ps, claimsAt(now, nil), nil), nil},
		{"OK/ES256", valid, nil},
		{"OK/EdDSA", sign(t, ed, claimsAt(now, nil), nil), nil},
		{"OK/NoKidTriesCompatibleKeys", sign(t, esNoKid, claimsAt(now, nil), nil), nil},
		{"OK/NoTyp", sign(t, es, claimsAt(now, nil), map[jose.HeaderKey]any{jose.HeaderType: nil}), nil},
		{"OK/TypJWT", sign(t, es, claimsAt(now, nil), map[jose.HeaderKey]any{jose.HeaderType: "JWT"}), nil},
		{"OK/ExpiredWithinLeeway", sign(t, es, claimsAt(now, map[string]any{"exp": now.Add(-59 * time.Second).Unix()}), nil), nil},
		{"OK/NbfWithinLeeway", sign(t, es, claimsAt(now, map[string]any{"nbf": now.Add(59 * time.Second).Unix()}), nil), nil},
		{"OK/IatWithinLeeway", sign(t, es, claimsAt(now, map[string]any{"iat": now.Add(59 * time.Second).Unix()}), nil), nil},
		{"OK/AudienceArray", sign(t, es, claimsAt(now, map[string]any{"aud": []string{"other", testAudience}}), nil), nil},
		{"OK/NullOptionalClaims", sign(t, es, claimsAt(now, map[string]any{"azp": nil, "nbf": nil}), nil), nil},

		{"ErrUnauthenticated/HS256WithRSAPublicKey", hs256Confusion(t, rs, claimsAt(now, nil)), auth.ErrUnauthenticated},
		{"ErrUnauthenticated/AlgNone", b64(`{"alg":"none","typ":"JWT"}`) + "." + parts[1] + ".", auth.ErrUnauthenticated},
		{"ErrUnauthenticated/AlgNoneWithKid", b64(`{"alg":"none","kid":"es"}`) + "." + parts[1] + "." + parts[2], auth.ErrUnauthenticated},
		{"ErrUnauthenticated/ES384NotAccepted", b64(`{"alg":"ES384","kid":"es"}`) + "." + parts[1] + "." + parts[2], auth.ErrUnauthenticated},
		{"ErrUnauthenticated/BadSignature", sign(t, forger, claimsAt(now, nil), nil), auth.ErrUnauthenticated},
		{"ErrUnauthenticated/TamperedPayload", parts[0] + "." + b64(`{"iss":"`+testIssuer+`","aud":"`+testAudience+`","exp":9999999999,"scope":"kyc-match:match"}`) + "." + parts[2], auth.ErrUnauthenticated},
		{"ErrUnauthenticated/SignatureStripped", parts[0] + "." + parts[1] + ".", auth.ErrUnauthenticated},
		{"ErrUnauthenticated/Expired", sign(t, es, claimsAt(now, map[string]any{"exp": now.Add(-61 * time.Second).Unix()}), nil), auth.ErrUnauthenticated},
		{"ErrUnauthenticated/NbfInFuture", sign(t, es, claimsAt(now, map[string]any{"nbf": now.Add(61 * time.Second).Unix()}), nil), auth.ErrUnauthenticated},
		{"ErrUnauthenticated/IatInFuture", sign(t, es, claimsAt(now, map[string]any{"iat": now.Add(61 * time.Second).Unix()}), nil), auth.ErrUnauthenticated},
		{"ErrUnauthenticated/MissingExp", sign(t, es, claimsAt(now, map[string]any{"exp": nil}), nil), auth.ErrUnauthenticated},
		{"ErrUnauthenticated/ExpNotNumber", sign(t, es, claimsAt(now, map[string]any{"exp": "9999999999"}), nil), auth.ErrUnauthenticated},
		{"ErrUnauthenticated/ExpHuge", sign(t, es, claimsAt(now, map[string]any{"exp": 1e300}), nil), auth.ErrUnauthenticated},
		{"ErrUnauthenticated/WrongIssuer", sign(t, es, claimsAt(now, map[string]any{"iss": "https://evil.example"}), nil), auth.ErrUnauthenticated},
		{"ErrUnauthenticated/MissingIssuer", sign(t, es, claimsAt(now, map[string]any{"iss": nil}), nil), auth.ErrUnauthenticated},
		{"ErrUnauthenticated/WrongAudience", sign(t, es, claimsAt(now, map[string]any{"aud": "other-api"}), nil), auth.ErrUnauthenticated},
		{"ErrUnauthenticated/AudienceArrayWithout", sign(t, es, claimsAt(now, map[string]any{"aud": []string{"a", "b"}}), nil), auth.ErrUnauthenticated},
		{"ErrUnauthenticated/MissingAudience", sign(t, es, claimsAt(now, map[string]any{"aud": nil}), nil), auth.ErrUnauthenticated},
		{"ErrUnauthenticated/UnknownKid", sign(t, unknown, claimsAt(now, nil), nil), auth.ErrUnauthenticated},
		{"ErrUnauthenticated/KidOfOtherKeyType", sign(t, signingKey{kid: "rs", alg: jose.ES256, priv: es.priv}, claimsAt(now, nil), nil), auth.ErrUnauthenticated},
		{"ErrUnauthenticated/LogoutTokenTyp", sign(t, es, claimsAt(now, nil), map[jose.HeaderKey]any{jose.HeaderType: "logout+jwt"}), auth.ErrUnauthenticated},
		{"ErrUnauthenticated/NestedJWT", sign(t, es, claimsAt(now, nil), map[jose.HeaderKey]any{jose.HeaderContentType: "JWT"}), auth.ErrUnauthenticated},
		{"ErrUnauthenticated/ScopeNotString", sign(t, es, claimsAt(now, map[string]any{"scope": 7}), nil), auth.ErrUnauthenticated},
		{"ErrUnauthenticated/ClientIDNotString", sign(t, es, claimsAt(now, map[string]any{"azp": 7}), nil), auth.ErrUnauthenticated},
		{"ErrUnauthenticated/PayloadNotObject", parts[0] + "." + b64(`[1]`) + "." + parts[2], auth.ErrUnauthenticated},
		{"ErrUnauthenticated/Empty", "", auth.ErrUnauthenticated},
		{"ErrUnauthenticated/Garbage", "not a token", auth.ErrUnauthenticated},
		{"ErrUnauthenticated/TwoParts", parts[0] + "." + parts[1], auth.ErrUnauthenticated},
		{"ErrUnauthenticated/JWEShape", "eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d", auth.ErrUnauthenticated},
		{"ErrUnauthenticated/BadBase64", parts[0] + ".!!!." + parts[2], auth.ErrUnauthenticated},
		{"ErrUnauthenticated/NewlineInside", parts[0] + "\n." + parts[1] + "." + parts[2], auth.ErrUnauthenticated},
		{"ErrUnauthenticated/JSONSerialisation", `{"payload":"` + parts[1] + `","protected":"` + parts[0] + `","signature":"` + parts[2] + `"}`, auth.ErrUnauthenticated},
		{"ErrUnauthenticated/Huge", parts[0] + "." + strings.Repeat("A", 20000) + "." + parts[2], auth.ErrUnauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := v.Verify(context.Background(), tt.token)
			checkErr(t, err, tt.want)
			if err != nil {
				t.Log(err)
				if errors.Is(err, auth.ErrPermissionDenied) {
					t.Errorf("err %v also wraps ErrPermissionDenied", err)
				}
				if p != nil {
					t.Errorf("Principal %+v returned with an error", p)
				}
				if len(tt.token) > 20 && strings.Contains(err.Error(), tt.token[len(tt.token)-20:]) {
					t.Errorf("error %q quotes the token", err)
				}
			}
		})
	}
}

// hs256Confusion forges the classic attack: an HS256 token whose HMAC key is
// the verifier's RSA public key, which a naive verifier would feed to HMAC.
func hs256Confusion(tb testing.TB, rs signingKey, claims map[string]any) string {
	tb.Helper()
	der, err := x509.MarshalPKIXPublicKey(rs.priv.Public())
	if err != nil {
		tb.Fatal(err)
	}
	secret := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: secret},
		(&jose.SignerOptions{}).WithHeader("kid", rs.kid))
	if err != nil {
		tb.Fatal(err)
	}
	return kyctest.SignJWS(tb, signer, mustJSON(tb, claims))
}

func TestJWTPrincipal(t *testing.T) {
	clk := newClock()
	now := clk.Now()
	es := newKey(t, jose.ES256, "es")
	v, _ := mustFileVerifier(t, clk, auth.JWTConfig{}, es)
	exp := now.Add(5 * time.Minute)

	tests := []struct {
		name   string
		claims map[string]any
		want   *auth.Principal
	}{
		{"OK/AzpFirst", claimsAt(now, nil),
			&auth.Principal{ClientID: "partner-app", Scopes: []string{"openid", testScope}, Expiry: exp}},
		{"OK/ClientIDWithoutAzp", claimsAt(now, map[string]any{"azp": nil}),
			&auth.Principal{ClientID: "partner-client", Scopes: []string{"openid", testScope}, Expiry: exp}},
		{"OK/SubLast", claimsAt(now, map[string]any{"azp": nil, "client_id": nil}),
			&auth.Principal{ClientID: "user-1", Scopes: []string{"openid", testScope}, Expiry: exp}},
		{"OK/ScpArray", claimsAt(now, map[string]any{"scope": nil, "scp": []string{"a", testScope}}),
			&auth.Principal{ClientID: "partner-app", Scopes: []string{"a", testScope}, Expiry: exp}},
		{"OK/ScpString", claimsAt(now, map[string]any{"scope": nil, "scp": "a " + testScope}),
			&auth.Principal{ClientID: "partner-app", Scopes: []string{"a", testScope}, Expiry: exp}},
		{"OK/ThreeLegged", claimsAt(now, map[string]any{"phone_number": "+34612345678"}),
			&auth.Principal{ClientID: "partner-app", Phone: "+34612345678", Scopes: []string{"openid", testScope}, Expiry: exp}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := v.Verify(context.Background(), sign(t, es, tt.claims, nil))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, p); diff != "" {
				t.Errorf("Principal (-want +got):\n%s", diff)
			}
		})
	}
}

func TestJWTPhoneClaim(t *testing.T) {
	clk := newClock()
	es := newKey(t, jose.ES256, "es")
	v, _ := mustFileVerifier(t, clk, auth.JWTConfig{}, es)

	tests := []struct {
		name  string
		claim any // nil: absent
		phone string
		want  error
	}{
		{"OK/E164", "+34612345678", "+34612345678", nil},
		{"OK/ShortestE164", "+12345", "+12345", nil},
		{"OK/LongestE164", "+123456789012345", "+123456789012345", nil},
		{"OK/TelURI", "tel:+34612345678", "+34612345678", nil},
		{"OK/TelURIVisualSeparators", "tel:+1-(201)-555.0123", "+12015550123", nil},
		{"OK/TelURISchemeCase", "TEL:+34612345678", "+34612345678", nil},
		{"OK/AbsentIsTwoLegged", nil, "", nil},
		{"ErrUnauthenticated/NoPlus", "34612345678", "", auth.ErrUnauthenticated},
		{"ErrUnauthenticated/National", "0612345678", "", auth.ErrUnauthenticated},
		{"ErrUnauthenticated/LeadingZeroCountryCode", "+0612345678", "", auth.ErrUnauthenticated},
		{"ErrUnauthenticated/TooLong", "+1234567890123456", "", auth.ErrUnauthenticated},
		{"ErrUnauthenticated/TooShort", "+1234", "", auth.ErrUnauthenticated},
		{"ErrUnauthenticated/SpacesOutsideTel", "+34 612 345 678", "", auth.ErrUnauthenticated},
		{"ErrUnauthenticated/SeparatorsOutsideTel", "+34-612-345-678", "", auth.ErrUnauthenticated},
		{"ErrUnauthenticated/TelLocalNumber", "tel:612345678", "", auth.ErrUnauthenticated},
		{"ErrUnauthenticated/TelWithParameter", "tel:+34612345678;ext=12", "", auth.ErrUnauthenticated},
		{"ErrUnauthenticated/Garbage", "call me maybe", "", auth.ErrUnauthenticated},
		{"ErrUnauthenticated/Empty", "", "", auth.ErrUnauthenticated},
		{"ErrUnauthenticated/Number", 34612345678, "", auth.ErrUnauthenticated},
		{"ErrUnauthenticated/Array", []string{"+34612345678"}, "", auth.ErrUnauthenticated},
		{"ErrUnauthenticated/UnicodeDigits", "+３４612345678", "", auth.ErrUnauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := claimsAt(clk.Now(), nil)
			if tt.claim != nil {
				c["phone_number"] = tt.claim
			}
			p, err := v.Verify(context.Background(), sign(t, es, c, nil))
			checkErr(t, err, tt.want)
			if err == nil && p.Phone != tt.phone {
				t.Errorf("Phone = %q, want %q", p.Phone, tt.phone)
			}
			if err != nil && strings.Contains(err.Error(), "612") {
				t.Errorf("error %q quotes the claim", err)
			}
		})
	}

	t.Run("ErrUnauthenticated/Null", func(t *testing.T) {
		// A null must not downgrade a three-legged token to two-legged.
		payload := `{"iss":"` + testIssuer + `","aud":"` + testAudience + `","exp":` +
			itoa(clk.Now().Add(time.Minute).Unix()) + `,"scope":"kyc-match:match","phone_number":null}`
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: es.alg, Key: jose.JSONWebKey{Key: es.priv, KeyID: es.kid}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = v.Verify(context.Background(), kyctest.SignJWS(t, signer, []byte(payload)))
		checkErr(t, err, auth.ErrUnauthenticated)
	})

	t.Run("OK/CustomSubjectClaim", func(t *testing.T) {
		v, _ := mustFileVerifier(t, clk, auth.JWTConfig{SubjectClaim: "msisdn"}, es)
		p, err := v.Verify(context.Background(), sign(t, es, claimsAt(clk.Now(), map[string]any{
			"msisdn": "tel:+44-20-7946-0958", "phone_number": "ignored",
		}), nil))
		if err != nil {
			t.Fatal(err)
		}
		if p.Phone != "+442079460958" {
			t.Errorf("Phone = %q", p.Phone)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestJWTKeySelection(t *testing.T) {
	clk := newClock()
	now := clk.Now()
	rs := newKey(t, jose.RS256, "rs")
	es := newKey(t, jose.ES256, "es")

	write := func(t *testing.T, keys ...jose.JSONWebKey) auth.JWTConfig {
		path := filepath.Join(t.TempDir(), "jwks.json")
		kyctest.WriteFileAtomic(t, path, mustJSON(t, jose.JSONWebKeySet{Keys: keys}))
		return auth.JWTConfig{JWKSFile: path, Issuer: testIssuer, Audience: testAudience, Now: clk.Now}
	}

	t.Run("ErrUnauthenticated/JWKAlgConflicts", func(t *testing.T) {
		k := rs.jwk()
		k.Algorithm = string(jose.PS256)
		v, err := auth.NewJWT(context.Background(), write(t, k))
		if err != nil {
			t.Fatal(err)
		}
		_, err = v.Verify(context.Background(), sign(t, rs, claimsAt(now, nil), nil))
		checkErr(t, err, auth.ErrUnauthenticated)
		ps := rs
		ps.alg = jose.PS256
		_, err = v.Verify(context.Background(), sign(t, ps, claimsAt(now, nil), nil))
		checkErr(t, err, nil)
	})

	t.Run("ErrUnauthenticated/EncryptionKey", func(t *testing.T) {
		enc := rs.jwk()
		enc.Use = "enc"
		_, err := auth.NewJWT(context.Background(), write(t, enc))
		if err == nil {
			t.Fatal("a JWKS with only an encryption key was accepted")
		}
		v, err := auth.NewJWT(context.Background(), write(t, enc, es.jwk()))
		if err != nil {
			t.Fatal(err)
		}
		_, err = v.Verify(context.Background(), sign(t, rs, claimsAt(now, nil), nil))
		checkErr(t, err, auth.ErrUnauthenticated)
	})

	t.Run("OK/PrivateKeyInJWKSUsedAsPublic", func(t *testing.T) {
		v, err := auth.NewJWT(context.Background(), write(t, jose.JSONWebKey{Key: es.priv, KeyID: es.kid}))
		if err != nil {
			t.Fatal(err)
		}
		_, err = v.Verify(context.Background(), sign(t, es, claimsAt(now, nil), nil))
		checkErr(t, err, nil)
	})

	t.Run("ErrConfig/HMACKeyOnly", func(t *testing.T) {
		_, err := auth.NewJWT(context.Background(), write(t, jose.JSONWebKey{Key: []byte("0123456789abcdef0123456789abcdef"), KeyID: "h"}))
		if err == nil {
			t.Fatal("a JWKS with only an HMAC key was accepted")
		}
	})
}

func TestNewJWTConfigErrors(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "jwks.json")
	kyctest.WriteFileAtomic(t, good, jwksOf(t, newKey(t, jose.ES256, "es")))
	bad := filepath.Join(dir, "bad.json")
	kyctest.WriteFileAtomic(t, bad, []byte(`{"keys": "nope"}`))
	open := filepath.Join(dir, "world-writable.json")
	kyctest.WriteFileAtomic(t, open, jwksOf(t, newKey(t, jose.ES256, "es")))
	if err := os.Chmod(open, 0o666); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		cfg  auth.JWTConfig
	}{
		{"NoSource", auth.JWTConfig{Issuer: testIssuer, Audience: testAudience}},
		{"TwoSources", auth.JWTConfig{JWKSFile: good, OIDCIssuer: "https://idp.example.test", Audience: testAudience}},
		{"NoIssuer", auth.JWTConfig{JWKSFile: good, Audience: testAudience}},
		{"NoAudience", auth.JWTConfig{JWKSFile: good, Issuer: testIssuer}},
		{"LeewayOverMax", auth.JWTConfig{JWKSFile: good, Issuer: testIssuer, Audience: testAudience, Leeway: 61 * time.Second}},
		{"MissingFile", auth.JWTConfig{JWKSFile: filepath.Join(dir, "nope.json"), Issuer: testIssuer, Audience: testAudience}},
		{"BadJWKS", auth.JWTConfig{JWKSFile: bad, Issuer: testIssuer, Audience: testAudience}},
		{"WorldWritableJWKS", auth.JWTConfig{JWKSFile: open, Issuer: testIssuer, Audience: testAudience}},
		{"IssuerNotURL", auth.JWTConfig{OIDCIssuer: "idp.example.test", Audience: testAudience}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := auth.NewJWT(context.Background(), tt.cfg)
			if err == nil {
				t.Fatal("NewJWT succeeded")
			}
			t.Log(err)
		})
	}
}

func TestJWTLeeway(t *testing.T) {
	clk := newClock()
	now := clk.Now()
	es := newKey(t, jose.ES256, "es")
	tok := sign(t, es, claimsAt(now, map[string]any{"exp": now.Add(-10 * time.Second).Unix()}), nil)
	tests := []struct {
		name   string
		leeway time.Duration
		want   error
	}{
		{"OK/Default60s", 0, nil},
		{"OK/Configured30s", 30 * time.Second, nil},
		{"ErrUnauthenticated/Configured5s", 5 * time.Second, auth.ErrUnauthenticated},
		{"ErrUnauthenticated/NegativeMeansNone", -1, auth.ErrUnauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, _ := mustFileVerifier(t, clk, auth.JWTConfig{Leeway: tt.leeway}, es)
			_, err := v.Verify(context.Background(), tok)
			checkErr(t, err, tt.want)
		})
	}
}

// TestJWTCacheRespectsExpiry checks that a cached verification never outlives
// the token: the cache must not turn an expired token back into a valid one.
func TestJWTCacheRespectsExpiry(t *testing.T) {
	clk := newClock()
	now := clk.Now()
	es := newKey(t, jose.ES256, "es")
	v, _ := mustFileVerifier(t, clk, auth.JWTConfig{Leeway: -1}, es)
	tok := sign(t, es, claimsAt(now, map[string]any{"exp": now.Add(30 * time.Second).Unix()}), nil)

	for _, step := range []struct {
		advance time.Duration
		want    error
	}{
		{0, nil},
		{29 * time.Second, nil},
		{2 * time.Second, auth.ErrUnauthenticated}, // past exp, no leeway configured
		{time.Hour, auth.ErrUnauthenticated},
	} {
		clk.Advance(step.advance)
		_, err := v.Verify(context.Background(), tok)
		checkErr(t, err, step.want)
	}
}

// TestJWTReturnsCopies checks that a caller mutating its Principal cannot
// change what the cache hands the next request.
func TestJWTReturnsCopies(t *testing.T) {
	clk := newClock()
	es := newKey(t, jose.ES256, "es")
	v, _ := mustFileVerifier(t, clk, auth.JWTConfig{}, es)
	tok := sign(t, es, claimsAt(clk.Now(), map[string]any{"phone_number": "+34612345678"}), nil)
	p1, err := v.Verify(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	p1.Phone = "+10000000000"
	p2, err := v.Verify(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if p2.Phone != "+34612345678" {
		t.Errorf("cached Principal changed by a caller: Phone = %q", p2.Phone)
	}
}
