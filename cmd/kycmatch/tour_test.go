package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// tourBuild is the tour's first command. The test does not run it: it puts
// this package's CLI (the test binary, which testscript.Main runs as
// kycmatch) where that command would have put the build.
const tourBuild = "go build -o bin/kycmatch ./cmd/kycmatch"

// TestREADMETour runs the README's "A tour" section as a reader pastes it:
// every sh block in order, in one bash, in an empty home directory, with
// every KYCMATCH_ variable of the test's environment removed. Each line of
// each json block there must be a line the commands printed.
func TestREADMETour(t *testing.T) {
	sh, want := tourBlocks(t)
	script := strings.Join(sh, "\n")
	if !strings.HasPrefix(script, tourBuild+"\n") {
		t.Fatalf("the tour does not start with %q, which this test replaces by its own binary", tourBuild)
	}
	script = strings.TrimPrefix(script, tourBuild+"\n")
	home := tourHome(t)

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-e", "-o", "pipefail", "-x", "-c", script)
	cmd.Dir = home
	cmd.Env = tourEnv(home)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("the tour failed (%v); its trace:\n%s", err, stderr.String())
	}
	printed := strings.Split(stdout.String(), "\n")
	for _, w := range want {
		if !slices.Contains(printed, w) {
			t.Errorf("the tour shows\n%s\nbut its commands printed\n%s", w, stdout.String())
		}
	}
}

// TestREADMEDefaultRegion: each "with `CC`, `number`" example of the
// --default-region row in the tour's flag table is a national number of
// that region, which check loads.
func TestREADMEDefaultRegion(t *testing.T) {
	row := ""
	for _, line := range tourSection(t) {
		if strings.HasPrefix(line, "| `--default-region") {
			row = line
		}
	}
	examples := regexp.MustCompile("with `([A-Z]{2})`, `([^`]+)`").FindAllStringSubmatch(row, -1)
	if len(examples) == 0 {
		t.Fatalf("no \"with `CC`, `number`\" example in the --default-region row %q", row)
	}
	home := tourHome(t)
	for _, ex := range examples {
		t.Run(ex[1], func(t *testing.T) {
			export := filepath.Join(t.TempDir(), "national.csv")
			if err := os.WriteFile(export, []byte("phoneNumber,givenName\n"+ex[2]+",Ana\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(filepath.Join(home, "bin", "kycmatch"), "check", "--default-region", ex[1], export)
			cmd.Env = tourEnv(home)
			out, err := cmd.CombinedOutput()
			if err != nil || !bytes.Contains(out, []byte("would load 1,")) {
				t.Errorf("check --default-region %s of %q: %v\n%s", ex[1], ex[2], err, out)
			}
		})
	}
}

// tourHome is an empty directory with bin/kycmatch in it, the CLI under
// test.
func tourHome(t *testing.T) string {
	t.Helper()
	self, err := exec.LookPath("kycmatch")
	if err != nil {
		t.Fatalf("testscript.Main put no kycmatch in PATH: %v", err)
	}
	home := t.TempDir()
	if err := os.Mkdir(filepath.Join(home, "bin"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(self, filepath.Join(home, "bin", "kycmatch")); err != nil {
		t.Fatal(err)
	}
	return home
}

func tourEnv(home string) []string {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "KYCMATCH_") || strings.HasPrefix(kv, "HOME=")
	})
	return append(env, "HOME="+home)
}

// tourSection is the lines of README.md's "A tour" section, up to the next
// section of the same level.
func tourSection(t *testing.T) []string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	in := false
	sc := bufio.NewScanner(bytes.NewReader(readme))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			in = line == "## A tour"
			continue
		}
		if in {
			lines = append(lines, line)
		}
	}
	if len(lines) == 0 {
		t.Fatal(`README.md has no "## A tour" section`)
	}
	return lines
}

// tourBlocks returns the tour's sh blocks and the lines of its json blocks.
func tourBlocks(t *testing.T) (sh []string, json []string) {
	t.Helper()
	var block *[]string
	for _, line := range tourSection(t) {
		switch {
		case block == nil && strings.HasPrefix(line, "```"):
			block = map[string]*[]string{"```sh": &sh, "```json": &json}[line]
			if block == nil {
				block = new([]string) // output, or another language: neither run nor compared
			}
		case line == "```":
			block = nil
		case block != nil:
			*block = append(*block, line)
		}
	}
	if block != nil {
		t.Fatal("the tour has an unclosed code block")
	}
	if len(sh) == 0 || len(json) == 0 {
		t.Fatalf("the tour has %d sh and %d json lines; want both", len(sh), len(json))
	}
	return sh, json
}
