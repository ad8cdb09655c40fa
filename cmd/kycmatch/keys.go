package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
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
	if err == nil && o.Passphrase != nil && !kr.Sealed() {
		// The operator meant the keyring to be sealed: a plain one in its
		// place is a mistake or a substitution, not something to use.
		return nil, fmt.Errorf("keyring %s is not sealed with a passphrase, yet --passphrase-file was given: seal it (age -p -a -o NEW %s) or drop --passphrase-file", path, path)
	}
	return kr, err
}

// openDataKeyring opens the keyring of a command that reads or writes the
// data directory data, refusing one kept inside it: contract §3 keeps the
// keyring apart, so a copy of the data directory never carries its key.
func openDataKeyring(c *cli.Context, data string) (*keys.Keyring, error) {
	path, err := required(c, "keyring")
	if err != nil {
		return nil, err
	}
	if inside(data, path) {
		return nil, fmt.Errorf("keyring %s is inside the data directory %s: move it outside, where a copy of the data directory does not carry it", path, data)
	}
	return openKeyring(c)
}

// inside reports whether path lies in dir, symbolic links resolved.
// Neither need exist yet: the nearest existing ancestor is resolved.
func inside(dir, path string) bool {
	d, p := resolve(dir), resolve(path)
	rel, err := filepath.Rel(d, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func resolve(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.Clean(path)
	}
	var rest []string
	for p := abs; ; p = filepath.Dir(p) {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Join(append([]string{r}, rest...)...)
		}
		if p == filepath.Dir(p) {
			return abs
		}
		rest = append([]string{filepath.Base(p)}, rest...)
	}
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
