package auth

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Whoever can change what the identity provider appears to say mints any
// token: a substituted JWKS, discovery document or introspection answer is
// as good as the provider's own key. So every request to it goes over https,
// and a redirect may not leave the origin that was configured.

// maxRedirects bounds same-origin redirects of discovery and JWKS requests,
// as net/http's default policy does.
const maxRedirects = 10

// errRedirectRefused is what a refused redirect fails with; it names neither
// URL's query (an IdP may put a state there) nor anything from the body.
var errRedirectRefused = errors.New("redirect refused")

// checkIDPURL accepts an absolute https URL, or an http one when the host is
// a loopback address (an IdP or sidecar on the same machine, where no network
// is crossed) or insecure is set (an operator's explicit choice, for a
// network they trust).
func checkIDPURL(s string, insecure bool) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("%q is not an absolute https URL", s)
	}
	if u.Scheme == "http" && !insecure && !isLoopback(u.Hostname()) {
		return fmt.Errorf("%q is plain http to a host that is not loopback: use https (or allow an insecure identity provider explicitly)", s)
	}
	return nil
}

// isLoopback reports whether host is localhost or an address in 127.0.0.0/8
// or ::1. Other names are not resolved: what a name resolves to is what an
// attacker on the path may control.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// sameOriginClient returns a copy of base (nil: a client with the default
// timeout) that follows a redirect only within the scheme and host of the
// first request. A redirect from https to http, or to another host, would
// hand the key source to whoever answers there.
func sameOriginClient(base *http.Client) *http.Client {
	c := copyClient(base)
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		first := via[0].URL
		if req.URL.Scheme != first.Scheme || !strings.EqualFold(req.URL.Host, first.Host) {
			return fmt.Errorf("%w: %s://%s to %s://%s", errRedirectRefused, first.Scheme, first.Host, req.URL.Scheme, req.URL.Host)
		}
		if len(via) >= maxRedirects {
			return fmt.Errorf("%w: more than %d", errRedirectRefused, maxRedirects)
		}
		return nil
	}
	return c
}

// noRedirectClient returns a copy of base that follows no redirect at all.
// An introspection request carries a partner's token and this server's
// credentials: a 307 or 308 would make net/http send both again, wherever
// the Location points.
func noRedirectClient(base *http.Client) *http.Client {
	c := copyClient(base)
	c.CheckRedirect = func(*http.Request, []*http.Request) error {
		return fmt.Errorf("%w: introspection endpoint answered with a redirect", errRedirectRefused)
	}
	return c
}

// copyClient copies base so that setting its redirect policy does not change
// a client the caller may use elsewhere.
func copyClient(base *http.Client) *http.Client {
	if base == nil {
		return &http.Client{Timeout: defaultHTTPTimeout}
	}
	c := *base
	return &c
}
