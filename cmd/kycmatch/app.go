package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/kycmatch/kycmatch/internal/buildinfo"
)

// Exit statuses of contract §1.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// usageError marks a mistake in how the command was called.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// run is main without the process: tests call it with their own streams.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := newApp(stdin, stdout, stderr)
	err := app.RunContext(ctx, args)
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(stderr, "kycmatch: "+sentence(err.Error()))
	var ue *usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitFailure
}

// sentence ends an error message with a full stop, as contract §1 wants
// "one clear sentence".
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") {
		return s
	}
	return s + "."
}

func init() {
	// urfave/cli's printer is a package variable; --version prints the
	// contract's line, not "NAME version VERSION".
	cli.VersionPrinter = func(c *cli.Context) { fmt.Fprintln(c.App.Writer, c.App.Version) }
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:            "kycmatch",
		Version:         buildinfo.Read().String(),
		Usage:           "privacy-preserving CAMARA KYC Match engine",
		Reader:          stdin,
		Writer:          stdout,
		ErrWriter:       stderr,
		HideHelpCommand: true,
		OnUsageError:    onUsageError,
		ExitErrHandler:  func(*cli.Context, error) {}, // run maps errors to exit codes
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("unknown command %q (see kycmatch --help)", c.Args().First())
			}
			return cli.ShowAppHelp(c)
		},
		Commands: []*cli.Command{
			keysCommand(),
			ingestCommand(),
			checkCommand(),
			matchCommand(),
			genCommand(),
			serveCommand(),
			demoCommand(),
			sandboxCommand(),
			auditIDCommand(),
		},
	}
	for _, c := range app.Commands {
		setUsageHandler(c)
	}
	return app
}

func setUsageHandler(c *cli.Command) {
	c.OnUsageError = onUsageError
	for _, sub := range c.Subcommands {
		setUsageHandler(sub)
	}
}

// onUsageError is where every flag the parser refuses becomes a usage
// error. The flag package says `invalid value "x" for flag -poll: parse
// error`; the sentence names the flag as it is typed.
func onUsageError(_ *cli.Context, err error, _ bool) error {
	if m := invalidValue.FindStringSubmatch(err.Error()); m != nil {
		return usagef("--%s %s is not a valid value", m[2], m[1])
	}
	return &usageError{err.Error()}
}

var invalidValue = regexp.MustCompile(`^invalid value (".*") for flag -([a-z0-9-]+): `)

// perInvocation names the flags that carry one invocation's input: a
// request body, an export's or a listing's format, an output file. They
// read no environment variable, so that a variable set for one command
// never changes another (contract §1); the rule goes by name, so a flag
// name means the same in every command, ingest's --format included.
var perInvocation = map[string]bool{
	"json":        true, // match: the request body
	"api":         true, // match: the API version of that body
	"token-phone": true, // match: the token's subscriber
	"format":      true, // gen, ingest: the export's format
	"out":         true, // gen: the output file
	"output":      true, // keys list: text or json
	"rejects":     true, // ingest: the rejects report's file
}

// envVar names the environment variable of a flag: --default-region reads
// KYCMATCH_DEFAULT_REGION (contract §1); a per-invocation flag reads none.
func envVar(flag string) []string {
	if perInvocation[flag] {
		return nil
	}
	return []string{"KYCMATCH_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))}
}

// positive is a duration flag's check: zero or less is a usage error
// naming the flag, not a panic deep in a ticker.
func positive(name string) func(*cli.Context, time.Duration) error {
	return func(_ *cli.Context, d time.Duration) error {
		if d <= 0 {
			return usagef("--%s %s: want a positive duration such as 1s or 500ms", name, d)
		}
		return nil
	}
}

func stringFlag(name, usage string) *cli.StringFlag {
	return &cli.StringFlag{Name: name, Usage: usage, EnvVars: envVar(name)}
}

func boolFlag(name, usage string) *cli.BoolFlag {
	return &cli.BoolFlag{Name: name, Usage: usage, EnvVars: envVar(name)}
}

// required returns a flag's value or a usage error naming the flag and its
// environment variable.
func required(c *cli.Context, name string) (string, error) {
	v := strings.TrimSpace(c.String(name))
	if env := envVar(name); v == "" && env != nil {
		return "", usagef("--%s is required (or set %s)", name, env[0])
	} else if v == "" {
		return "", usagef("--%s is required", name)
	}
	return v, nil
}

// noArgs refuses stray positional arguments, which usually mean a flag was
// mistyped.
func noArgs(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef("unexpected argument %q", c.Args().First())
	}
	return nil
}

// plural is "1 line" or "2 lines": messages count things right.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
