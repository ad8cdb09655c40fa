package auth_test

import (
	"context"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/kycmatch/kycmatch/api/auth"
)

// TestClientID: the client id is azp, else client_id; sub only for a
// two-legged token, where it is the client. A three-legged token (it names
// a subscriber) whose sub is all there is, is refused rather than have the
// end user's identifier stand in for the client in audit lines. Both token
// forms share the rule.
func TestClientID(t *testing.T) {
	clk := newClock()
	now := clk.Now()
	es := newKey(t, jose.ES256, "es")
	jwt, _ := mustFileVerifier(t, clk, auth.JWTConfig{}, es)
	as := newAuthServer(t)
	intro := newIntrospector(t, as, clk, auth.IntrospectionConfig{CacheSize: -1})
	const phone = "+34612345678"

	tests := []struct {
		name   string
		over   map[string]any // changes to a token with azp, client_id and sub
		client string         // "": refused
	}{
		{"TwoLegged/Azp", nil, "partner-app"},
		{"TwoLegged/ClientID", map[string]any{"azp": nil}, "partner-client"},
		{"TwoLegged/SubIsTheClient", map[string]any{"azp": nil, "client_id": nil}, "user-1"},
		{"ThreeLegged/Azp", map[string]any{"phone_number": phone}, "partner-app"},
		{"ThreeLegged/ClientID", map[string]any{"phone_number": phone, "azp": nil}, "partner-client"},
		{"ThreeLegged/OnlySub", map[string]any{"phone_number": phone, "azp": nil, "client_id": nil, "sub": phone}, ""},
		{"ThreeLegged/NoClientAtAll", map[string]any{"phone_number": phone, "azp": nil, "client_id": nil, "sub": nil}, ""},
	}
	for i, tt := range tests {
		c := claimsAt(now, tt.over)
		answer := activeAnswer(now, map[string]any{"client_id": nil})
		for k, v := range c {
			if k != "iat" && k != "exp" {
				answer[k] = v
			}
		}
		opaque := "opaque-" + string(rune('a'+i))
		as.set(opaque, answer)
		for form, verify := range map[string]func() (*auth.Principal, error){
			"JWT":           func() (*auth.Principal, error) { return jwt.Verify(context.Background(), sign(t, es, c, nil)) },
			"Introspection": func() (*auth.Principal, error) { return intro.Verify(context.Background(), opaque) },
		} {
			t.Run(tt.name+"/"+form, func(t *testing.T) {
				p, err := verify()
				if tt.client == "" {
					checkErr(t, err, auth.ErrUnauthenticated)
					if strings.Contains(err.Error(), phone) {
						t.Errorf("error %q names the subscriber", err)
					}
					return
				}
				checkErr(t, err, nil)
				if p.ClientID != tt.client {
					t.Errorf("ClientID %q, want %q", p.ClientID, tt.client)
				}
			})
		}
	}
}
