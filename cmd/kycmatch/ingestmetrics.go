package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/urfave/cli/v2"

	"github.com/kycmatch/kycmatch/ingest"
)

// metricsFileFlag names the node_exporter textfile an ingest run leaves its
// outcome in: ingest is a batch job that exits, so there is nothing for
// Prometheus to scrape, and the file outlives the run.
func metricsFileFlag() cli.Flag {
	return stringFlag("metrics-file", "write this run's outcome here as Prometheus text (node_exporter textfile collector)")
}

// recordIngest writes the --metrics-file, if given, after a run that
// started at start and ended with sum and *err; a file it cannot write
// fails the run, so the timer's unit shows it.
func recordIngest(c *cli.Context, start time.Time, sum *ingest.Summary, err *error) {
	path := c.String("metrics-file")
	if path == "" {
		return
	}
	if werr := writeIngestMetrics(path, start, *sum, *err == nil); werr != nil {
		werr = fmt.Errorf("write --metrics-file: %w", werr)
		if *err == nil {
			*err = werr
		} else {
			fmt.Fprintln(c.App.ErrWriter, werr)
		}
	}
}

func writeIngestMetrics(path string, start time.Time, sum ingest.Summary, ok bool) error {
	reg := prometheus.NewRegistry()
	gauge := func(name, help string, v float64) {
		g := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
		g.Set(v)
		reg.MustRegister(g)
	}
	success, loaded := 0.0, float64(sum.Loaded)
	if ok {
		success = 1
	} else {
		loaded = 0 // a failed run leaves the current generation as it was
	}
	gauge("kycmatch_ingest_success", "1 when the last ingest run made its generation current, 0 when it failed.", success)
	gauge("kycmatch_ingest_last_run_timestamp_seconds", "When the last ingest run ended.", float64(time.Now().Unix()))
	gauge("kycmatch_ingest_duration_seconds", "How long the last ingest run took.", time.Since(start).Seconds())
	gauge("kycmatch_ingest_rows_read", "Rows the last ingest run read.", float64(sum.Read))
	gauge("kycmatch_ingest_rows_loaded", "Rows the last ingest run loaded.", loaded)
	gauge("kycmatch_ingest_rows_rejected", "Rows the last ingest run rejected.", float64(sum.Rejected))
	families, err := reg.Gather()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	for _, f := range families {
		if _, err := expfmt.MetricFamilyToText(&buf, f); err != nil {
			return err
		}
	}
	return replaceFile(path, buf.Bytes(), 0o644)
}

// replaceFile writes data beside path and renames it over path, so the
// collector reads the old file or the new, never half of one. The mode is
// set explicitly: the collector runs as another user, and the unit's umask
// would leave the file readable by its owner only.
func replaceFile(path string, data []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	_, err = f.Write(data)
	for _, step := range []func() error{func() error { return err }, func() error { return f.Chmod(mode) }, f.Sync} {
		if err = step(); err != nil {
			f.Close()
			return err
		}
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
