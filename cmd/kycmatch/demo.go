package main

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/urfave/cli/v2"

	"github.com/kycmatch/kycmatch/sandbox"
)

// The demo is the sandbox plus one request: it prints that request as a
// curl with a token from the sandbox's issuer, sends it, and shows the
// answer, why it is what it is, and the audit line the operator keeps.

func demoCommand() *cli.Command {
	flags := sandboxFlags()
	for _, f := range flags {
		if lf, ok := f.(*cli.IntFlag); ok && lf.Name == "lines" {
			lf.Aliases = []string{"count"}
		}
	}
	return &cli.Command{
		Name:  "demo",
		Usage: "the sandbox on synthetic data, with a ready-to-run curl and its answer",
		Flags: append(flags,
			&cli.BoolFlag{Name: "check", Usage: "send the printed request, print the answer and exit (for tests)"}),
		Action: demoAction,
	}
}

// demoOutcome is the sandbox example the demo sends: one that shows a
// true, a false and a score at once.
const demoOutcome = "false with a score"

func demoAction(c *cli.Context) error {
	if err := noArgs(c); err != nil {
		return err
	}
	out := c.App.Writer
	// The logger only gates the audit lines (written at info), which go to
	// audit; its own lines would bury the demo's output.
	audit := &lastLine{}
	sb, err := startSandbox(c, slog.New(slog.NewJSONHandler(io.Discard, nil)), audit)
	if err != nil {
		return err
	}
	defer sb.Close()
	printSandbox(out, sb)
	ex, err := demoExample(sb)
	if err != nil {
		return err
	}
	cl := sb.Client()
	token, err := sb.Token(cl.ID, "", "")
	if err != nil {
		return err
	}
	url := sb.URL() + "/kyc-match/" + ex.API + "/match"
	fmt.Fprintf(out, "\nA match request with a valid token (%s):\n\n", ex.Outcome)
	fmt.Fprintf(out, "curl -sS -X POST %s \\\n  -H 'Authorization: Bearer %s' \\\n  -H 'Content-Type: application/json' -H 'x-correlator: demo-1' \\\n  -d %s\n",
		url, token, shellQuote(string(ex.Request)))
	if err := demoSend(out, url, token, ex, audit); err != nil {
		return err
	}
	if c.Bool("check") {
		return nil
	}
	fmt.Fprintf(out, "\nServing until Ctrl-C; open %s/ to try more. Everything it wrote is removed on exit.\n", sb.URL())
	<-c.Context.Done()
	return nil
}

func demoExample(sb *sandbox.Sandbox) (sandbox.Example, error) {
	for _, ex := range sb.Listing().Examples {
		if ex.Outcome == demoOutcome {
			return ex, nil
		}
	}
	return sandbox.Example{}, fmt.Errorf("the sandbox has no %q example", demoOutcome)
}

// demoSend sends the printed request and prints the answer, the reason
// for it, and its audit line.
func demoSend(out io.Writer, url, token string, ex sandbox.Example, audit *lastLine) error {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(ex.Request))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-correlator", "demo-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("send the demo request: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	fmt.Fprintf(out, "\nIts answer:\n\n%s\n%s\n\nWhy: %s\n", resp.Status, bytes.TrimSpace(b), ex.Why)
	fmt.Fprintf(out, "\nIts audit line, as serve logs it (verdicts and scores, never a value):\n\n%s\n", audit.String())
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the demo request was answered with %s", resp.Status)
	}
	return nil
}

// lastLine keeps the last line written to it: the audit line of the
// demo's one request.
type lastLine struct {
	mu   sync.Mutex
	line string
}

func (l *lastLine) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.line = strings.TrimSpace(string(p))
	return len(p), nil
}

func (l *lastLine) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.line
}

// shellQuote wraps s in single quotes for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
