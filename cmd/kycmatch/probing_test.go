package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// serveProcess is one `kycmatch serve` run in the test's process, as the
// command line starts it.
type serveProcess struct {
	addr, adminAddr string
	stderr          *syncBuffer
}

// startServe runs serve over e with the extra flags, until the test ends.
func startServe(t *testing.T, e *serveEnv, flags ...string) *serveProcess {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &serveProcess{stderr: &syncBuffer{}}
	exit := make(chan int, 1)
	args := append([]string{"kycmatch", "serve", "--data", e.data, "--keyring", e.keyring,
		"--addr", "127.0.0.1:0", "--admin-addr", "127.0.0.1:0", "--jwks", e.jwks, "--issuer", serveIssuer,
		"--audience", serveAudience, "--poll", "50ms"}, flags...)
	go func() { exit <- run(ctx, args, nil, &bytes.Buffer{}, p.stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-exit:
		case <-time.After(15 * time.Second):
			t.Error("serve did not stop")
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for p.addr == "" {
		select {
		case code := <-exit:
			t.Fatalf("serve exited with %d: %s", code, p.stderr)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no \"serving\" log line: %s", p.stderr)
		}
		for _, l := range strings.Split(p.stderr.String(), "\n") {
			if strings.Contains(l, `"msg":"serving"`) {
				var s struct {
					Addr      string `json:"addr"`
					AdminAddr string `json:"admin_addr"`
				}
				json.Unmarshal([]byte(l), &s)
				p.addr, p.adminAddr = s.Addr, s.AdminAddr
			}
		}
	}
	return p
}

func (p *serveProcess) match(t *testing.T, token, body string) response {
	t.Helper()
	return send(t, http.MethodPost, "http://"+p.addr+"/kyc-match/vwip/match", token, strings.NewReader(body))
}

// auditLines are the audit lines p logged, decoded, once there are at
// least n (the log sink writes behind the requests).
func (p *serveProcess) auditLines(t *testing.T, n int) []map[string]any {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); strings.Count(p.stderr.String(), `"msg":"match"`) < n && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	var out []map[string]any
	for _, l := range strings.Split(p.stderr.String(), "\n") {
		if strings.Contains(l, `"msg":"match"`) {
			var m map[string]any
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatal(err)
			}
			out = append(out, m)
		}
	}
	return out
}

// TestProbingBadFlagValues: out-of-range values are usage errors naming
// their flag (the sentence's shape is TestBadFlagValues').
func TestProbingBadFlagValues(t *testing.T) {
	e := newServeEnv(t)
	serve := []string{"serve", "--data", e.data, "--keyring", e.keyring, "--addr", "127.0.0.1:0", "--admin-addr", "127.0.0.1:0",
		"--jwks", e.jwks, "--issuer", serveIssuer, "--audience", serveAudience}
	match := []string{"match", "--data", e.data, "--keyring", e.keyring, "--json", "{}"}
	tests := []struct {
		args []string
		flag string
	}{
		{with(serve, "--score-step", "0"), "--score-step"},
		{with(serve, "--score-step", "51"), "--score-step"},
		{with(serve, "--score-step", "ten"), "--score-step"},
		{with(serve, "--score-min", "-1"), "--score-min"},
		{with(serve, "--score-min", "100"), "--score-min"},
		{with(match, "--score-step", "51"), "--score-step"},
		{with(match, "--score-min", "100"), "--score-min"},
		{with(serve, "--line-rate-limit", "10"), "--line-rate-limit"},
		{with(serve, "--line-rate-limit", "0/d"), "--line-rate-limit"},
		{with(serve, "--line-rate-limit", "10/w"), "--line-rate-limit"},
		{with(serve, "--rate-limit-redis", "redis://127.0.0.1:6379/0"), "--rate-limit-redis"},
		{with(serve, "--line-rate-limit", "10/d", "--rate-limit-redis", "http://user:s3cret@127.0.0.1/"), "--rate-limit-redis"},
		{[]string{"audit-id", "--keyring", e.keyring, "699999999"}, "E.164"},
		{[]string{"audit-id", "--keyring", e.keyring}, "phone number"},
	}
	for _, tt := range tests {
		var stderr bytes.Buffer
		code := run(context.Background(), append([]string{"kycmatch"}, tt.args...), nil, &bytes.Buffer{}, &stderr)
		msg := strings.TrimSpace(stderr.String())
		if code != exitUsage || !strings.Contains(msg, tt.flag) || strings.Contains(msg, "699999999") || strings.Contains(msg, "s3cret") {
			t.Errorf("%v: exit %d, %q; want %d naming %s", tt.args, code, msg, exitUsage, tt.flag)
		}
	}
}

// TestAuditID: audit-id prints the line serve's audit log names, for the
// E.164 and the tel: forms, and serve coarsens scores as its flags say.
func TestAuditID(t *testing.T) {
	e := newServeEnv(t)
	e.ingest(t, e.kr)
	p := startServe(t, e, "--score-step", "10", "--score-min", "50")
	r := p.match(t, e.token(t), `{"phoneNumber":"`+servePhone+`","name":"Marta Serrano Velo","birthdate":"1987-06-16"}`)
	camara(t, r, 200, "")
	var body map[string]any
	json.Unmarshal([]byte(r.body), &body)
	if s, ok := body["nameMatchScore"].(float64); !ok || int(s)%10 != 0 || s < 50 {
		t.Errorf("nameMatchScore %v, want a multiple of 10 from 50", body["nameMatchScore"])
	}
	audits := p.auditLines(t, 1)
	if len(audits) != 1 {
		t.Fatalf("%d audit lines", len(audits))
	}
	for _, phone := range []string{servePhone, "tel:" + servePhone} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), []string{"kycmatch", "audit-id", "--keyring", e.keyring, phone}, nil, &stdout, &stderr); code != exitOK {
			t.Fatalf("audit-id: exit %d: %s", code, stderr.String())
		}
		if got := strings.TrimSpace(stdout.String()); got != audits[0]["line"] || len(got) != 16 {
			t.Errorf("audit-id %s = %q, audit line has %v", phone, got, audits[0]["line"])
		}
	}
}
