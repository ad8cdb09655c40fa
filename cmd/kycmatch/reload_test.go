package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kycmatch/kycmatch/internal/devissuer"
	"github.com/kycmatch/kycmatch/keys"
)

// runServe starts `kycmatch serve` in-process as main would and returns
// its public and admin addresses, its stderr, and a stop function that
// checks it exits 0.
func runServe(t *testing.T, e *serveEnv) (pub, adm string, stderr *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stderr = &syncBuffer{}
	exit := make(chan int, 1)
	go func() {
		exit <- run(ctx, []string{"kycmatch", "serve", "--data", e.data, "--keyring", e.keyring,
			"--addr", "127.0.0.1:0", "--admin-addr", "127.0.0.1:0", "--jwks", e.jwks, "--issuer", serveIssuer,
			"--audience", serveAudience, "--poll", "50ms"}, nil, &syncBuffer{}, stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-exit:
			if code != exitOK {
				t.Errorf("serve exited %d: %s", code, stderr.String())
			}
		case <-time.After(10 * time.Second):
			t.Error("serve did not stop")
		}
	})
	var serving struct {
		Addr      string `json:"addr"`
		AdminAddr string `json:"admin_addr"`
	}
	waitFor(t, "the serving log line", func() bool {
		select {
		case code := <-exit:
			t.Fatalf("serve exited with %d: %s", code, stderr.String())
		default:
		}
		for _, l := range strings.Split(stderr.String(), "\n") {
			if strings.Contains(l, `"msg":"serving"`) {
				json.Unmarshal([]byte(l), &serving)
			}
		}
		return serving.Addr != ""
	})
	return "http://" + serving.Addr, "http://" + serving.AdminAddr, stderr
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within 5 s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type readiness struct {
	Ready      bool   `json:"ready"`
	Generation string `json:"generation"`
	Refused    *struct {
		Generation string `json:"generation"`
		Reason     string `json:"reason"`
	} `json:"refused"`
}

func ready(t *testing.T, adm string) readiness {
	t.Helper()
	var r readiness
	if err := json.Unmarshal([]byte(get(t, adm+"/readyz").body), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestServeKeyRotation: keys rotate, a full ingest publishes with the new
// key, and the running serve re-reads its keyring and answers from the new
// generation. A generation whose key no keyring file holds is refused
// once (log, metric, /readyz) while the previous one answers, until the
// keyring file is fixed and SIGHUP re-reads it, which also re-reads the
// JWKS file and does not end the process.
func TestServeKeyRotation(t *testing.T) {
	e := newServeEnv(t)
	e.ingest(t, e.kr)
	pub, adm, logs := runServe(t, e)
	match := func() response {
		return send(t, http.MethodPost, pub+"/kyc-match/v0.4/match", e.token(t),
			strings.NewReader(`{"phoneNumber":"`+servePhone+`","name":"Marta Serrano Vela"}`))
	}
	camara(t, match(), 200, "")

	// keys rotate and a full ingest, as separate commands would.
	kr, err := keys.Open(e.keyring, keys.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kr.Rotate(); err != nil {
		t.Fatal(err)
	}
	e.ingest(t, kr)
	waitFor(t, "swap to generation 00000002", func() bool { return ready(t, adm).Generation == "00000002" })
	if r := ready(t, adm); !r.Ready || r.Refused != nil {
		t.Errorf("/readyz after the rotation: %+v", r)
	}
	camara(t, match(), 200, "")

	// A generation built with a keyring serve cannot read.
	otherPath := filepath.Join(e.dir, "other-keyring")
	other, err := keys.Create(otherPath, keys.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e.ingest(t, other)
	waitFor(t, "refusal of generation 00000003", func() bool { return ready(t, adm).Refused != nil })
	time.Sleep(300 * time.Millisecond) // several polls: still one log line
	r := ready(t, adm)
	if !r.Ready || r.Generation != "00000002" || r.Refused.Generation != "00000003" || !strings.Contains(r.Refused.Reason, other.Active().ID()) {
		t.Errorf("/readyz with a refused generation: %+v", r)
	}
	if n := strings.Count(logs.String(), `"msg":"cannot open the new current generation; still answering from the previous one"`); n != 1 {
		t.Errorf("%d error lines for the refused generation, want 1:\n%s", n, logs)
	}
	if m := get(t, adm+"/metrics").body; !strings.Contains(m, "\nkycmatch_generation_swap_failures_total 1\n") {
		t.Error("/metrics does not count the refusal")
	}
	camara(t, match(), 200, "")

	// The operator puts the right keyring in place, and a new signing key
	// in the JWKS file, then sends SIGHUP.
	b, err := os.ReadFile(otherPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.keyring, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if e.idp, err = devissuer.New(serveIssuer, serveAudience); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.jwks, e.idp.JWKS(), 0o600); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if g := ready(t, adm).Generation; g != "00000002" {
		t.Fatalf("generation %s before SIGHUP: the keyring was re-read at every poll", g)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "swap to generation 00000003 after SIGHUP", func() bool { return ready(t, adm).Generation == "00000003" })
	if r := ready(t, adm); r.Refused != nil {
		t.Errorf("/readyz still names a refusal: %+v", r)
	}
	// No request has been verified since the JWKS file changed: only
	// SIGHUP can have re-read it.
	waitFor(t, "the signing keys re-read", func() bool { return strings.Contains(logs.String(), "signing keys updated") })
	camara(t, match(), 200, "")
}
