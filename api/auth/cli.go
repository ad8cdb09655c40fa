package auth

// What a command line that runs a server needs from auth beyond its
// constructors.

import "context"

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
func CheckURL(s string) error { return checkHTTPURL(s) }
