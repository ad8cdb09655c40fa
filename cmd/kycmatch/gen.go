package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

func genCommand() *cli.Command {
	return &cli.Command{
		Name:  "gen",
		Usage: "write a deterministic synthetic subscriber export",
		Action: func(c *cli.Context) error {
			return errors.New("gen is not available yet")
		},
	}
}

func demoCommand() *cli.Command {
	return &cli.Command{
		Name:  "demo",
		Usage: "run everything on synthetic data",
		Action: func(c *cli.Context) error {
			return errors.New("demo is not available yet")
		},
	}
}
