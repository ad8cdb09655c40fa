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
// carry only a fixed message. A nil onError writes the CAMARA error body.
// Middleware panics if v is nil or requiredScope is empty: both are wiring
// mistakes that must not turn into an open or a closed door at run time.
func Middleware(v Verifier, requiredScope string, onError func(http.ResponseWriter, *http.Request, error)) func(http.Handler) http.Handler {
	if v == nil || requiredScope == "" {
		panic("auth: Middleware needs a Verifier and a required scope")
	}
	if onError == nil {
		onError = writeError
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, err := authenticate(r, v, requiredScope)
			if err != nil {
				w.Header().Set("WWW-Authenticate", challenge(err, requiredScope))
				onError(w, r, err)
				return
			}
			next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), p)))
		})
	}
}

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
		return nil, errScopeRequired
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

// The CAMARA error bodies (CAMARA_common.yaml), fixed texts whatever the
// reason.
const (
	body401 = `{"status":401,"code":"UNAUTHENTICATED","message":"Request not authenticated due to missing, invalid, or expired credentials. A new authentication is required."}`
	body403 = `{"status":403,"code":"PERMISSION_DENIED","message":"Client does not have sufficient permissions to perform this action."}`
)

// writeError is the fallback onError, for callers without their own error
// writer.
func writeError(w http.ResponseWriter, _ *http.Request, err error) {
	status, body := http.StatusUnauthorized, body401
	if errors.Is(err, ErrPermissionDenied) {
		status, body = http.StatusForbidden, body403
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}
