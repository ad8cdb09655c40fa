package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// runServe runs `kycmatch serve` with args after the data, keyring and
// listener flags, and returns its public address once it logs "serving".
// It stops when the test ends.
func runServeArgs(t *testing.T, e *serveEnv, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	exit := make(chan int, 1)
	go func() {
		exit <- run(ctx, append([]string{"kycmatch", "serve", "--data", e.data, "--keyring", e.keyring,
			"--addr", "127.0.0.1:0", "--admin-addr", "127.0.0.1:0"}, args...), nil, &stderr, &stderr)
	}()
	t.Cleanup(func() { cancel(); <-exit })
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case code := <-exit:
			exit <- code
			t.Fatalf("serve exited with %d: %s", code, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		for _, l := range strings.Split(stderr.String(), "\n") {
			var serving struct {
				Msg, Addr string
			}
			if json.Unmarshal([]byte(l), &serving) == nil && serving.Msg == "serving" {
				return serving.Addr
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no \"serving\" log line: %s", stderr.String())
		}
	}
}

// TestServeIntrospectionChecks: with introspection configured from the
// command line, an answer for another issuer or another resource server, or
// for a token that is not an access token, is a 401. The issuer and
// audience default to --issuer and --audience; the introspection flags
// override them.
func TestServeIntrospectionChecks(t *testing.T) {
	e := newServeEnv(t)
	e.ingest(t, e.kr)
	exp := time.Now().Add(time.Hour).Unix()
	answers := map[string]map[string]any{}
	answer := func(token string, over map[string]any) {
		a := map[string]any{"active": true, "client_id": "partner", "scope": "kyc-match:match", "exp": exp,
			"iss": serveIssuer, "aud": []string{"other-api", serveAudience}, "token_type": "Bearer"}
		for k, v := range over {
			a[k] = v
		}
		answers[token] = a
	}
	answer("good", nil)
	answer("other-aud", map[string]any{"aud": "other-api"})
	answer("other-iss", map[string]any{"iss": "https://idp.other.test"})
	answer("refresh", map[string]any{"token_type": "refresh_token"})
	answer("override", map[string]any{"iss": "https://as.serve.test", "aud": "kyc-intro"})
	as := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := answers[r.PostFormValue("token")]
		if !ok {
			a = map[string]any{"active": false}
		}
		_ = json.NewEncoder(w).Encode(a)
	}))
	defer as.Close()
	intro := []string{"--introspection-url", as.URL, "--introspection-client-id", "kycmatch", "--introspection-secret-file", e.secretFile(t)}

	body := `{"phoneNumber":"` + servePhone + `","name":"Marta Serrano Vela"}`
	match := func(addr, token string) int {
		t.Helper()
		return send(t, http.MethodPost, "http://"+addr+"/kyc-match/v0.4/match", token, strings.NewReader(body)).status
	}
	addr := runServeArgs(t, e, append(intro, "--issuer", serveIssuer, "--audience", serveAudience)...)
	for token, want := range map[string]int{"good": 200, "other-aud": 401, "other-iss": 401, "refresh": 401, "override": 401} {
		if got := match(addr, token); got != want {
			t.Errorf("defaults: token %q answered %d, want %d", token, got, want)
		}
	}
	addr = runServeArgs(t, e, append(intro, "--issuer", serveIssuer, "--audience", serveAudience,
		"--introspection-issuer", "https://as.serve.test", "--introspection-audience", "kyc-intro")...)
	for token, want := range map[string]int{"override": 200, "good": 401} {
		if got := match(addr, token); got != want {
			t.Errorf("overridden: token %q answered %d, want %d", token, got, want)
		}
	}
}
