package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	kr := filepath.Join(dir, "kr")
	if code := run(context.Background(), []string{"kycmatch", "keys", "init", "--keyring", kr}, nil, &bytes.Buffer{}, &bytes.Buffer{}); code != exitOK {
		t.Fatalf("keys init: %d", code)
	}
	tests := []struct {
		args []string
		code int
	}{
		{[]string{"keys", "list", "--keyring", kr}, exitOK},
		{[]string{"keys", "list"}, exitUsage},
		{[]string{"keys", "list", "--bogus"}, exitUsage},
		{[]string{"ingest", "--data", dir, "--keyring", kr}, exitUsage},
		{[]string{"ingest", "--data", dir, "--keyring", kr, "--max-rejects", "lots", "x.csv"}, exitUsage},
		{[]string{"ingest", "--data", dir, "--keyring", kr, "missing.csv"}, exitFailure},
		{[]string{"keys", "init", "--keyring", kr}, exitFailure},
		{[]string{"match", "--data", dir, "--keyring", kr, "--json", `{"phoneNumber":"+34600000001","name":"x"}`}, exitFailure},
		{[]string{"ingest", "--data", dir, "--keyring", kr, "--max-shrink", "10", "x.csv"}, exitUsage},
		{[]string{"check", "--delimiter", ":", "x.csv"}, exitUsage},
		{[]string{"check", "--date-format", "DDMMYYYY", "x.csv"}, exitUsage},
		{[]string{"check", "missing.csv"}, exitFailure},
		{[]string{"gen", "--count", "-1"}, exitUsage},
		{[]string{"nosuchcommand"}, exitUsage},
	}
	for _, tt := range tests {
		var stderr bytes.Buffer
		code := run(context.Background(), append([]string{"kycmatch"}, tt.args...), nil, &bytes.Buffer{}, &stderr)
		if code != tt.code {
			t.Errorf("%v: exit %d, want %d (%s)", tt.args, code, tt.code, stderr.String())
		}
		if code != exitOK {
			msg := strings.TrimSpace(stderr.String())
			if !strings.HasPrefix(msg, "kycmatch: ") || !strings.HasSuffix(msg, ".") {
				t.Errorf("%v: stderr %q is not one sentence", tt.args, msg)
			}
		}
	}
}
