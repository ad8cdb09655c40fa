// Package devissuer signs access tokens with a key that exists only in
// this process: the partner sandbox's authorisation server, and the tests
// and benchmarks that need real JWTs. It is internal and never part of
// serve's token verification: serve trusts its tokens only when pointed at
// the JWKS it hands out, which nothing does outside the sandbox and tests.
package devissuer

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Issuer signs access tokens with an in-memory ES256 key. It hands out
// tokens and the public JWKS, never the private key.
type Issuer struct {
	issuer   string
	audience string
	signer   jose.Signer
	jwks     []byte
	now      func() time.Time
}

// Claims are the claims a token carries.
type Claims struct {
	// Subject is "sub"; it defaults to ClientID.
	Subject string
	// ClientID is "client_id" (RFC 9068).
	ClientID string
	// Phone, when set, makes the token three-legged: it becomes the
	// phone_number claim.
	Phone  string
	Scopes []string
}

// New creates a fresh signing key for tokens with this iss and aud.
func New(issuer, audience string) (*Issuer, error) {
	if issuer == "" || audience == "" {
		return nil, errors.New("devissuer: an issuer needs an iss and an aud")
	}
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	pub := jose.JSONWebKey{Key: &priv.PublicKey, Algorithm: string(jose.ES256), Use: "sig"}
	// The kid is the key's RFC 7638 thumbprint: stable for the key, and
	// different after every restart, as the key is.
	thumb, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, err
	}
	pub.KeyID = base64.RawURLEncoding.EncodeToString(thumb)
	jwks, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{pub}})
	if err != nil {
		return nil, err
	}
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: priv, KeyID: pub.KeyID}},
		(&jose.SignerOptions{}).WithType("at+jwt"),
	)
	if err != nil {
		return nil, err
	}
	return &Issuer{issuer: issuer, audience: audience, signer: signer, jwks: jwks, now: time.Now}, nil
}

// Issuer returns the "iss" of the tokens, for configuring a JWTVerifier.
func (d *Issuer) Issuer() string { return d.issuer }

// Audience returns the "aud" of the tokens, for configuring a JWTVerifier.
func (d *Issuer) Audience() string { return d.audience }

// JWKS returns the public key set as a JWKS document, to be written to the
// file a JWTVerifier reads.
func (d *Issuer) JWKS() []byte {
	return append([]byte(nil), d.jwks...)
}

// Token signs an access token valid for ttl from now.
func (d *Issuer) Token(c Claims, ttl time.Duration) (string, error) {
	if ttl <= 0 {
		return "", errors.New("devissuer: a token needs a positive lifetime")
	}
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", err
	}
	now := d.now()
	std := jwt.Claims{
		Issuer:   d.issuer,
		Subject:  c.Subject,
		Audience: jwt.Audience{d.audience},
		IssuedAt: jwt.NewNumericDate(now),
		Expiry:   jwt.NewNumericDate(now.Add(ttl)),
		ID:       base64.RawURLEncoding.EncodeToString(jti),
	}
	if std.Subject == "" {
		std.Subject = c.ClientID
	}
	extra := struct {
		ClientID string `json:"client_id,omitempty"`
		Scope    string `json:"scope,omitempty"`
		Phone    string `json:"phone_number,omitempty"`
	}{c.ClientID, strings.Join(c.Scopes, " "), c.Phone}
	return jwt.Signed(d.signer).Claims(std).Claims(extra).Serialize()
}
