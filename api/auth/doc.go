// Package auth turns an OAuth 2.0 bearer token into a Principal: the calling
// client, its scopes and, for a three-legged token, the subscriber's phone
// number. It owns the whole decision, so the HTTP layer only ever sees a
// Principal or one of two sentinel errors.
//
// Two token forms are supported, because CAMARA leaves the format to the
// operator:
//
//   - JWT access tokens, verified locally (JWTVerifier) against a JWKS document
//     on disk or the keys an OpenID provider publishes (found by discovery).
//     Keys are re-read when they change, so a rotation needs no restart.
//   - Opaque tokens, checked with the authorisation server through OAuth 2.0
//     token introspection, RFC 7662 (Introspector).
//
// Chain routes a token to the right one and Middleware guards an http.Handler.
//
// # What it never does
//
// It never logs, stores or echoes a token: caches are keyed by the token's
// SHA-256 digest. Errors never carry a token byte or a claim value (phone
// numbers are personal data); they name only the check that failed ("token
// expired"), for the server's own debug log.
//
// It never tells a caller why a token failed. Every failure wraps
// ErrUnauthenticated, except a valid token that lacks the required scope,
// which wraps ErrPermissionDenied; the HTTP layer answers each with one fixed
// message, so a caller cannot probe which check it tripped.
//
// It calls nobody but the identity provider the operator configured
// (discovery, JWKS and introspection endpoints), and only over https unless
// the host is loopback or the operator allowed plain http explicitly: whoever
// can rewrite a JWKS or an introspection answer in transit can mint tokens.
// For the same reason a redirect never leaves the configured scheme and host,
// and an introspection request is never redirected at all.
//
// It accepts only RS256, PS256, ES256 and EdDSA signatures: never "none", never
// an HMAC algorithm (which would let anyone holding the public key forge
// tokens), never an encrypted token.
package auth
