package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds kycmatch once for the tests that need a real process to
// kill.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kycmatch-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "kycmatch")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = err
			binPath = string(out)
		}
	})
	if buildErr != nil {
		t.Fatalf("go build: %v\n%s", buildErr, binPath)
	}
	return binPath
}

type proc struct {
	t            *testing.T
	bin, dir, kr string
}

func (c *proc) cmd(args ...string) *exec.Cmd {
	cmd := exec.Command(c.bin, args...)
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "KYCMATCH_KEYRING="+c.kr, "KYCMATCH_DATA=data")
	return cmd
}

func (c *proc) run(args ...string) string {
	c.t.Helper()
	out, err := c.cmd(args...).CombinedOutput()
	if err != nil {
		c.t.Fatalf("kycmatch %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (c *proc) current() string {
	b, _ := os.ReadFile(filepath.Join(c.dir, "data", "CURRENT"))
	return strings.TrimSpace(string(b))
}

// TestIngestSurvivesKill kills ingest with SIGKILL at points spread over a
// run, from reading the export to publishing the generation, and checks
// that the previous generation stays current and answering, and that the
// next run succeeds and leaves nothing behind.
func TestIngestSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and ingests 60 000 lines several times")
	}
	dir := t.TempDir()
	c := &proc{t: t, bin: binary(t), dir: dir, kr: filepath.Join(dir, "kr")}
	c.run("keys", "init")
	c.run("gen", "--count", "60000", "--seed", "2", "--complete", "--out", "big.csv")
	phone := firstPhone(t, filepath.Join(dir, "big.csv"))

	start := time.Now()
	c.run("ingest", "--quiet", "big.csv")
	full := time.Since(start)
	before := c.current()
	for _, f := range []float64{0.05, 0.3, 0.6, 0.8, 0.9, 0.95, 0.99} {
		cmd := c.cmd("ingest", "--quiet", "big.csv")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(f * float64(full)))
		cmd.Process.Kill()
		cmd.Wait()
		if got := c.current(); got != before {
			// Killed after publishing (or not killed at all): the new
			// generation must then be complete.
			meta, err := os.ReadFile(filepath.Join(dir, "data", "gen-"+got, "GENERATION.json"))
			if err != nil || !strings.Contains(string(meta), `"lines": 60000`) {
				t.Fatalf("killed at %.0f%%: CURRENT moved from %s to %s, which is not complete: %v %s", f*100, before, got, err, meta)
			}
			before = got
		}
		out := c.run("match", "--json", `{"phoneNumber":"`+phone+`","gender":"MALE"}`)
		if !strings.Contains(out, "genderMatch") {
			t.Fatalf("killed at %.0f%%: old generation does not answer: %s", f*100, out)
		}
	}
	c.run("ingest", "--quiet", "big.csv")
	if c.current() == before {
		t.Error("the run after the kills did not publish")
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, "data", "tmp-*"))
	if len(leftovers) > 0 {
		t.Errorf("leftovers after a successful run: %v", leftovers)
	}
	gens, _ := filepath.Glob(filepath.Join(dir, "data", "gen-*"))
	if len(gens) > 2 {
		t.Errorf("old generations kept: %v", gens)
	}
}

func firstPhone(t *testing.T, path string) string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	sc.Scan()
	p := strings.Split(sc.Text(), ",")[0]
	return strings.NewReplacer(" ", "", "-", "").Replace(p)
}
