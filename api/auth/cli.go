package auth

// What a command line that runs a server needs from auth beyond its
// constructors.

import (
	"context"
	"errors"
)

// ReloadKeys looks at the key source now rather than at its next check
// (serve calls it on SIGHUP): a changed JWKS file or document is
// published; on error the previous keys stay, as on any reload.
func (v *JWTVerifier) ReloadKeys(ctx context.Context) error {
	s := v.keys
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reload(ctx, v.now())
}

// CheckURL is the check NewJWT and NewIntrospection apply to their URLs,
// for a command line to refuse a bad flag value before anything starts.
func CheckURL(s string, allowInsecureHTTP bool) error { return checkIDPURL(s, allowInsecureHTTP) }

// Reason is the category of an authentication or authorisation failure,
// for a support log line: "missing", "malformed", "expired" (exp, nbf or
// iat out of range), "signature" (algorithm, key or signature), "issuer",
// "audience", "scope", "inactive", "unavailable" or "other". It names
// which check failed, never anything of the token.
func Reason(err error) string {
	for _, c := range reasons {
		for _, e := range c.errs {
			if errors.Is(err, e) {
				return c.reason
			}
		}
	}
	if errors.Is(err, ErrUnavailable) {
		return "unavailable"
	}
	return "other"
}

var reasons = []struct {
	reason string
	errs   []error
}{
	{"missing", []error{errNoToken}},
	{"malformed", []error{errNoVerifier, errMalformed, errMalformedHeader, errHeader, errClaims, errPhone}},
	{"expired", []error{errExpired, errNoExpiry, errNotYetValid, errIssuedFuture}},
	{"signature", []error{errAlgorithm, errUnknownKey, errSignature}},
	{"issuer", []error{errIssuer}},
	{"audience", []error{errAudience}},
	{"scope", []error{errScopeRequired}},
	{"inactive", []error{errInactive}},
}
