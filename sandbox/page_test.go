package sandbox_test

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/kycmatch/kycmatch/sandbox"
)

// TestPageOwnOrigin: the page and its assets reference nothing but the
// sandbox's own origin, so a partner's browser makes no outbound request;
// every reference resolves; the Content-Security-Policy says the same.
func TestPageOwnOrigin(t *testing.T) {
	sb := start(t, sandbox.MinLines)
	page, hdr := get(t, sb.URL()+"/")
	if csp := hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "connect-src 'self'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	refs := references(t, page)
	if len(refs) < 2 {
		t.Fatalf("page references %v: want at least its stylesheet and script", refs)
	}
	for _, ref := range refs {
		if !strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, "//") {
			t.Errorf("page references %q, not a path on its own origin", ref)
			continue
		}
		body, _ := get(t, sb.URL()+ref)
		if strings.HasPrefix(ref, "/assets/") {
			checkNoOutside(t, ref, body)
		}
	}
	checkNoOutside(t, "/", page)
}

// outside matches what could make a browser reach another origin from CSS
// or a script: an absolute URL, a protocol-relative url(), an @import.
var outside = regexp.MustCompile(`(?i)\b(https?|wss?|ftp):|url\(\s*['"]?//|@import`)

func checkNoOutside(t *testing.T, name, body string) {
	t.Helper()
	if m := outside.FindString(body); m != "" {
		t.Errorf("%s holds %q", name, m)
	}
}

// references returns every URL-valued attribute of the document, and fails
// on inline scripts and styles, which the policy would block.
func references(t *testing.T, page string) []string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	urlAttrs := map[string]bool{"src": true, "href": true, "action": true, "formaction": true, "srcset": true, "poster": true, "data": true}
	var refs []string
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		if (n.Data == "script" || n.Data == "style") && n.FirstChild != nil {
			t.Errorf("inline <%s>", n.Data)
		}
		for _, a := range n.Attr {
			if urlAttrs[a.Key] {
				refs = append(refs, a.Val)
			}
			if a.Key == "style" || strings.HasPrefix(a.Key, "on") {
				t.Errorf("inline %s attribute on <%s>", a.Key, n.Data)
			}
		}
	}
	return refs
}

func get(t *testing.T, url string) (string, http.Header) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s: %d", url, resp.StatusCode)
	}
	return string(b), resp.Header
}
