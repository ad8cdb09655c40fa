package main

import (
	"io"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nyaruka/phonenumbers"
	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/kycmatch/kycmatch/ingest"
)

// countingReader counts the bytes of the export file read so far (before
// decompression), which is what a progress bar over the file can show.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// startProgress draws a progress bar on stderr when stderr is a terminal,
// and nothing otherwise: nightly jobs log to files, where a bar is noise.
func startProgress(c *cli.Context, o *ingest.Options, counted *countingReader, size int64) (stop func()) {
	f, ok := c.App.ErrWriter.(*os.File)
	if !ok || c.Bool("quiet") || !term.IsTerminal(int(f.Fd())) {
		return func() {}
	}
	bar := progressbar.NewOptions64(size,
		progressbar.OptionSetWriter(f),
		progressbar.OptionSetDescription("reading export"),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowCount(),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
	var rows atomic.Int64
	o.Progress = func(n int64) { rows.Store(n) }
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				bar.Set64(counted.n.Load())
			}
		}
	}()
	return func() { close(done); bar.Finish() }
}

func knownRegion(r string) bool {
	return phonenumbers.GetSupportedRegions()[strings.ToUpper(r)]
}
