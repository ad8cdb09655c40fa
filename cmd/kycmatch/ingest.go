package main

import (
	"bufio"
	"cmp"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/kycmatch/kycmatch/ingest"
	"github.com/kycmatch/kycmatch/keys"
	"github.com/kycmatch/kycmatch/normalize"
	"github.com/kycmatch/kycmatch/store"
)

func dataFlags() []cli.Flag {
	return append([]cli.Flag{stringFlag("data", "data directory holding the generations"), storeFlag()}, keyringFlags()...)
}

func ingestCommand() *cli.Command {
	return &cli.Command{
		Name:      "ingest",
		Usage:     "import a subscriber export into a new generation and make it current",
		ArgsUsage: "FILE (- for stdin; .gz is decompressed)",
		Flags:     ingestFlagDefs(false),
		Action:    ingestAction,
	}
}

// ingestFlagDefs defines the flags of ingest, which check shares so that
// one command line serves both. check reads no store: it accepts the store
// flags (hidden in its help) and ignores them.
func ingestFlagDefs(check bool) []cli.Flag {
	store := []cli.Flag{
		&cli.StringFlag{Name: "max-shrink", Usage: "fail a full import that would load more than this share fewer lines than the current generation (100% turns the guard off)", Value: "10%", EnvVars: envVar("max-shrink")},
		&cli.IntFlag{Name: "sort-memory", Usage: "MiB of records sorted in memory before spilling to disk", Value: 256, EnvVars: envVar("sort-memory")},
		boolFlag("plaintext-store", "build the generation without sealing its records at rest (digests stay keyed)"),
		stringFlag("tmp-dir", "directory of the sort's spill files (default: --data, else the system's temporary directory)"),
		metricsFileFlag(),
	}
	store = append(dataFlags(), store...)
	if check {
		for _, f := range store {
			hide(f)
		}
	}
	return append(store,
		stringFlag("format", "csv or jsonl (default: from the file name; required for stdin)"),
		stringFlag("mapping", "YAML file renaming or ignoring the export's columns"),
		stringFlag("default-region", "ISO 3166-1 alpha-2 region of national phone numbers, e.g. ES"),
		boolFlag("msisdn", "phone numbers of digits only (34612345678) are international, country code first"),
		stringFlag("delimiter", `CSV field separator: , ; | or \t (tab) (default: ,)`),
		stringFlag("date-format", "dates of the export: YYYY-MM-DD (default), DD.MM.YYYY, DD/MM/YYYY, MM/DD/YYYY or YYYYMMDD; wins over the mapping's date_format"),
		boolFlag("delta", "apply upserts and deletes to the current generation"),
		stringFlag("profile", "normalisation profile of a full import: default, de, nl or a FILE.yaml (default: default)"),
		&cli.StringFlag{Name: "max-rejects", Usage: "fail when more rows are rejected: a count (100) or a percentage (0.5%)", Value: "1%", EnvVars: envVar("max-rejects")},
		stringFlag("rejects", "write the rejects report to this file instead of stderr"),
		boolFlag("quiet", "no progress bar"),
	)
}

func hide(f cli.Flag) {
	switch f := f.(type) {
	case *cli.StringFlag:
		f.Hidden = true
	case *cli.BoolFlag:
		f.Hidden = true
	case *cli.IntFlag:
		f.Hidden = true
	}
}

func ingestAction(c *cli.Context) (err error) {
	limitMemory()
	var sum ingest.Summary
	defer recordIngest(c, time.Now(), &sum, &err)
	o, cleanup, err := ingestOptions(c)
	if err != nil {
		return err
	}
	defer cleanup()
	sum, err = ingest.Run(c.Context, o)
	if err != nil {
		if sum.Read > 0 {
			fmt.Fprintf(c.App.ErrWriter, "rows read %d, rejected %d; the current generation is unchanged\n", sum.Read, sum.Rejected)
		}
		return fmt.Errorf("ingest failed: %w", err)
	}
	fmt.Fprintln(c.App.Writer, sum.String())
	return nil
}

// ingestOptions turns flags into ingest.Options: check's, plus the data
// directory and keyring; cleanup closes what it opened.
func ingestOptions(c *cli.Context) (ingest.Options, func(), error) {
	nop := func() {}
	if c.NArg() != 1 {
		return ingest.Options{}, nop, usagef("ingest takes exactly one FILE argument (- for stdin)")
	}
	data, url, err := storeTarget(c)
	if err != nil {
		return ingest.Options{}, nop, err
	}
	o, cleanup, err := exportOptions(c)
	if err != nil {
		return o, nop, err
	}
	kr, err := openStoreKeyring(c, data)
	if err != nil {
		cleanup()
		return o, nop, err
	}
	// A plaintext ingest may build on an unsealed generation; a sealed one
	// never does, or it would seal a forgery as authentic.
	p := c.Bool("plaintext-store")
	st, closeSt, err := openStoreAt(data, url, store.KeyringKeys(kr), storeOpts{plaintext: p, allowUnsealed: p})
	if err != nil {
		cleanup()
		return o, nop, err
	}
	o.Keyring, o.Store, o.TempDir = kr, st, cmp.Or(c.String("tmp-dir"), data)
	return o, func() { closeSt(); cleanup() }, nil
}

// exportOptions opens FILE and the rejects report for check, which needs
// no data directory and no keyring.
func exportOptions(c *cli.Context) (ingest.Options, func(), error) {
	var o ingest.Options
	nop := func() {}
	if c.NArg() != 1 {
		return o, nop, usagef("%s takes exactly one FILE argument (- for stdin)", c.Command.Name)
	}
	if err := ingestFlags(c, &o); err != nil {
		return o, nop, err
	}
	in, closeIn, err := openExport(c, &o)
	if err != nil {
		return o, nop, err
	}
	o.Input = in
	closeRejects, err := rejectsOutput(c, &o)
	if err != nil {
		closeIn()
		return o, nop, err
	}
	return o, func() { closeRejects(); closeIn() }, nil
}

