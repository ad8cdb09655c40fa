package main

import (
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/kycmatch/kycmatch/keys"
)

func keyringFlags() []cli.Flag {
	return []cli.Flag{
		stringFlag("keyring", "keyring file (kept outside the data directory)"),
		stringFlag("passphrase-file", "file holding the passphrase that seals the keyring"),
	}
}

func keysCommand() *cli.Command {
	return &cli.Command{
		Name:  "keys",
		Usage: "create, rotate and list the keyring's key versions",
		Subcommands: []*cli.Command{
			{Name: "init", Usage: "create a keyring with one fresh key version", Flags: keyringFlags(), Action: keysInit},
			{Name: "rotate", Usage: "add a key version and make it the one new ingests use", Flags: keyringFlags(), Action: keysRotate},
			{Name: "list", Usage: "list key versions (never the key material)", Flags: append(keyringFlags(), stringFlag("output", "text (default) or json: one JSON object a line")), Action: keysList},
		},
	}
}

func keyringOptions(c *cli.Context) (string, keys.Options, error) {
	path, err := required(c, "keyring")
	if err != nil {
		return "", keys.Options{}, err
	}
	var o keys.Options
	if pf := c.String("passphrase-file"); pf != "" {
		if o.Passphrase, err = keys.ReadPassphraseFile(pf); err != nil {
			return "", o, err
		}
	}
	return path, o, nil
}

// openKeyring opens the keyring named by --keyring.
func openKeyring(c *cli.Context) (*keys.Keyring, error) {
	path, o, err := keyringOptions(c)
	if err != nil {
		return nil, err
	}
	kr, err := keys.Open(path, o)
	if errors.Is(err, keys.ErrSealed) {
		return nil, fmt.Errorf("%w: pass --passphrase-file", err)
	}
	return kr, err
}

func keysInit(c *cli.Context) error {
	if err := noArgs(c); err != nil {
		return err
	}
	path, o, err := keyringOptions(c)
	if err != nil {
		return err
	}
	kr, err := keys.Create(path, o)
	if err != nil {
		return err
	}
	v := kr.Versions()[0]
	fmt.Fprintf(c.App.Writer, "created keyring %s with key version %d (id %s)\n", path, v.Number, v.ID)
	return nil
}

func keysRotate(c *cli.Context) error {
	if err := noArgs(c); err != nil {
		return err
	}
	kr, err := openKeyring(c)
	if err != nil {
		return err
	}
	v, err := kr.Rotate()
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "key version %d (id %s) is now active; the next full ingest uses it\n", v.Number, v.ID)
	return nil
}

func keysList(c *cli.Context) error {
	if err := noArgs(c); err != nil {
		return err
	}
	out := c.String("output")
	if out != "" && out != "text" && out != "json" {
		return usagef("--output %q: want text or json", out)
	}
	kr, err := openKeyring(c)
	if err != nil {
		return err
	}
	if out == "json" {
		return listJSON(c.App.Writer, kr.Versions())
	}
	tw := tabwriter.NewWriter(c.App.Writer, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tID\tCREATED\tACTIVE")
	for _, v := range kr.Versions() {
		active := ""
		if v.Active {
			active = "active"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", v.Number, v.ID, v.Created.Format(time.RFC3339), active)
	}
	return tw.Flush()
}

// versionJSON is one line of keys list --output json; README documents
// these names.
type versionJSON struct {
	Version int       `json:"version"`
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	Active  bool      `json:"active"`
}

func listJSON(w io.Writer, vs []keys.Version) error {
	for _, v := range vs {
		if err := writeJSONLine(w, versionJSON{v.Number, v.ID, v.Created, v.Active}); err != nil {
			return err
		}
	}
	return nil
}
