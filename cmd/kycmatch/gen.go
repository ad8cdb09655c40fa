package main

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/kycmatch/kycmatch/synth"
)

func genCommand() *cli.Command {
	return &cli.Command{
		Name:  "gen",
		Usage: "write a deterministic synthetic subscriber export",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "count", Usage: "number of subscriber lines", Value: 1000, EnvVars: envVar("count")},
			&cli.Int64Flag{Name: "seed", Usage: "seed; the same seed gives the same export", Value: 1, EnvVars: envVar("seed")},
			stringFlag("format", "csv (default) or jsonl"),
			boolFlag("complete", "fill every attribute of every line (benchmarks)"),
			stringFlag("out", "write to this file instead of stdout (.gz compresses)"),
		},
		Action: genAction,
	}
}

func genAction(c *cli.Context) error {
	if err := noArgs(c); err != nil {
		return err
	}
	o := synth.Options{Count: c.Int("count"), Seed: c.Int64("seed"), Complete: c.Bool("complete")}
	switch strings.ToLower(c.String("format")) {
	case "", "csv":
		o.Format = synth.CSV
	case "jsonl", "ndjson":
		o.Format = synth.JSONL
	default:
		return usagef("--format %q: want csv or jsonl", c.String("format"))
	}
	if o.Count < 0 || o.Count > synth.MaxCount {
		return usagef("--count must be between 0 and %d", synth.MaxCount)
	}
	return writeOutput(c.App.Writer, c.String("out"), func(w io.Writer) error { return synth.Write(w, o) })
}

// writeOutput sends what fn writes to stdout or to a file, gzip-compressed
// when the file name ends in .gz.
func writeOutput(stdout io.Writer, path string, fn func(io.Writer) error) error {
	if path == "" || path == "-" {
		bw := bufio.NewWriterSize(stdout, 1<<20)
		if err := fn(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	var w io.Writer = bw
	var zw *gzip.Writer
	if strings.HasSuffix(path, ".gz") {
		zw = gzip.NewWriter(bw)
		w = zw
	}
	err = fn(w)
	if zw != nil && err == nil {
		err = zw.Close()
	}
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
