package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/kycmatch/kycmatch/ingest"
)

func checkCommand() *cli.Command {
	return &cli.Command{
		Name:      "check",
		Usage:     "read and validate an export exactly as ingest would, writing nothing and needing no keyring",
		ArgsUsage: "FILE (- for stdin; .gz is decompressed)",
		Flags:     ingestFlagDefs(true),
		Action:    checkAction,
	}
}

func checkAction(c *cli.Context) error {
	o, cleanup, err := exportOptions(c)
	if err != nil {
		return err
	}
	defer cleanup()
	sum, err := ingest.Check(c.Context, o)
	if err != nil {
		if sum.Read > 0 {
			fmt.Fprintf(c.App.ErrWriter, "rows read %d, rejected %d; ingest would fail\n", sum.Read, sum.Rejected)
		}
		return fmt.Errorf("check failed: %w", err)
	}
	fmt.Fprintln(c.App.Writer, sum.String())
	return nil
}
