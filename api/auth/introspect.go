package auth

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"
)

// Defaults of IntrospectionConfig.
const (
	DefaultIntrospectionCacheTTL = 5 * time.Minute
	// noExpiryTTL caps how long an answer without exp is cached: the token's
	// life is unknown, so only a short revocation delay is acceptable.
	noExpiryTTL          = 60 * time.Second
	maxIntrospectionSize = 1 << 20
)

// IntrospectionConfig configures an Introspector.
type IntrospectionConfig struct {
	// URL is the authorisation server's introspection endpoint.
	URL string
	// ClientID and ClientSecret are this server's own credentials at the
	// authorisation server, sent with HTTP Basic authentication. The secret
	// must come from a file or the environment, never a command-line flag.
	ClientID     string
	ClientSecret string
	// Issuer, when set, must equal the answer's "iss"; Audience, when set,
	// must be one of its "aud" values. Both are optional because RFC 7662
	// makes those members optional and many servers omit them; set them when
	// one authorisation server issues tokens for several resource servers.
	Issuer   string
	Audience string
	// SubjectClaim names the member holding the subscriber's phone number.
	// Default DefaultSubjectClaim.
	SubjectClaim string
	// CacheSize bounds the cache of positive answers: 0 means
	// DefaultCacheSize, a negative value disables the cache.
	CacheSize int
	// CacheTTL caps how long a positive answer is reused; it is never reused
	// past the token's exp, and for at most 60 s when the answer has no exp.
	// It is the delay before a revocation at the authorisation server takes
	// effect here. 0 means DefaultIntrospectionCacheTTL.
	CacheTTL time.Duration
	// HTTPClient is used for introspection requests (a copy of it that
	// follows no redirect). Default: a client with a 5 s timeout.
	HTTPClient *http.Client
	// AllowInsecureHTTP accepts a plain http URL on a host that is not
	// loopback. Without it the URL must be https.
	AllowInsecureHTTP bool
	// Now is the clock; default time.Now. For tests.
	Now func() time.Time
}

// String keeps the client secret out of anything that prints the config.
func (c IntrospectionConfig) String() string {
	return fmt.Sprintf("IntrospectionConfig{URL: %q, ClientID: %q, ClientSecret: [redacted]}", c.URL, c.ClientID)
}

// GoString keeps the client secret out of %#v.
func (c IntrospectionConfig) GoString() string { return c.String() }

// LogValue keeps the client secret out of structured logs.
func (c IntrospectionConfig) LogValue() slog.Value {
	return slog.GroupValue(slog.String("url", c.URL), slog.String("client_id", c.ClientID))
}

// Introspector checks opaque tokens with the authorisation server (RFC 7662).
// It is safe for concurrent use.
//
// Only positive answers are cached, keyed by the token's SHA-256 digest:
// caching a refusal would keep refusing a token for a while after a transient
// failure, and refused tokens are not the traffic worth making cheap.
// Concurrent requests for the same uncached token share one introspection
// call, so a partner's burst with a fresh token costs the authorisation
// server one request.
type Introspector struct {
	url          string
	clientID     string
	authHeader   string // holds the secret; see String
	issuer       string
	audience     string
	subjectClaim string
	cacheTTL     time.Duration
	client       *http.Client
	now          func() time.Time
	cache        *lru[*Principal]
	flight       flight
}

var _ Verifier = (*Introspector)(nil)

// NewIntrospection returns an Introspector for cfg, or an error if cfg is
// incomplete. It makes no request: the authorisation server may legitimately
// be down while the server starts.
func NewIntrospection(cfg IntrospectionConfig) (*Introspector, error) {
	if err := checkIDPURL(cfg.URL, cfg.AllowInsecureHTTP); err != nil {
		return nil, fmt.Errorf("auth: introspection URL: %w", err)
	}
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, errors.New("auth: introspection needs a client id and a client secret")
	}
	client := noRedirectClient(cfg.HTTPClient)
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Introspector{
		url:          cfg.URL,
		clientID:     cfg.ClientID,
		authHeader:   basicAuth(cfg.ClientID, cfg.ClientSecret),
		issuer:       cfg.Issuer,
		audience:     cfg.Audience,
		subjectClaim: cmp.Or(cfg.SubjectClaim, DefaultSubjectClaim),
		cacheTTL:     cmp.Or(cfg.CacheTTL, DefaultIntrospectionCacheTTL),
		client:       client,
		now:          now,
		cache:        newLRU[*Principal](cacheSize(cfg.CacheSize)),
	}, nil
}

// basicAuth builds the Authorization header value. RFC 6749 §2.3.1 requires
// the id and secret to be form-encoded before Basic encoding, so a secret
// holding ':' or non-ASCII characters survives the round trip.
func basicAuth(id, secret string) string {
	pair := url.QueryEscape(id) + ":" + url.QueryEscape(secret)
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(pair))
}

// String keeps the client secret out of anything that prints the verifier.
func (in *Introspector) String() string {
	return fmt.Sprintf("auth.Introspector{URL: %q, ClientID: %q}", in.url, in.clientID)
}

// GoString keeps the client secret out of %#v.
func (in *Introspector) GoString() string { return in.String() }

