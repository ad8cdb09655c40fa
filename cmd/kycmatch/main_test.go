package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/kycmatch/kycmatch/internal/kyctest"
)

func TestMain(m *testing.M) {
	testscript.Main(stopPostgres{m}, map[string]func(){
		"kycmatch": func() { os.Exit(run(context.Background(), os.Args, os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the CLI golden files in testdata/script: commands,
// outputs, exit statuses and the files they leave.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Cmds:                map[string]func(ts *testscript.TestScript, neg bool, args []string){"mode": cmdMode},
	})
}

// cmdMode checks a file's permission bits: mode FILE 0600.
func cmdMode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: mode FILE PERM")
	}
	fi, err := os.Stat(ts.MkAbs(args[0]))
	ts.Check(err)
	want, err := strconv.ParseUint(args[1], 8, 32)
	ts.Check(err)
	if got := fi.Mode().Perm(); (uint64(got) == want) == neg {
		ts.Fatalf("%s has mode %#o, want %s", args[0], got, fmt.Sprintf("%#o", want))
	}
}

// stopPostgres stops the PostgreSQL server the store tests share once
// every test has run.
type stopPostgres struct{ m *testing.M }

func (s stopPostgres) Run() int {
	defer kyctest.StopSharedPostgres()
	return s.m.Run()
}
