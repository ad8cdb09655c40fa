package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kycmatch/kycmatch/keys"
)

// TestKeyringRefusals: ingest, match and serve refuse a keyring inside the
// data directory, also through a symbolic link, and a plain keyring when
// --passphrase-file says it should be sealed; each exits 1 with one
// sentence naming what to fix.
func TestKeyringRefusals(t *testing.T) {
	e := newServeEnv(t)
	e.ingest(t, e.kr)
	export := filepath.Join(e.dir, "export.csv")
	pass := filepath.Join(e.dir, "pass")
	for name, b := range map[string]string{export: serveExport, pass: "correct horse battery staple\n"} {
		if err := os.WriteFile(name, []byte(b), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	inData := filepath.Join(e.data, "keyring")
	if _, err := keys.Create(inData, keys.Options{}); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(e.dir, "data-link")
	if err := os.Symlink(e.data, link); err != nil {
		t.Fatal(err)
	}
	commands := map[string][]string{
		"ingest": {"ingest", export},
		"match":  {"match", "--json", downgradeRequest},
		"serve": {"serve", "--addr", "127.0.0.1:0", "--admin-addr", "127.0.0.1:0", "--jwks", e.jwks,
			"--issuer", serveIssuer, "--audience", serveAudience},
	}
	cases := []struct {
		name  string
		flags []string
		want  []string
	}{
		{"KeyringInData", []string{"--data", e.data, "--keyring", inData}, []string{"inside the data directory", "move it outside"}},
		{"KeyringInDataThroughLink", []string{"--data", link, "--keyring", inData}, []string{"inside the data directory"}},
		{"DataThroughLinkKeyringInside", []string{"--data", e.data, "--keyring", filepath.Join(link, "keyring")}, []string{"inside the data directory"}},
		{"PlainWithPassphrase", []string{"--data", e.data, "--keyring", e.keyring, "--passphrase-file", pass}, []string{"not sealed", "--passphrase-file"}},
	}
	for cmd, args := range commands {
		for _, tt := range cases {
			t.Run(cmd+"/"+tt.name, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				var stderr bytes.Buffer
				code := run(ctx, append(append([]string{"kycmatch", args[0]}, tt.flags...), args[1:]...), nil, io.Discard, &stderr)
				msg := strings.TrimSpace(stderr.String())
				if code != exitFailure {
					t.Fatalf("exit %d, want 1: %s", code, msg)
				}
				if strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "kycmatch: ") || !strings.HasSuffix(msg, ".") {
					t.Errorf("error %q is not one sentence", msg)
				}
				for _, w := range tt.want {
					if !strings.Contains(msg, w) {
						t.Errorf("error %q does not say %q", msg, w)
					}
				}
			})
		}
	}
}
