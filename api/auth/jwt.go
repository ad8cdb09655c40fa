package auth

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// acceptedAlgs are the only signature algorithms a token may use. go-jose
// refuses any other "alg" while parsing, before a key is looked at, which is
// what defeats "none" and the HS256-with-the-RSA-public-key confusion.
var acceptedAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.PS256, jose.ES256, jose.EdDSA}

// Defaults and bounds of JWTConfig.
const (
	DefaultSubjectClaim = "phone_number"
	DefaultCacheSize    = 10000
	maxLeeway           = 60 * time.Second
	defaultHTTPTimeout  = 5 * time.Second

	// maxTokenLen bounds the work a single request can ask for. Real access
	// tokens are well under 4 KiB.
	maxTokenLen = 16 << 10

	fileCheckEvery   = time.Second
	oidcRefreshEvery = 5 * time.Minute
	oidcMinForced    = 10 * time.Second
	// verifiedTTL bounds how long a verified token is answered from cache,
	// so that a key withdrawn from the JWKS takes effect within a bounded
	// time even if the withdrawal itself went unnoticed.
	verifiedTTL = 60 * time.Second
)

// JWTConfig configures a JWTVerifier. Exactly one of JWKSFile and OIDCIssuer
// must be set.
type JWTConfig struct {
	// JWKSFile is a JWKS document on disk. Its size, modification time and
	// identity are checked at most once a second, and at once when a token
	// names a key id it does not hold; it is re-read when they change, so
	// replacing it (ideally by rename) rotates keys without a restart.
	JWKSFile string
	// OIDCIssuer is an OpenID provider's issuer URL. Its discovery document
	// ({issuer}/.well-known/openid-configuration) gives jwks_uri, which is
	// fetched at startup, every 5 minutes in the background, and when a
	// token names an unknown key id (at most once per 10 s).
	OIDCIssuer string
	// Issuer is the required "iss". Defaults to OIDCIssuer.
	Issuer string
	// Audience must be one of the token's "aud" values.
	Audience string
	// SubjectClaim names the claim holding the subscriber's phone number.
	// Default DefaultSubjectClaim.
	SubjectClaim string
	// Leeway is the allowed clock skew for exp, nbf and iat: 0 means the
	// default of 60 s, a negative value means none, more than 60 s is an
	// error.
	Leeway time.Duration
	// CacheSize bounds the verified-token cache: 0 means DefaultCacheSize, a
	// negative value disables the cache.
	CacheSize int
	// HTTPClient is used for discovery and JWKS requests (a copy of it: its
	// redirect policy is replaced by one that stays on the first request's
	// scheme and host). Default: a client with a 5 s timeout. Tests pass one
	// that trusts their own CA.
	HTTPClient *http.Client
	// AllowInsecureHTTP accepts plain http issuer and jwks_uri URLs on hosts
	// that are not loopback. Without it they must be https.
	AllowInsecureHTTP bool
	// Logger receives key refresh events (never token material). Default:
	// discard.
	Logger *slog.Logger
	// Now is the clock; default time.Now. For tests.
	Now func() time.Time
}

// JWTVerifier verifies JWT access tokens locally. It is safe for concurrent
// use.
//
// Verified tokens are cached by SHA-256 digest until the earlier of their
// exp and 60 s after verification. A cached answer is used only while the key
// set it was verified with is still current: any change to the JWKS
// invalidates every cached token, so withdrawing a key takes effect at the
// next check of the source (within a second for a file, within 5 minutes for
// an OpenID provider) even for tokens already seen.
type JWTVerifier struct {
	keys         *keyStore
	issuer       string
	audience     string
	subjectClaim string
	leeway       time.Duration
	now          func() time.Time
	cache        *lru[verified]
}

type verified struct {
	p   *Principal
	gen uint64 // keySet.gen that verified it
}

var _ Verifier = (*JWTVerifier)(nil)

// NewJWT returns a verifier for cfg. It fails if cfg is invalid or the first
// key set cannot be loaded: a server that starts without keys would refuse
// every request, and the operator should hear about it at once.
func NewJWT(ctx context.Context, cfg JWTConfig) (*JWTVerifier, error) {
	v, err := newJWTVerifier(&cfg)
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	client := sameOriginClient(cfg.HTTPClient)
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.JWKSFile != "" {
		src := &fileSource{path: cfg.JWKSFile}
		v.keys = &keyStore{load: src.load, every: fileCheckEvery, log: log, what: "JWKS file " + cfg.JWKSFile}
	} else {
		jwksURI, err := discover(ctx, client, cfg.OIDCIssuer, cfg.AllowInsecureHTTP)
		if err != nil {
			return nil, fmt.Errorf("auth: OpenID discovery for %s: %w", cfg.OIDCIssuer, err)
		}
		v.keys = &keyStore{
			load: func(ctx context.Context) ([]byte, error) {
				return getJSON(ctx, client, jwksURI, maxJWKSSize)
			},
			every: oidcRefreshEvery, minForced: oidcMinForced,
			background: true, timeout: clientTimeout(client),
			log: log, what: jwksURI,
		}
	}
	if err := v.keys.init(ctx, v.now()); err != nil {
		return nil, fmt.Errorf("auth: load signing keys: %w", err)
	}
	return v, nil
}

