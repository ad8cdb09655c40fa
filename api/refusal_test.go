package api_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/kycmatch/kycmatch/api"
)

// The CAMARA bodies of every 401 and 403 refusal, byte for byte.
const (
	body401 = `{"status":401,"code":"UNAUTHENTICATED","message":"Request not authenticated due to missing, invalid, or expired credentials. A new authentication is required."}`
	body403 = `{"status":403,"code":"PERMISSION_DENIED","message":"Client does not have sufficient permissions to perform this action."}`
)

// TestRefusalLog: a 401 or 403 leaves one info line with the reason
// category, and the client id only when the token verified (the 403s):
// a 401's claims are the sender's say-so, so none is logged, even the azp
// of a well-signed but expired token.
func TestRefusalLog(t *testing.T) {
	var logs logBuffer
	e := newEnv(t)
	e.ingest(t, testLines)
	s := newServer(t, e.live(t), func(c *api.Config) { c.Logger = logs.logger() })
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		token  string
		body   string
		reason string
		client string // "" means the line must carry none
	}{
		{"Missing", "-", body401, "missing", ""},
		{"Expired", s.idp.token(t, map[string]any{"exp": time.Now().Add(-time.Hour).Unix()}), body401, "expired", ""},
		{"Forged", signWith(t, jose.ES256, jose.JSONWebKey{Key: other, KeyID: kids[jose.ES256]}, claims(nil)), body401, "signature", ""},
		{"Inactive", opaqueRevoked, body401, "inactive", ""},
		{"Scope/JWT", s.idp.token(t, map[string]any{"scope": "openid", "azp": "partner-scopeless"}), body403, "scope", "partner-scopeless"},
		{"Scope/Introspected", opaqueNoScope, body403, "scope", "opaque-partner"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			correlator := fmt.Sprintf("refusal-%02d", i)
			r := s.do(t, call{version: "vwip", body: jsonBody(lineAna, "name", "Ana María Ruiz Gil"), token: tt.token, correlator: correlator})
			if string(r.body) != tt.body {
				t.Errorf("body %s, want %s", r.body, tt.body)
			}
			line := refusalLine(t, logs.String(), correlator)
			if line["level"] != "INFO" || line["reason"] != tt.reason {
				t.Errorf("log line %v: want level INFO, reason %s", line, tt.reason)
			}
			client, has := line["client"]
			if tt.client == "" && has || tt.client != "" && client != tt.client {
				t.Errorf("log line %v: want client %q", line, tt.client)
			}
		})
	}
}

// refusalLine returns the one "request refused" line of correlator.
func refusalLine(t *testing.T, logs, correlator string) map[string]any {
	t.Helper()
	var found []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", l)
		}
		if m["msg"] == "request refused" && m["correlator"] == correlator {
			found = append(found, m)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d refusal lines for %s, want 1", len(found), correlator)
	}
	return found[0]
}
