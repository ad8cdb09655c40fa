package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/kycmatch/kycmatch/engine"
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
			{Name: "list", Usage: "list key versions (never the key material); with --data or --store, the kept generations each one built",
				Flags: append(dataFlags(), stringFlag("output", "text (default) or json: one JSON object a line")), Action: keysList},
			{Name: "remove", Usage: "remove a key version, crypto-shredding every generation built with it", ArgsUsage: "ID",
				Flags:  append(dataFlags(), &cli.BoolFlag{Name: "force", Usage: "remove it even when a kept generation uses it, or without a store to check"}),
				Action: keysRemove},
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
	uses, err := generationsByKey(c)
	if err != nil {
		return err
	}
	if out == "json" {
		return listJSON(c.App.Writer, kr.Versions(), uses)
	}
	tw := tabwriter.NewWriter(c.App.Writer, 0, 4, 2, ' ', 0)
	header := "VERSION\tID\tCREATED\tACTIVE"
	if uses != nil {
		header += "\tGENERATIONS"
	}
	fmt.Fprintln(tw, header)
	for _, v := range kr.Versions() {
		active := ""
		if v.Active {
			active = "active"
		}
		line := fmt.Sprintf("%d\t%s\t%s\t%s", v.Number, v.ID, v.Created.Format(time.RFC3339), active)
		if uses != nil {
			line += "\t" + cmp.Or(strings.Join(uses[v.ID], ","), "-")
		}
		fmt.Fprintln(tw, line)
	}
	return tw.Flush()
}

// keysRemove shreds a key version. The active one is never removed; one
// that a kept generation of the store still needs, or one whose use
// cannot be checked because no store is given, only with --force.
func keysRemove(c *cli.Context) error {
	if c.NArg() != 1 {
		return usagef("keys remove takes one key id, as keys list shows it")
	}
	id := c.Args().First()
	kr, err := openKeyring(c)
	if err != nil {
		return err
	}
	if _, err := kr.Key(id); err != nil {
		return err
	}
	if kr.Active().ID() == id {
		return fmt.Errorf("key %s is the active version, which new ingests use: rotate (kycmatch keys rotate) and run a full ingest before removing it", id)
	}
	if !c.Bool("force") {
		uses, err := generationsByKey(c)
		switch {
		case err != nil:
			return err
		case uses == nil:
			return fmt.Errorf("no store to check whether a generation still needs key %s: pass --data DIR or --store URL, or --force to remove it unchecked", id)
		case len(uses[id]) > 0:
			return fmt.Errorf("kept generation %s was built with key %s and could never be read again: run a full ingest with the active key until it is gone, or pass --force",
				strings.Join(uses[id], ", "), id)
		}
	}
	v, err := kr.Remove(id)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "removed key version %d (id %s): whatever was built with it can no longer be read\n", v.Number, v.ID)
	return nil
}

// generationsByKey maps key ids to the ids of the kept generations of the
// command's store built with them, or is nil when no store is given.
func generationsByKey(c *cli.Context) (map[string][]string, error) {
	l, closeSt, err := openGenerationLister(c)
	if l == nil || err != nil {
		return nil, err
	}
	defer closeSt()
	gens, err := l.KeptGenerations(c.Context)
	if err != nil {
		return nil, fmt.Errorf("list the kept generations: %w", err)
	}
	uses := map[string][]string{}
	for _, g := range gens {
		uses[g.KeyID] = append(uses[g.KeyID], g.ID)
	}
	return uses, nil
}

// openGenerationLister opens the store that --data or --store names, for
// listing its generations; nil when neither is given. It opens no
// generation, so it needs no keys.
func openGenerationLister(c *cli.Context) (engine.GenerationLister, func(), error) {
	if c.String("data") == "" && c.String("store") == "" {
		return nil, nil, nil
	}
	// store.Open would create a missing directory, and an empty one would
	// say that no generation needs any key: a mistyped path must not.
	if data := c.String("data"); data != "" {
		if fi, err := os.Stat(data); err != nil || !fi.IsDir() {
			return nil, nil, fmt.Errorf("data directory %s does not exist", data)
		}
	}
	st, closeSt, err := openStoreFlag(c, nil, storeOpts{})
	if err != nil {
		return nil, nil, err
	}
	l, ok := st.(engine.GenerationLister)
	if !ok {
		closeSt()
		return nil, nil, errors.New("this store cannot list its generations")
	}
	return l, closeSt, nil
}

// versionJSON is one line of keys list --output json; README documents
// these names.
type versionJSON struct {
	Version int       `json:"version"`
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	Active  bool      `json:"active"`
	// Generations are the kept generations built with it, given a store.
	Generations *[]string `json:"generations,omitempty"`
}

func listJSON(w io.Writer, vs []keys.Version, uses map[string][]string) error {
	for _, v := range vs {
		var gens *[]string
		if uses != nil {
			g := append([]string{}, uses[v.ID]...)
			gens = &g
		}
		if err := writeJSONLine(w, versionJSON{v.Number, v.ID, v.Created, v.Active, gens}); err != nil {
			return err
		}
	}
	return nil
}