// newJWTVerifier validates cfg and fills in defaults.
func newJWTVerifier(cfg *JWTConfig) (*JWTVerifier, error) {
	if (cfg.JWKSFile == "") == (cfg.OIDCIssuer == "") {
		return nil, errors.New("set exactly one of a JWKS file and an OpenID issuer")
	}
	if cfg.OIDCIssuer != "" {
		if err := checkIDPURL(cfg.OIDCIssuer, cfg.AllowInsecureHTTP); err != nil {
			return nil, fmt.Errorf("OpenID issuer: %w", err)
		}
	}
	v := &JWTVerifier{
		issuer:       cmp.Or(cfg.Issuer, cfg.OIDCIssuer),
		audience:     cfg.Audience,
		subjectClaim: cmp.Or(cfg.SubjectClaim, DefaultSubjectClaim),
		now:          cfg.Now,
		cache:        newLRU[verified](cacheSize(cfg.CacheSize)),
	}
	if v.issuer == "" {
		return nil, errors.New("an issuer is required")
	}
	if v.audience == "" {
		return nil, errors.New("an audience is required")
	}
	switch {
	case cfg.Leeway == 0:
		v.leeway = maxLeeway
	case cfg.Leeway < 0:
		v.leeway = 0
	case cfg.Leeway > maxLeeway:
		return nil, fmt.Errorf("leeway %s is over the %s maximum", cfg.Leeway, maxLeeway)
	default:
		v.leeway = cfg.Leeway
	}
	if v.now == nil {
		v.now = time.Now
	}
	return v, nil
}

// Verify checks a JWT access token: an accepted algorithm, a signature by a
// current key, iss, aud, exp (required), nbf and iat, and a well-formed subject
// claim. It does not check scope; see HasScope. Errors wrap
// ErrUnauthenticated, and also ErrUnavailable when a needed key refresh
// failed.
func (v *JWTVerifier) Verify(ctx context.Context, token string) (*Principal, error) {
	if !looksLikeJWS(token) {
		return nil, errMalformed
	}
	return v.verifyJWS(ctx, token)
}

// verifyJWS is Verify for a token already known to have a JWS's shape.
func (v *JWTVerifier) verifyJWS(ctx context.Context, token string) (*Principal, error) {
	if len(token) > maxTokenLen {
		return nil, errMalformed
	}
	now := v.now()
	set := v.keys.current(now)
	var key tokenKey
	if v.cache != nil {
		key = keyOf(token)
		if hit, ok := v.cache.get(key, now); ok {
			if hit.gen == set.gen {
				p := *hit.p
				return &p, nil
			}
			v.cache.remove(key)
		}
	}
	p, gen, err := v.verify(ctx, token, set, now)
	if err != nil {
		return nil, err
	}
	if v.cache != nil {
		v.cache.put(key, verified{p: p, gen: gen}, earliest(p.Expiry, now.Add(verifiedTTL)))
		cp := *p
		p = &cp
	}
	return p, nil
}

func (v *JWTVerifier) verify(ctx context.Context, token string, set *keySet, now time.Time) (*Principal, uint64, error) {
	jws, err := jose.ParseSignedCompact(token, acceptedAlgs)
	if err != nil {
		var algErr *jose.ErrUnexpectedSignatureAlgorithm
		if errors.As(err, &algErr) {
			return nil, 0, errAlgorithm
		}
		return nil, 0, errMalformed
	}
	h := jws.Signatures[0].Header
	if !acceptableHeader(h) {
		return nil, 0, errHeader
	}
	payload, set, err := v.checkSignature(ctx, jws, h, set, now)
	if err != nil {
		return nil, 0, err
	}
	c, ok := parseClaims(payload)
	if !ok {
		return nil, 0, errClaims
	}
	p, err := v.principal(c, now)
	return p, set.gen, err
}