// Verify asks the authorisation server about token, unless a positive answer
// for it is cached. The answer must say active: true, and its exp, nbf, iss
// and aud (when present or configured) and subject claim must pass the same
// checks as a JWT's. Scope is not checked; see HasScope. Errors wrap
// ErrUnauthenticated, and also ErrUnavailable when the server could not be
// asked or did not answer properly.
func (in *Introspector) Verify(ctx context.Context, token string) (*Principal, error) {
	if token == "" || len(token) > maxTokenLen {
		return nil, errMalformed
	}
	key := keyOf(token)
	if p, ok := in.cache.get(key, in.now()); ok {
		cp := *p
		return &cp, nil
	}
	p, err := in.flight.do(ctx, key, clientTimeout(in.client), func(ctx context.Context) (*Principal, error) {
		p, err := in.introspect(ctx, token)
		if err == nil {
			in.remember(key, p)
		}
		return p, err
	})
	if err != nil {
		return nil, err
	}
	cp := *p
	return &cp, nil
}

// remember caches a positive answer for no longer than the token lives.
func (in *Introspector) remember(key tokenKey, p *Principal) {
	now := in.now()
	ttl := in.cacheTTL
	if p.Expiry.IsZero() {
		ttl = min(ttl, noExpiryTTL)
	}
	if expires := earliest(p.Expiry, now.Add(ttl)); expires.After(now) {
		in.cache.put(key, p, expires)
	}
}

func (in *Introspector) introspect(ctx context.Context, token string) (*Principal, error) {
	form := url.Values{"token": {token}, "token_type_hint": {"access_token"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, in.url, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, unavailable("introspection request", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", in.authHeader)
	resp, err := in.client.Do(req)
	if err != nil {
		// *url.Error names the endpoint (password stripped), never the body.
		return nil, unavailable("introspection endpoint unreachable", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096)) // lets the connection be reused
		return nil, unavailable("introspection endpoint refused", fmt.Errorf("status %d", resp.StatusCode))
	}
	body, err := readLimited(resp.Body, maxIntrospectionSize)
	if err != nil {
		return nil, unavailable("introspection answer unreadable", err)
	}
	c, ok := parseClaims(body)
	if !ok {
		return nil, unavailable("introspection answer is not a JSON object", nil)
	}
	return in.judge(c, in.now())
}

// judge turns an introspection answer into a Principal.
func (in *Introspector) judge(c claims, now time.Time) (*Principal, error) {
	var active bool
	if !c.has("active") || json.Unmarshal(c["active"], &active) != nil {
		return nil, unavailable("introspection answer has no boolean active", nil)
	}
	if !active {
		return nil, errInactive
	}
	if err := checkTokenType(c); err != nil {
		return nil, err
	}
	std, ok := c.registered()
	if !ok {
		return nil, errClaims
	}
	want := jwt.Expected{Issuer: in.issuer, Time: now}
	if in.audience != "" {
		want.AnyAudience = jwt.Audience{in.audience}
	}
	if err := std.ValidateWithLeeway(want, maxLeeway); err != nil {
		return nil, validationFailure(err)
	}
	p, err := principalFrom(c, in.subjectClaim)
	if err != nil {
		return nil, err
	}
	p.Expiry = std.Expiry.Time()
	return p, nil
}

// checkTokenType refuses an answer whose token_type names something other
// than a bearer access token. RFC 7662 §2.2 defines token_type as the
// RFC 6749 §5.1 access token type, case-insensitive ("Bearer"); some servers
// use the token type hint vocabulary ("access_token", RFC 7009) or the
// RFC 8693 identifier instead, which say the same. Anything else is refused:
// "refresh_token" is not a credential for this API, and a "DPoP" token is
// bound to a key whose proof this server does not check (RFC 9449 §7.1).
// An absent token_type is accepted, as the member is optional.
func checkTokenType(c claims) error {
	typ, ok := c.str("token_type")
	if !ok {
		return errClaims
	}
	switch {
	case !c.has("token_type"), strings.EqualFold(typ, "bearer"),
		typ == "access_token", typ == "urn:ietf:params:oauth:token-type:access_token":
		return nil
	}
	return errTokenType
}

// flight lets concurrent verifications of one token share one introspection
// call. The call runs detached from any one request's context, bounded by
// the HTTP timeout, so a client that hangs up does not fail the others
// waiting on the same answer.
type flight struct {
	mu    sync.Mutex
	calls map[tokenKey]*flightCall
}

type flightCall struct {
	done chan struct{}
	p    *Principal
	err  error
}

func (f *flight) do(ctx context.Context, k tokenKey, timeout time.Duration, fn func(context.Context) (*Principal, error)) (*Principal, error) {
	f.mu.Lock()
	c, ok := f.calls[k]
	if !ok {
		if f.calls == nil {
			f.calls = make(map[tokenKey]*flightCall)
		}
		c = &flightCall{done: make(chan struct{})}
		f.calls[k] = c
		go f.run(ctx, k, c, timeout, fn)
	}
	f.mu.Unlock()
	select {
	case <-c.done:
		return c.p, c.err
	case <-ctx.Done():
		return nil, unavailable("introspection abandoned", ctx.Err())
	}
}

func (f *flight) run(ctx context.Context, k tokenKey, c *flightCall, timeout time.Duration, fn func(context.Context) (*Principal, error)) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	c.p, c.err = fn(ctx)
	f.mu.Lock()
	delete(f.calls, k)
	f.mu.Unlock()
	close(c.done)
}
