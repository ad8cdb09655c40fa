package kyctest

import (
	"os"
	"os/exec"
	"testing"
)

// Chromium returns the path of Debian's chromium for a headless browser
// test, or skips the test naming the package to install; in CI (CI set) a
// missing browser fails the test instead.
func Chromium(tb testing.TB) string {
	tb.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		tb.Fatal("Chromium is not installed: apt-get install chromium")
	}
	tb.Skip("Chromium is not installed (apt-get install chromium)")
	return ""
}
