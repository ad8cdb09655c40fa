package auth

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
