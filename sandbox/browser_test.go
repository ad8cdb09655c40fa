package sandbox_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/kycmatch/kycmatch/internal/kyctest"
	"github.com/kycmatch/kycmatch/sandbox"
)

// TestBrowser drives the page in headless Chromium as a partner's developer
// would, by keyboard: pick a test line, get a token, send the request, read
// the verdicts off the page; then runs the curl the page shows and checks it
// gets the same answer; then tries the example of a false with a score. Screenshots (laptop and phone widths) go to the
// test's artifact directory.
func TestBrowser(t *testing.T) {
	chromium := kyctest.Chromium(t)
	sb := start(t, sandbox.MinLines)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox,
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 1600))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	err := chromedp.Do(ctx,
		chromedp.Navigate(sb.URL()+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#lines tbody tr`)),
		// The first option after the placeholder is the first listed line.
		chromedp.Focus(chromedp.CSS(`#line`)),
		chromedp.KeyEvent(kb.ArrowDown),
		chromedp.Focus(chromedp.CSS(`#get-token`)),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`#token-status.ok`)),
		chromedp.Focus(chromedp.CSS(`#send`)),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`#verdicts li`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	tokenStatus := text(t, ctx, `#token-status`)
	status := text(t, ctx, `#status`)
	shownCurl := text(t, ctx, `#curl`)
	shownBody := text(t, ctx, `#response`)
	verdicts, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#verdicts li')].map(li => li.dataset.field + "=" + li.dataset.verdict)`))
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "sandbox-laptop.png")
	if !strings.HasPrefix(tokenStatus, "200") || !strings.HasPrefix(status, "200") {
		t.Fatalf("token status %q, match status %q", tokenStatus, status)
	}
	line := sb.Listing().Lines[0]
	if len(verdicts) != len(line.Values) || len(verdicts) == 0 {
		t.Errorf("%d verdicts on the page, want one for each of the line's %d values", len(verdicts), len(line.Values))
	}
	for _, v := range verdicts {
		if !strings.HasSuffix(v, "=true") {
			t.Errorf("verdict %s, want true: the request holds the line's own values", v)
		}
	}
	if !jsonEqual([]byte(shownBody), line.Expect.Body) {
		t.Errorf("page shows %s, the listing expects %s", shownBody, line.Expect.Body)
	}

	out, err := exec.CommandContext(ctx, "sh", "-c", shownCurl).Output()
	if err != nil {
		t.Fatalf("the page's curl failed: %v\n%s", err, shownCurl)
	}
	if !jsonEqual(out, []byte(shownBody)) {
		t.Errorf("the page's curl got %s, the page showed %s", out, shownBody)
	}

	// An example: "false with a score" is the second outcome in the list.
	err = chromedp.Do(ctx,
		chromedp.Focus(chromedp.CSS(`#example`)),
		chromedp.KeyEvent(kb.ArrowDown),
		chromedp.KeyEvent(kb.ArrowDown),
		chromedp.Focus(chromedp.CSS(`#get-token`)),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`#token-status.ok`)),
		chromedp.Focus(chromedp.CSS(`#send`)),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`#verdicts li[data-field="nameMatch"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, `#verdicts li[data-field="nameMatch"]`); !strings.HasPrefix(got, "nameMatch: false (score ") {
		t.Errorf("the false-with-a-score example shows %q", got)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if overflow {
		t.Error("at a phone's width the page scrolls sideways")
	}
	screenshot(t, ctx, "sandbox-phone.png")
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.ArtifactDir(), name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

func text(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("%s: %v", css, err)
	}
	return s
}
