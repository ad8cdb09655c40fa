package auth

import (
	"context"
	"errors"
	"net/http"
	"strings"
)

type principalKey struct{}

// NewContext returns a copy of ctx carrying p. Middleware uses it; tests of
// handlers can use it to stand in for an authenticated request.
func NewContext(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the Principal that Middleware stored in ctx.
func FromContext(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(*Principal)
	return p, ok && p != nil
}

// Middleware authenticates every request with v and requires requiredScope
// (see HasScope). On success the Principal is in the request context (see
// FromContext). On failure next is not called: the RFC 6750
// WWW-Authenticate header is set and onError writes the response, with an
// error wrapping ErrUnauthenticated (answer 401) or ErrPermissionDenied
// (answer 403). The error's text is for the server log; the response must
// carry only a fixed message.
//
// onError's Principal is that of a token that verified but lacks the scope
// (a 403), and nil on a 401: only a verified identity is worth logging, since
// an unverified token's claims are whatever its sender wrote. It is never in
// the request context, so nothing downstream mistakes it for a grant.
//
// Middleware panics if v or onError is nil or requiredScope is empty: each is
// a wiring mistake that must not turn into an open or a closed door at run
// time. Writing the response is the HTTP layer's, with its one error table.
func Middleware(v Verifier, requiredScope string, onError func(http.ResponseWriter, *http.Request, *Principal, error)) func(http.Handler) http.Handler {
	if v == nil || requiredScope == "" || onError == nil {
		panic("auth: Middleware needs a Verifier, a required scope and an error writer")
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, err := authenticate(r, v, requiredScope)
			if err != nil {
				w.Header().Set("WWW-Authenticate", challenge(err, requiredScope))
				onError(w, r, p, err)
				return
			}
			next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), p)))
		})
	}
}

// authenticate returns the verified Principal, and with errScopeRequired
// too when it lacks the scope.
func authenticate(r *http.Request, v Verifier, requiredScope string) (*Principal, error) {
	token, err := BearerToken(r.Header)
	if err != nil {
		return nil, err
	}
	p, err := v.Verify(r.Context(), token)
	if err != nil {
		return nil, err
	}
	if !HasScope(p.Scopes, requiredScope) {
		return p, errScopeRequired
	}
	return p, nil
}

// BearerToken returns the token of the request's single "Authorization:
// Bearer <token>" header (RFC 6750 §2.1). The scheme is case-insensitive;
// the token must be one b64token (token68), so a second token, a comma list
// or a stray character is refused rather than guessed at. Errors wrap
// ErrUnauthenticated.
func BearerToken(h http.Header) (string, error) {
	values := h.Values("Authorization")
	if len(values) == 0 {
		return "", errNoToken
	}
	if len(values) > 1 {
		return "", errMalformedHeader
	}
	scheme, token, ok := strings.Cut(values[0], " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", errMalformedHeader
	}
	// RFC 7235 allows several spaces after the scheme.
	token = strings.TrimLeft(token, " ")
	if !isToken68(token) {
		return "", errMalformedHeader
	}
	return token, nil
}

var errMalformedHeader = reject("malformed Authorization header")

// isToken68 matches RFC 7235 token68: 1*( ALPHA / DIGIT / "-" / "." / "_" /
// "~" / "+" / "/" ) *"=".
func isToken68(s string) bool {
	body := strings.TrimRight(s, "=")
	if body == "" {
		return false
	}
	class := uint8(token68)
	for i := 0; i < len(body); i++ {
		class &= tokenChars[body[i]]
	}
	return class != 0
}

// challenge is the WWW-Authenticate value for err (RFC 6750 §3). It is the
// same for every invalid token, so it reveals nothing the status does not.
func challenge(err error, requiredScope string) string {
	switch {
	case errors.Is(err, ErrPermissionDenied):
		return `Bearer error="insufficient_scope", scope="` + requiredScope + `"`
	case errors.Is(err, errNoToken):
		return "Bearer"
	default:
		return `Bearer error="invalid_token"`
	}
}
