package auth

import (
	"context"
	"errors"
	"strings"
	"time"
)

// Principal is the authenticated caller. Values returned by a Verifier are
// the caller's own copy, but Scopes may share its backing array with other
// Principals of the same token: treat it as read-only.
type Principal struct {
	// ClientID identifies the client application for rate limiting and
	// audit: the token's azp, else client_id, else (two-legged tokens only)
	// sub. A three-legged token without azp or client_id is refused, since
	// its sub names the end user. It may be empty for a two-legged
	// introspection answer that carries none of them.
	ClientID string
	// Phone is the subscriber in E.164 form from the subject claim of a
	// three-legged token; "" for a two-legged token.
	Phone string
	// Scopes are the granted scopes, in token order.
	Scopes []string
	// Expiry is when the token stops being valid; zero when an introspection
	// answer did not say.
	Expiry time.Time
}

// The sentinels every error from this package wraps. Their texts are for the
// server's log, not for clients: the HTTP layer maps them to fixed messages.
var (
	// ErrUnauthenticated covers every failure except a missing scope: no or
	// malformed Authorization header, bad signature, expired, wrong issuer or
	// audience, refused algorithm, unknown key, inactive or unverifiable
	// introspection answer, invalid phone claim, ...
	ErrUnauthenticated = errors.New("auth: unauthenticated")
	// ErrPermissionDenied is a valid token without the required scope.
	ErrPermissionDenied = errors.New("auth: permission denied")
	// ErrUnavailable is wrapped, alongside ErrUnauthenticated, when the token
	// could not be judged because the identity provider did not answer
	// usefully (introspection or JWKS endpoint down, timing out, or refusing
	// our client credentials). It lets logs and metrics tell an outage from
	// bad tokens; clients still get the same 401.
	ErrUnavailable = errors.New("auth: identity provider unavailable")
)

// failure is the error type behind both sentinels. reason names the check
// that failed and must never contain a token byte or a claim value; cause,
// when set, is an error known to carry neither (a network error, a JWKS
// parse error).
type failure struct {
	kind        error
	reason      string
	unavailable bool
	cause       error
}

func (f *failure) Error() string {
	var b strings.Builder
	b.WriteString(f.kind.Error())
	b.WriteString(": ")
	b.WriteString(f.reason)
	if f.cause != nil {
		b.WriteString(": ")
		b.WriteString(f.cause.Error())
	}
	return b.String()
}

func (f *failure) Unwrap() []error {
	errs := []error{f.kind}
	if f.unavailable {
		errs = append(errs, ErrUnavailable)
	}
	if f.cause != nil {
		errs = append(errs, f.cause)
	}
	return errs
}

// reject builds an ErrUnauthenticated failure. The common ones are built once
// below, so refusing garbage costs no allocation.
func reject(reason string) error {
	return &failure{kind: ErrUnauthenticated, reason: reason}
}

// unavailable builds an ErrUnauthenticated failure that also wraps
// ErrUnavailable.
func unavailable(reason string, cause error) error {
	return &failure{kind: ErrUnauthenticated, reason: reason, unavailable: true, cause: cause}
}

var (
	errNoToken       = reject("no bearer token")
	errMalformed     = reject("malformed token")
	errAlgorithm     = reject("signature algorithm not accepted")
	errHeader        = reject("unsupported token header")
	errUnknownKey    = reject("no key for token")
	errSignature     = reject("bad signature")
	errClaims        = reject("malformed claims")
	errNoExpiry      = reject("token has no exp")
	errExpired       = reject("token expired")
	errNotYetValid   = reject("token not yet valid")
	errIssuedFuture  = reject("token issued in the future")
	errIssuer        = reject("issuer mismatch")
	errAudience      = reject("audience mismatch")
	errPhone         = reject("subject claim is not a phone number")
	errInactive      = reject("token inactive")
	errTokenType     = reject("token_type is not a bearer access token")
	errNoClient      = reject("three-legged token names no client (azp, client_id)")
	errNoVerifier    = reject("no verifier configured for this token format")
	errScopeRequired = &failure{kind: ErrPermissionDenied, reason: "required scope missing"}
)

// Verifier turns a bearer token into a Principal.
type Verifier interface {
	// Verify returns the token's Principal, or an error wrapping
	// ErrUnauthenticated (never ErrPermissionDenied: scope is checked by the
	// caller, see HasScope). It does not log the token.
	Verify(ctx context.Context, token string) (*Principal, error)
}

// HasScope reports whether scopes grant required, either as is or in the
// purpose-qualified form "dpv:<Purpose>#<required>" that CAMARA uses for
// purpose-bound consent, with Purpose a non-empty run of ASCII letters and
// digits. Matching is exact: "kyc-match:matchX" does not grant
// "kyc-match:match".
func HasScope(scopes []string, required string) bool {
	if required == "" {
		return false
	}
	for _, s := range scopes {
		if s == required || isPurposeScope(s, required) {
			return true
		}
	}
	return false
}

func isPurposeScope(s, required string) bool {
	purpose, ok := strings.CutPrefix(s, "dpv:")
	if !ok {
		return false
	}
	purpose, ok = strings.CutSuffix(purpose, "#"+required)
	if !ok || purpose == "" {
		return false
	}
	for i := 0; i < len(purpose); i++ {
		c := purpose[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// Chain returns a Verifier that sends a token shaped like a JWS compact
// serialisation (three base64url parts) to jwt, and any other token to intro.
// A nil member is skipped: with only intro, JWT-shaped tokens are introspected
// too (many authorisation servers issue JWTs and still answer introspection).
// A JWT-shaped token that jwt refuses is not retried by introspection: that
// would double the cost of every forged token and blur which issuer vouched
// for a token. With both nil, every token is refused.
func Chain(jwt *JWTVerifier, intro *Introspector) Verifier {
	return &chain{jwt: jwt, intro: intro}
}

type chain struct {
	jwt   *JWTVerifier
	intro *Introspector
}

func (c *chain) Verify(ctx context.Context, token string) (*Principal, error) {
	if c.jwt != nil && looksLikeJWS(token) {
		return c.jwt.verifyJWS(ctx, token)
	}
	if c.intro != nil {
		return c.intro.Verify(ctx, token)
	}
	return nil, errNoVerifier
}

// looksLikeJWS reports whether token has the shape of a JWS compact
// serialisation: exactly three dot-separated parts of base64url characters,
// the first two non-empty. A JWE has five parts and is therefore not a JWS.
func looksLikeJWS(token string) bool {
	// A branch-free pass over the bytes, then the dots found with IndexByte:
	// every request's token goes through here.
	class := uint8(jwsChar)
	for i := 0; i < len(token); i++ {
		class &= tokenChars[token[i]]
	}
	if class == 0 {
		return false
	}
	first := strings.IndexByte(token, '.')
	if first <= 0 {
		return false
	}
	rest := token[first+1:]
	second := strings.IndexByte(rest, '.')
	return second > 0 && strings.IndexByte(rest[second+1:], '.') < 0
}

// Byte classes of tokenChars.
const (
	jwsChar = 1 << iota // base64url (ALPHA / DIGIT / "-" / "_", RFC 4648 §5) and "."
	token68             // those and "~" / "+" / "/" (RFC 7235 token68)
)

// tokenChars classifies bytes for the token shape checks, which read every
// byte of every request's token: one table load per byte costs a fraction
// of a switch over character ranges.
var tokenChars = func() (t [256]uint8) {
	for c := range len(t) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.':
			t[c] = jwsChar | token68
		case c == '~', c == '+', c == '/':
			t[c] = token68
		}
	}
	return t
}()
