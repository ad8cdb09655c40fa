package auth

// This file is for `kycmatch demo` only. A DevIssuer's key lives in memory
// and dies with the process; `serve` trusts its tokens only if an operator
// explicitly points --jwks at the JWKS it wrote.

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

// DevIssuer signs access tokens with an in-memory ES256 key, for local
// development and the demo. It hands out tokens and the public JWKS, never
// the private key.
type DevIssuer struct {
	issuer   string
	audience string
	signer   jose.Signer
	jwks     []byte
	now      func() time.Time
}

// DevClaims are the claims a development token carries.
type DevClaims struct {
	// Subject is "sub"; it defaults to ClientID.
	Subject string
	// ClientID is "client_id" (RFC 9068).
	ClientID string
	// Phone, when set, makes the token three-legged: it becomes the
	// phone_number claim.
	Phone  string
	Scopes []string
}

// NewDevIssuer creates a fresh signing key for tokens with this iss and aud.
func NewDevIssuer(issuer, audience string) (*DevIssuer, error) {
	if issuer == "" || audience == "" {
		return nil, errors.New("auth: a development issuer needs an issuer and an audience")
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
	return &DevIssuer{issuer: issuer, audience: audience, signer: signer, jwks: jwks, now: time.Now}, nil
}

// Issuer returns the "iss" of the tokens, for configuring a JWTVerifier.
func (d *DevIssuer) Issuer() string { return d.issuer }

// Audience returns the "aud" of the tokens, for configuring a JWTVerifier.
func (d *DevIssuer) Audience() string { return d.audience }

// JWKS returns the public key set as a JWKS document, to be written to the
// file a JWTVerifier reads.
func (d *DevIssuer) JWKS() []byte {
	return append([]byte(nil), d.jwks...)
}

// Token signs an access token valid for ttl from now.
func (d *DevIssuer) Token(c DevClaims, ttl time.Duration) (string, error) {
	if ttl <= 0 {
		return "", errors.New("auth: a token needs a positive lifetime")
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