// openStore opens the data directory for an ingest. A plaintext ingest
// may build on an unsealed generation; a sealed one never does, or it
// would seal a forgery as authentic.
func openStore(data string, kr *keys.Keyring, plaintext bool) (*store.Store, error) {
	return store.Open(data, store.Options{
		Plaintext:     plaintext,
		AllowUnsealed: plaintext,
		Keys:          store.KeyringKeys(kr),
	})
}

// allowUnsealedFlag is serve's and match's way to read a generation the
// store refuses by default (see store.Options.AllowUnsealed).
func allowUnsealedFlag() cli.Flag {
	return boolFlag("allow-unsealed", "read a generation built with --plaintext-store, or one from before generation metadata was authenticated")
}

// limitMemory sets a soft limit on the Go heap for an ingest, unless the
// operator set GOMEMLIMIT: sorting and table building allocate in bursts,
// and without a limit the collector lets the heap double between cycles.
func limitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(640 << 20)
	}
}

// ingestFlags reads the flags that need no files opened.
func ingestFlags(c *cli.Context, o *ingest.Options) error {
	var err error
	if o.MaxRejects, err = ingest.ParseLimit(c.String("max-rejects")); err != nil {
		return &usageError{err.Error()}
	}
	if o.MaxShrink, err = ingest.ParseShrink(c.String("max-shrink")); err != nil {
		return &usageError{err.Error()}
	}
	if m := c.String("mapping"); m != "" {
		if o.Mapping, err = ingest.LoadMapping(m); err != nil {
			return err
		}
	}
	if r := c.String("default-region"); r != "" && !knownRegion(r) {
		return usagef("--default-region %q is not a region the phone number library knows (use an ISO 3166-1 alpha-2 code such as ES)", r)
	}
	o.DefaultRegion = strings.ToUpper(c.String("default-region"))
	if err := exportShape(c, o); err != nil {
		return err
	}
	o.Delta = c.Bool("delta")
	if p := c.String("profile"); p != "" {
		if o.Delta {
			return usagef("--profile applies to full imports; a delta keeps the current generation's profile")
		}
		if o.Profile, err = normalize.LoadProfile(p); errors.Is(err, normalize.ErrUnknownProfile) {
			return usagef("--profile: %v", err)
		} else if err != nil {
			return err
		}
	}
	o.SortMem = c.Int("sort-memory") << 20
	return nil
}

// exportShape reads the flags that say how the export is written.
func exportShape(c *cli.Context, o *ingest.Options) error {
	o.MSISDN = c.Bool("msisdn")
	if d := c.String("delimiter"); d != "" {
		r, err := ingest.ParseDelimiter(d)
		if err != nil {
			return usagef("--delimiter: %v", err)
		}
		o.Delimiter = r
	}
	if f := c.String("date-format"); f != "" {
		df, err := ingest.ParseDateFormat(f)
		if err != nil {
			return usagef("--date-format: %v", err)
		}
		o.DateFormat = &df
	}
	return nil
}

// exportFormat picks the format from --format or the file name.
func exportFormat(flag, name string) (ingest.Format, error) {
	f := strings.ToLower(flag)
	if f == "" {
		base := strings.TrimSuffix(strings.ToLower(name), ".gz")
		switch {
		case name == "-":
			return 0, usagef("reading stdin needs --format csv or --format jsonl")
		case strings.HasSuffix(base, ".csv"):
			f = "csv"
		case strings.HasSuffix(base, ".jsonl"), strings.HasSuffix(base, ".ndjson"):
			f = "jsonl"
		default:
			return 0, usagef("cannot tell the format of %s from its name: pass --format csv or --format jsonl", filepath.Base(name))
		}
	}
	switch f {
	case "csv":
		return ingest.CSV, nil
	case "jsonl", "ndjson":
		return ingest.JSONL, nil
	}
	return 0, usagef("--format %q: want csv or jsonl", flag)
}

// openExport opens FILE (or stdin), decompressing gzip, which it detects by
// its magic bytes as well as by name: a .gz on stdin works too.
func openExport(c *cli.Context, o *ingest.Options) (io.Reader, func(), error) {
	name := c.Args().First()
	var err error
	if o.Format, err = exportFormat(c.String("format"), name); err != nil {
		return nil, nil, err
	}
	var f io.ReadCloser = io.NopCloser(c.App.Reader)
	var size int64 = -1
	if name != "-" {
		file, err := os.Open(name)
		if err != nil {
			return nil, nil, fmt.Errorf("open export: %w", err)
		}
		if st, err := file.Stat(); err == nil {
			size = st.Size()
		}
		f = file
	}
	counted := &countingReader{r: f}
	br := bufio.NewReaderSize(counted, 1<<20)
	var in io.Reader = br
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("open export: %w", err)
		}
		in = zr
	}
	stop := startProgress(c, o, counted, size)
	return in, func() { stop(); f.Close() }, nil
}

func rejectsOutput(c *cli.Context, o *ingest.Options) (func(), error) {
	path := c.String("rejects")
	if path == "" {
		o.Rejects = c.App.ErrWriter
		return func() {}, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open rejects report: %w", err)
	}
	bw := bufio.NewWriter(f)
	o.Rejects = bw
	return func() { bw.Flush(); f.Close() }, nil
}
