package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/kycmatch/kycmatch/sandbox"
)

func sandboxCommand() *cli.Command {
	return &cli.Command{
		Name:   "sandbox",
		Usage:  "the partner sandbox: synthetic lines, the API, a token endpoint and a page to try them",
		Flags:  sandboxFlags(),
		Action: sandboxAction,
	}
}

// sandboxFlags are sandbox's, which demo shares.
func sandboxFlags() []cli.Flag {
	return []cli.Flag{
		addrFlag("addr", "listener HOST:PORT; the issuer is http://HOST:PORT", sandbox.DefaultAddr),
		&cli.IntFlag{Name: "lines", Usage: "synthetic subscriber lines", Value: sandbox.DefaultLines, EnvVars: envVar("lines")},
		&cli.Int64Flag{Name: "seed", Usage: "seed; the same seed gives the same lines", Value: 1, EnvVars: envVar("seed")},
		&cli.StringSliceFlag{Name: "client", Usage: "an OAuth client ID:SECRET (repeatable; default sandbox:sandbox)", EnvVars: envVar("client")},
		stringFlag("log-level", "debug, info (default), warn or error"),
	}
}

func sandboxAction(c *cli.Context) error {
	if err := noArgs(c); err != nil {
		return err
	}
	logger, err := newLogger(c.App.ErrWriter, c.String("log-level"))
	if err != nil {
		return err
	}
	sb, err := startSandbox(c, logger, nil)
	if err != nil {
		return err
	}
	defer sb.Close()
	printSandbox(c.App.Writer, sb)
	fmt.Fprintln(c.App.Writer, "\nServing until Ctrl-C; everything it wrote is removed on exit.")
	<-c.Context.Done()
	return nil
}

// startSandbox starts the sandbox the flags describe. When --addr was not
// given and the default port is taken, it takes a free port rather than
// fail: the issuer follows the address either way.
func startSandbox(c *cli.Context, logger *slog.Logger, audit io.Writer) (*sandbox.Sandbox, error) {
	o := sandbox.Options{Addr: c.String("addr"), Lines: c.Int("lines"), Seed: c.Int64("seed"), Logger: logger, Audit: audit}
	if o.Lines < sandbox.MinLines || o.Lines > sandbox.MaxLines {
		return nil, usagef("--lines %d: want %d to %d", o.Lines, sandbox.MinLines, sandbox.MaxLines)
	}
	for _, s := range c.StringSlice("client") {
		id, secret, ok := strings.Cut(s, ":")
		if !ok || id == "" || secret == "" {
			return nil, usagef("--client: want ID:SECRET, both not empty")
		}
		o.Clients = append(o.Clients, sandbox.Client{ID: id, Secret: secret})
	}
	sb, err := sandbox.Start(c.Context, o)
	if err != nil && !c.IsSet("addr") && strings.Contains(err.Error(), "address already in use") {
		o.Addr = "127.0.0.1:0"
		sb, err = sandbox.Start(c.Context, o)
	}
	return sb, err
}

func printSandbox(w io.Writer, sb *sandbox.Sandbox) {
	sum := sb.Summary()
	fmt.Fprintf(w, "%s\n\nSandbox on %s: %s of synthetic data.\n", sum, sb.URL(), plural(int(sum.Loaded), "line"))
	fmt.Fprintf(w, "  the page         %s/\n  test lines       %s/sandbox/lines\n  token endpoint   %s/oauth2/token\n  OpenID discovery %s/.well-known/openid-configuration\n",
		sb.URL(), sb.URL(), sb.URL(), sb.URL())
	cl := sb.Client()
	fmt.Fprintf(w, "\nA token (OAuth 2.0 client credentials):\n\n  curl -sS -u %s -d grant_type=client_credentials %s/oauth2/token\n",
		shellQuote(cl.ID+":"+cl.Secret), sb.URL())
}
