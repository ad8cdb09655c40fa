package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/kycmatch/kycmatch/api/auth"
	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/ingest"
	"github.com/kycmatch/kycmatch/keys"
	"github.com/kycmatch/kycmatch/normalize"
	"github.com/kycmatch/kycmatch/synth"
)

func demoCommand() *cli.Command {
	return &cli.Command{
		Name:  "demo",
		Usage: "everything on synthetic data: keyring, export, ingest, serve with a development signing key",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "count", Usage: "synthetic subscriber lines", Value: 1000},
			&cli.StringFlag{Name: "addr", Usage: "public listener", Value: "127.0.0.1:8080"},
			&cli.StringFlag{Name: "admin-addr", Usage: "admin listener", Value: "127.0.0.1:9090"},
			&cli.BoolFlag{Name: "check", Usage: "send the printed request, print the answer and exit (for tests)"},
		},
		Action: demoAction,
	}
}

// demo is the state of one demo run, all of it in a temporary directory
// removed at exit.
type demo struct {
	dir   string
	kr    *keys.Keyring
	out   io.Writer
	token string
	body  []byte
}

const (
	demoIssuer   = "https://kycmatch-demo.invalid"
	demoAudience = "kycmatch-demo"
)

func demoAction(c *cli.Context) error {
	if err := noArgs(c); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "kycmatch-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	d := &demo{dir: dir, out: c.App.Writer}
	if err := d.prepare(c.Context, c.Int("count")); err != nil {
		return err
	}
	jwks, err := d.issueToken()
	if err != nil {
		return err
	}
	logger, _ := newLogger(io.Discard, "")
	if c.Bool("check") {
		logger, _ = newLogger(c.App.ErrWriter, "warn")
	}
	cfg := &serveConfig{data: filepath.Join(dir, "data"), addr: c.String("addr"), adminAddr: c.String("admin-addr"),
		keyring: d.kr, poll: time.Second, shutdownTimeout: 5 * time.Second, logger: logger}
	if cfg.verifier, err = auth.NewJWT(c.Context, auth.JWTConfig{JWKSFile: jwks, Issuer: demoIssuer, Audience: demoAudience}); err != nil {
		return err
	}
	srv, err := startServer(c.Context, cfg)
	if err != nil && strings.Contains(err.Error(), "address already in use") {
		cfg.addr, cfg.adminAddr = "127.0.0.1:0", "127.0.0.1:0" // something else has the usual ports
		srv, err = startServer(c.Context, cfg)
	}
	if err != nil {
		return err
	}
	defer srv.Close()
	d.printCurl(srv)
	if c.Bool("check") {
		return d.check(srv)
	}
	fmt.Fprintln(d.out, "\nServing until Ctrl-C; the data directory and keyring are removed on exit.")
	<-c.Context.Done()
	return nil
}

// prepare makes the keyring and a synthetic export, and ingests it.
func (d *demo) prepare(ctx context.Context, count int) error {
	var err error
	if d.kr, err = keys.Create(filepath.Join(d.dir, "keyring"), keys.Options{}); err != nil {
		return err
	}
	var export bytes.Buffer
	if err := synth.Write(&export, synth.Options{Count: count, Seed: 1}); err != nil {
		return err
	}
	st, err := openStore(filepath.Join(d.dir, "data"), d.kr, false)
	if err != nil {
		return err
	}
	sum, err := ingest.Run(ctx, ingest.Options{Input: &export, Format: ingest.CSV, Keyring: d.kr, Store: st,
		TempDir: filepath.Join(d.dir, "data")})
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	fmt.Fprintf(d.out, "Keyring, %s and their generation are in %s\n%s\n", plural(count, "synthetic subscriber line"), d.dir, sum)
	d.body, err = demoRequest()
	return err
}

// issueToken writes the development issuer's JWKS and mints a two-legged
// token. The key lives only in this process: it can never be the default
// of serve.
func (d *demo) issueToken() (string, error) {
	iss, err := auth.NewDevIssuer(demoIssuer, demoAudience)
	if err != nil {
		return "", err
	}
	path := filepath.Join(d.dir, "jwks.json")
	if err := os.WriteFile(path, iss.JWKS(), 0o600); err != nil {
		return "", err
	}
	d.token, err = iss.Token(auth.DevClaims{Subject: "demo-partner", ClientID: "demo-partner", Scopes: []string{"kyc-match:match"}}, time.Hour)
	return path, err
}

// demoRequest asks about the first eligible generated line, with its name
// slightly misspelt so that the answer shows a score.
func demoRequest() ([]byte, error) {
	for i := 0; ; i++ {
		s := synth.Generate(1, i, false)
		if !s.Eligible || s.Values[engine.Name] == "" || s.Values[engine.Birthdate] == "" {
			continue
		}
		phone, err := normalize.ParsePhone(s.Values[engine.PhoneNumber], "")
		if err != nil {
			return nil, err
		}
		req := map[string]string{
			"phoneNumber": phone,
			"name":        misspell(s.Values[engine.Name]),
			"birthdate":   s.Values[engine.Birthdate],
			"country":     s.Values[engine.Country],
			"email":       "someone@example.org",
		}
		return json.Marshal(req)
	}
}

func misspell(name string) string {
	r := []rune(name)
	if len(r) > 3 {
		r[len(r)-2], r[len(r)-1] = r[len(r)-1], r[len(r)-2]
	}
	return string(r)
}

func (d *demo) printCurl(srv *server) {
	fmt.Fprintf(d.out, "\nKYC Match API on http://%s (admin: http://%s/metrics). Try:\n\n", srv.Addr(), srv.AdminAddr())
	fmt.Fprintf(d.out, "curl -s -X POST http://%s/kyc-match/vwip/match \\\n  -H 'Authorization: Bearer %s' \\\n  -H 'Content-Type: application/json' -H 'x-correlator: demo-1' \\\n  -d %s\n",
		srv.Addr(), d.token, shellQuote(string(d.body)))
}

// check sends the printed request and prints the answer.
func (d *demo) check(srv *server) error {
	req, err := http.NewRequest(http.MethodPost, "http://"+srv.Addr()+"/kyc-match/vwip/match", bytes.NewReader(d.body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+d.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	fmt.Fprintf(d.out, "\n%s\n%s\n", resp.Status, b)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the demo request was answered with %s", resp.Status)
	}
	return nil
}

// shellQuote wraps s in single quotes for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
