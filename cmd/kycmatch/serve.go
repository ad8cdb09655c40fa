package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

func serveCommand() *cli.Command {
	return &cli.Command{
		Name:  "serve",
		Usage: "answer the KYC Match API",
		Action: func(c *cli.Context) error {
			return errors.New("serve is not available yet")
		},
	}
}
