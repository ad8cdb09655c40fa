package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/kycmatch/kycmatch/api"
	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/store"
)

func matchCommand() *cli.Command {
	return &cli.Command{
		Name:  "match",
		Usage: "evaluate one match request locally and print the response body",
		Flags: append(append(dataFlags(),
			stringFlag("json", "the request body; @FILE reads a file, - reads stdin"),
			stringFlag("api", "API version whose rules apply: vwip (default) or v0.4"),
			boolFlag("require-id-document", "v0.4: idDocument must be sent and match first"),
			stringFlag("token-phone", "answer as for a three-legged token naming this E.164 number"),
			allowUnsealedFlag(),
		), scoreFlags()...),
		Action: matchAction,
	}
}

// matchAction prints exactly the body serve would send, errors included
// (as CAMARA error JSON on stdout), and exits 1 for any non-200 answer.
func matchAction(c *cli.Context) error {
	if err := noArgs(c); err != nil {
		return err
	}
	body, err := requestBody(c)
	if err != nil {
		return err
	}
	v, err := apiVersion(c.String("api"))
	if err != nil {
		return err
	}
	m, closeM, err := openMatcher(c)
	if err != nil {
		return err
	}
	defer closeM()
	res, err := api.Answer(c.Context, scoresOf(c).Matcher(m), v, body, api.Caller{Phone: c.String("token-phone")}, c.Bool("require-id-document"))
	if err != nil {
		status, eb := api.ErrorBody(err)
		fmt.Fprintln(c.App.Writer, string(eb))
		if engine.ErrorCode(err) == engine.EINTERNAL {
			return fmt.Errorf("match failed: %w", err)
		}
		return fmt.Errorf("the request was answered with HTTP %d %s", status, api.ErrorInfoOf(err).Code)
	}
	fmt.Fprintln(c.App.Writer, string(api.AppendResult(nil, res)))
	return nil
}

func requestBody(c *cli.Context) ([]byte, error) {
	arg, err := required(c, "json")
	if err != nil {
		return nil, err
	}
	switch {
	case arg == "-":
		return io.ReadAll(io.LimitReader(c.App.Reader, 1<<20))
	case strings.HasPrefix(arg, "@"):
		return os.ReadFile(arg[1:])
	}
	return []byte(arg), nil
}

func apiVersion(name string) (*api.Version, error) {
	if name == "" {
		return api.VWIP, nil
	}
	for _, v := range api.Versions {
		if v.Name() == name {
			return v, nil
		}
	}
	return nil, usagef("--api %q: want v0.4 or vwip", name)
}

// openMatcher opens the current generation for one local match.
func openMatcher(c *cli.Context) (*engine.Matcher, func(), error) {
	data, _, err := storeTarget(c)
	if err != nil {
		return nil, nil, err
	}
	kr, err := openStoreKeyring(c, data)
	if err != nil {
		return nil, nil, err
	}
	st, closeSt, err := openStoreFlag(c, store.KeyringKeys(kr), storeOpts{allowUnsealed: c.Bool("allow-unsealed"), statementTimeout: readTimeout})
	if err != nil {
		return nil, nil, err
	}
	gen, err := st.Current(c.Context)
	if errors.Is(err, engine.ErrNoGeneration) {
		closeSt()
		return nil, nil, fmt.Errorf("no generation in %s yet: run kycmatch ingest first", cmp.Or(data, "the store"))
	}
	if err != nil {
		closeSt()
		return nil, nil, err
	}
	m, err := engine.NewMatcher(gen, kr)
	if err != nil {
		gen.Close()
		closeSt()
		return nil, nil, err
	}
	return m, func() { gen.Close(); closeSt() }, nil
}

func writeJSONLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, string(b))
	return err
}
