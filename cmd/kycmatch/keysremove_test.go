package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kycmatch/kycmatch/keys"
)

// kycmatch runs the command line, returning its exit status, stdout and
// the last line of stderr.
func kycmatch(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), append([]string{"kycmatch"}, args...), nil, &stdout, &stderr)
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	return code, stdout.String(), lines[len(lines)-1]
}

// TestKeysRemove: the refusals of contract §1, in order, and removal once
// nothing kept needs the key.
func TestKeysRemove(t *testing.T) {
	e := newServeEnv(t)
	old := e.kr.Active().ID()
	e.ingest(t, e.kr) // generation 1, with old
	if _, err := e.kr.Rotate(); err != nil {
		t.Fatal(err)
	}
	active := e.kr.Active().ID()
	e.ingest(t, e.kr) // generation 2, with active; 1 is kept
	base := []string{"keys", "remove", "--keyring", e.keyring}
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"Usage/NoID", base, exitUsage, []string{"key id"}},
		{"Failure/Unknown", with(base, "--data", e.data, "0123456789abcdef"), exitFailure, []string{"0123456789abcdef"}},
		{"Failure/Active", with(base, "--data", e.data, "--force", active), exitFailure, []string{active, "active", "rotate"}},
		{"Failure/KeptGeneration", with(base, "--data", e.data, old), exitFailure, []string{"00000001", old, "--force"}},
		{"Failure/NoStore", with(base, old), exitFailure, []string{"--data", "--force"}},
		{"Failure/MissingDataDirectory", with(base, "--data", filepath.Join(e.dir, "typo"), old), exitFailure, []string{"does not exist"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, msg := kycmatch(t, tt.args...)
			if code != tt.code || !strings.HasPrefix(msg, "kycmatch: ") || !strings.HasSuffix(msg, ".") {
				t.Fatalf("exit %d, %q; want %d and one sentence", code, msg, tt.code)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%q does not name %s", msg, w)
				}
			}
			if _, err := keys.Open(e.keyring, keys.Options{}); err != nil {
				t.Fatal(err)
			}
			if kr, _ := keys.Open(e.keyring, keys.Options{}); len(kr.Versions()) != 2 {
				t.Error("a refused removal changed the keyring")
			}
		})
	}

	// keys list --data shows which kept generation each version built.
	code, out, msg := kycmatch(t, "keys", "list", "--keyring", e.keyring, "--data", e.data, "--output", "json")
	if code != exitOK {
		t.Fatalf("keys list: %d %s", code, msg)
	}
	gens := map[string][]string{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var v struct {
			ID          string   `json:"id"`
			Generations []string `json:"generations"`
		}
		json.Unmarshal([]byte(l), &v)
		gens[v.ID] = v.Generations
	}
	if strings.Join(gens[old], ",") != "00000001" || strings.Join(gens[active], ",") != "00000002" {
		t.Errorf("keys list --data: %v", gens)
	}
	if _, out, _ := kycmatch(t, "keys", "list", "--keyring", e.keyring, "--data", e.data); !strings.Contains(out, "GENERATIONS") || !strings.Contains(out, "00000002") {
		t.Errorf("keys list --data, text:\n%s", out)
	}

	e.ingest(t, e.kr) // generation 3: 1 is gone, nothing needs old
	code, out, msg = kycmatch(t, with(base, "--data", e.data, old)...)
	if code != exitOK || !strings.Contains(out, old) {
		t.Fatalf("removing an unused key: exit %d, %s %s", code, out, msg)
	}
	kr, err := keys.Open(e.keyring, keys.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kr.Key(old); err == nil {
		t.Error("the removed key is still in the keyring")
	}
	fi, _ := os.Stat(e.keyring)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("keyring mode %o after removal", fi.Mode().Perm())
	}
}

// TestKeysRemoveForce: --force shreds a key a generation still needs, and
// serve then refuses that generation with its clear message.
func TestKeysRemoveForce(t *testing.T) {
	e := newServeEnv(t)
	old := e.kr.Active().ID()
	e.ingest(t, e.kr)
	if _, err := e.kr.Rotate(); err != nil {
		t.Fatal(err)
	}
	if code, _, msg := kycmatch(t, "keys", "remove", "--keyring", e.keyring, "--data", e.data, "--force", old); code != exitOK {
		t.Fatalf("keys remove --force: exit %d: %s", code, msg)
	}
	code, _, msg := kycmatch(t, "serve", "--data", e.data, "--keyring", e.keyring, "--addr", "127.0.0.1:0", "--admin-addr", "127.0.0.1:0",
		"--jwks", e.jwks, "--issuer", serveIssuer, "--audience", serveAudience)
	if code != exitFailure || !strings.Contains(msg, old) || !strings.Contains(msg, "keyring") {
		t.Errorf("serve over a generation of a removed key: exit %d, %q", code, msg)
	}
}