// acceptableHeader refuses header features that have no place in an access
// token: critical extensions, an unencoded payload (RFC 7797 forbids it for
// JWTs), a nested token, or a "typ" naming another kind of JWT (a logout
// token, say, signed by the same provider). Keys embedded in the header
// ("jwk", "x5c", "jku") are never used, so they need no check.
func acceptableHeader(h jose.Header) bool {
	for name, val := range h.ExtraHeaders {
		switch name {
		case "crit", "b64", jose.HeaderContentType:
			return false
		case jose.HeaderType:
			typ, _ := val.(string)
			switch strings.ToLower(typ) {
			case "jwt", "at+jwt", "application/at+jwt":
			default:
				return false
			}
		}
	}
	return true
}

// checkSignature verifies the signature with the candidate keys of set, and
// when there is none asks the key store for a fresher set once.
func (v *JWTVerifier) checkSignature(ctx context.Context, jws *jose.JSONWebSignature, h jose.Header, set *keySet, now time.Time) ([]byte, *keySet, error) {
	payload, tried := verifyWith(jws, set, h)
	switch {
	case payload != nil:
		return payload, set, nil
	case tried:
		return nil, set, errSignature
	}
	newer, err := v.keys.forced(ctx, now, set)
	if err != nil {
		return nil, set, unavailable("no key for token; key refresh failed", err)
	}
	if payload, _ := verifyWith(jws, newer, h); payload != nil {
		return payload, newer, nil
	}
	return nil, newer, errUnknownKey
}

// verifyWith returns the payload if one of set's candidate keys verifies the
// signature, and whether there was any candidate at all.
func verifyWith(jws *jose.JSONWebSignature, set *keySet, h jose.Header) (payload []byte, tried bool) {
	for key := range set.candidates(h.KeyID, h.Algorithm) {
		tried = true
		if payload, err := jws.Verify(key); err == nil {
			return payload, true
		}
	}
	return nil, tried
}

// principal validates the registered claims and builds the Principal.
func (v *JWTVerifier) principal(c claims, now time.Time) (*Principal, error) {
	std, ok := c.registered()
	if !ok {
		return nil, errClaims
	}
	if std.Expiry == nil {
		return nil, errNoExpiry
	}
	want := jwt.Expected{Issuer: v.issuer, AnyAudience: jwt.Audience{v.audience}, Time: now}
	if err := std.ValidateWithLeeway(want, v.leeway); err != nil {
		return nil, validationFailure(err)
	}
	p, err := principalFrom(c, v.subjectClaim)
	if err != nil {
		return nil, err
	}
	p.Expiry = std.Expiry.Time()
	return p, nil
}

func validationFailure(err error) error {
	switch {
	case errors.Is(err, jwt.ErrExpired):
		return errExpired
	case errors.Is(err, jwt.ErrNotValidYet):
		return errNotYetValid
	case errors.Is(err, jwt.ErrIssuedInTheFuture):
		return errIssuedFuture
	case errors.Is(err, jwt.ErrInvalidIssuer):
		return errIssuer
	case errors.Is(err, jwt.ErrInvalidAudience):
		return errAudience
	}
	return errClaims
}

// principalFrom reads the claims common to JWTs and introspection answers.
func principalFrom(c claims, subjectClaim string) (*Principal, error) {
	scopes, ok := c.scopes()
	if !ok {
		return nil, errClaims
	}
	phone, ok := c.phone(subjectClaim)
	if !ok {
		return nil, errPhone
	}
	clientID, ok := c.clientID(phone != "")
	if !ok {
		return nil, errClaims
	}
	if clientID == "" && phone != "" {
		return nil, errNoClient
	}
	return &Principal{ClientID: clientID, Phone: phone, Scopes: scopes}, nil
}

// discover reads the OpenID provider configuration and returns its jwks_uri.
// The document must name the configured issuer exactly (OpenID Connect
// Discovery §4.3), so a misrouted request cannot substitute another
// provider's keys.
func discover(ctx context.Context, client *http.Client, issuer string, insecure bool) (string, error) {
	doc, err := getJSON(ctx, client, strings.TrimSuffix(issuer, "/")+"/.well-known/openid-configuration", maxDiscoverySize)
	if err != nil {
		return "", err
	}
	var meta struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(doc, &meta); err != nil {
		return "", fmt.Errorf("discovery document: %w", err)
	}
	if meta.Issuer != issuer {
		return "", fmt.Errorf("discovery document names issuer %q", meta.Issuer)
	}
	if err := checkIDPURL(meta.JWKSURI, insecure); err != nil {
		return "", fmt.Errorf("jwks_uri: %w", err)
	}
	return meta.JWKSURI, nil
}

func clientTimeout(c *http.Client) time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return defaultHTTPTimeout
}

func cacheSize(n int) int {
	if n == 0 {
		return DefaultCacheSize
	}
	return n
}
