package sandbox_test

// The sandbox over real HTTP on a loopback port: its token endpoint as a
// standard OAuth client sees it, the API behind it, and every listed line.

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/kycmatch/kycmatch/api/auth"
	"github.com/kycmatch/kycmatch/internal/devissuer"
	"github.com/kycmatch/kycmatch/sandbox"
)

const scope = "kyc-match:match"

// start runs a sandbox of lines synthetic lines on a free port until the
// test ends.
func start(t *testing.T, lines int, clients ...sandbox.Client) *sandbox.Sandbox {
	t.Helper()
	sb, err := sandbox.Start(context.Background(), sandbox.Options{Addr: "127.0.0.1:0", Lines: lines, Seed: 1, Clients: clients})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := sb.Close(); err != nil {
			t.Error(err)
		}
	})
	return sb
}

type tokenAnswer struct {
	status int
	header http.Header
	body   map[string]any
}

func postToken(t *testing.T, sb *sandbox.Sandbox, basic string, form url.Values, contentType string) tokenAnswer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, sb.URL()+"/oauth2/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if id, secret, ok := strings.Cut(basic, ":"); ok {
		req.SetBasicAuth(id, secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	a := tokenAnswer{status: resp.StatusCode, header: resp.Header}
	if err := json.NewDecoder(resp.Body).Decode(&a.body); err != nil {
		t.Fatalf("token endpoint answered %d with no JSON: %v", resp.StatusCode, err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	return a
}

func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

const formType = "application/x-www-form-urlencoded"

// TestTokenEndpoint holds the endpoint to RFC 6749 §4.4 and §5.2: the
// grant, both client authentication methods, scopes, login_hint, and each
// error with its status.
func TestTokenEndpoint(t *testing.T) {
	sb := start(t, sandbox.MinLines, sandbox.Client{ID: "bank-1", Secret: "s3cret:with colon"}, sandbox.Client{ID: "sandbox", Secret: "sandbox"})
	cc := "client_credentials"
	tests := []struct {
		name      string
		basic     string
		form      url.Values
		ctype     string
		status    int
		errCode   string
		wantScope string
	}{
		{"OK/Basic", "sandbox:sandbox", form("grant_type", cc), formType, 200, "", scope},
		{"OK/BasicEncodedSecret", url.QueryEscape("bank-1") + ":" + url.QueryEscape("s3cret:with colon"), form("grant_type", cc), formType, 200, "", scope},
		{"OK/Form", "", form("grant_type", cc, "client_id", "bank-1", "client_secret", "s3cret:with colon"), formType, 200, "", scope},
		{"OK/Scopes", "sandbox:sandbox", form("grant_type", cc, "scope", "openid kyc-match:match"), formType, 200, "", "openid kyc-match:match"},
		{"OK/PurposeScope", "sandbox:sandbox", form("grant_type", cc, "scope", "dpv:FraudPreventionAndDetection#kyc-match:match"), formType, 200, "", "dpv:FraudPreventionAndDetection#kyc-match:match"},
		{"OK/LoginHint", "sandbox:sandbox", form("grant_type", cc, "login_hint", "tel:+34612345678"), formType, 200, "", scope},
		{"OK/ContentTypeCharset", "sandbox:sandbox", form("grant_type", cc), formType + "; charset=utf-8", 200, "", scope},
		{"ErrInvalidClient/WrongSecret", "sandbox:nope", form("grant_type", cc), formType, 401, "invalid_client", ""},
		{"ErrInvalidClient/UnknownClient", "other:sandbox", form("grant_type", cc), formType, 401, "invalid_client", ""},
		{"ErrInvalidClient/WrongFormSecret", "", form("grant_type", cc, "client_id", "sandbox", "client_secret", "x"), formType, 401, "invalid_client", ""},
		{"ErrInvalidClient/NoCredentials", "", form("grant_type", cc), formType, 401, "invalid_client", ""},
		{"ErrInvalidRequest/TwoMethods", "sandbox:sandbox", form("grant_type", cc, "client_id", "sandbox", "client_secret", "sandbox"), formType, 400, "invalid_request", ""},
		{"ErrInvalidRequest/NoGrantType", "sandbox:sandbox", form(), formType, 400, "invalid_request", ""},
		{"ErrInvalidRequest/RepeatedParameter", "sandbox:sandbox", form("grant_type", cc, "grant_type", cc), formType, 400, "invalid_request", ""},
		{"ErrInvalidRequest/NotAForm", "sandbox:sandbox", form("grant_type", cc), "application/json", 400, "invalid_request", ""},
		{"ErrInvalidRequest/LoginHintNotTel", "sandbox:sandbox", form("grant_type", cc, "login_hint", "+34612345678"), formType, 400, "invalid_request", ""},
		{"ErrInvalidRequest/LoginHintNotE164", "sandbox:sandbox", form("grant_type", cc, "login_hint", "tel:612345678"), formType, 400, "invalid_request", ""},
		{"ErrUnsupportedGrantType/Password", "sandbox:sandbox", form("grant_type", "password", "username", "u", "password", "p"), formType, 400, "unsupported_grant_type", ""},
		{"ErrUnsupportedGrantType/AuthorizationCode", "sandbox:sandbox", form("grant_type", "authorization_code", "code", "x"), formType, 400, "unsupported_grant_type", ""},
		{"ErrInvalidScope/Unknown", "sandbox:sandbox", form("grant_type", cc, "scope", "kyc-match:match admin"), formType, 400, "invalid_scope", ""},
		{"ErrInvalidScope/PurposeOfOtherScope", "sandbox:sandbox", form("grant_type", cc, "scope", "dpv:Marketing#admin"), formType, 400, "invalid_scope", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := postToken(t, sb, tt.basic, tt.form, tt.ctype)
			if a.status != tt.status {
				t.Fatalf("status %d, want %d (%v)", a.status, tt.status, a.body)
			}
			if cc := a.header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", cc)
			}
			if tt.errCode != "" {
				if a.body["error"] != tt.errCode || a.body["error_description"] == "" {
					t.Errorf("body %v, want error %s with a description", a.body, tt.errCode)
				}
				if www := a.header.Get("WWW-Authenticate"); (tt.status == 401) != strings.HasPrefix(www, "Basic ") {
					t.Errorf("status %d with WWW-Authenticate %q", tt.status, www)
				}
				return
			}
			want := map[string]any{"token_type": "Bearer", "expires_in": 3600.0, "scope": tt.wantScope}
			got := map[string]any{"token_type": a.body["token_type"], "expires_in": a.body["expires_in"], "scope": a.body["scope"]}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("token answer (-want +got):\n%s", diff)
			}
			if tok, _ := a.body["access_token"].(string); strings.Count(tok, ".") != 2 {
				t.Errorf("access_token %q is not a JWT", tok)
			}
		})
	}
	t.Run("ErrMethod/GET", func(t *testing.T) {
		resp, err := http.Get(sb.URL() + "/oauth2/token")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != http.MethodPost {
			t.Errorf("GET answered %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
		}
	})
}

// TestTokenClaims verifies the endpoint's tokens the way serve does with
// --oidc-issuer: discovery at the sandbox's URL, then its JWKS.
func TestTokenClaims(t *testing.T) {
	sb := start(t, sandbox.MinLines)
	v, err := auth.NewJWT(context.Background(), auth.JWTConfig{OIDCIssuer: sb.URL(), Audience: sandbox.Audience})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		form url.Values
		want auth.Principal
	}{
		{"TwoLegged", form("grant_type", "client_credentials"), auth.Principal{ClientID: "sandbox", Scopes: []string{scope}}},
		{"ThreeLegged", form("grant_type", "client_credentials", "scope", "openid kyc-match:match", "login_hint", "tel:+34612345678"),
			auth.Principal{ClientID: "sandbox", Phone: "+34612345678", Scopes: []string{"openid", scope}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := postToken(t, sb, "sandbox:sandbox", tt.form, formType)
			p, err := v.Verify(context.Background(), a.body["access_token"].(string))
			if err != nil {
				t.Fatal(err)
			}
			if until := time.Until(p.Expiry); until < 59*time.Minute || until > time.Hour {
				t.Errorf("token expires in %s, want 1h", until)
			}
			p.Expiry = time.Time{}
			if diff := cmp.Diff(tt.want, *p); diff != "" {
				t.Errorf("Principal (-want +got):\n%s", diff)
			}
		})
	}
}

// TestStandardClient gets tokens with golang.org/x/oauth2/clientcredentials,
// unchanged, in each of its client authentication styles, and calls the API
// with its HTTP client.
func TestStandardClient(t *testing.T) {
	sb := start(t, sandbox.MinLines)
	ex := example(t, sb.Listing(), "true")
	for _, style := range []struct {
		name  string
		style oauth2.AuthStyle
	}{{"AutoDetect", oauth2.AuthStyleAutoDetect}, {"InHeader", oauth2.AuthStyleInHeader}, {"InParams", oauth2.AuthStyleInParams}} {
		t.Run("OK/"+style.name, func(t *testing.T) {
			cfg := clientcredentials.Config{ClientID: "sandbox", ClientSecret: "sandbox", TokenURL: sb.URL() + "/oauth2/token",
				Scopes: []string{scope}, AuthStyle: style.style}
			tok, err := cfg.Token(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if tok.TokenType != "Bearer" || time.Until(tok.Expiry) < 59*time.Minute {
				t.Errorf("token type %q, expiry in %s", tok.TokenType, time.Until(tok.Expiry))
			}
			status, body := match(t, cfg.Client(context.Background()), sb, "vwip", ex.Request)
			if status != http.StatusOK || !jsonEqual(body, ex.Expect.Body) {
				t.Errorf("API answered %d %s, want 200 %s", status, body, ex.Expect.Body)
			}
		})
	}
	t.Run("ErrInvalidClient", func(t *testing.T) {
		cfg := clientcredentials.Config{ClientID: "sandbox", ClientSecret: "wrong", TokenURL: sb.URL() + "/oauth2/token"}
		_, err := cfg.Token(context.Background())
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.ErrorCode != "invalid_client" || re.Response.StatusCode != http.StatusUnauthorized {
			t.Fatalf("Token = %v, want a 401 invalid_client RetrieveError", err)
		}
	})
	t.Run("ErrInvalidScope", func(t *testing.T) {
		cfg := clientcredentials.Config{ClientID: "sandbox", ClientSecret: "sandbox", TokenURL: sb.URL() + "/oauth2/token", Scopes: []string{"everything"}}
		_, err := cfg.Token(context.Background())
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.ErrorCode != "invalid_scope" {
			t.Fatalf("Token = %v, want invalid_scope", err)
		}
	})
}

// TestOtherIssuerRefused: the API takes the sandbox's own tokens only, not
// one signed by another key under the same iss and aud, nor one from
// another sandbox.
func TestOtherIssuerRefused(t *testing.T) {
	sb, other := start(t, sandbox.MinLines), start(t, sandbox.MinLines)
	ex := example(t, sb.Listing(), "true")
	forger, err := devissuer.New(sb.URL(), sandbox.Audience)
	if err != nil {
		t.Fatal(err)
	}
	forged, err := forger.Token(devissuer.Claims{ClientID: "sandbox", Scopes: []string{scope}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	otherTok, err := other.Token("sandbox", "", "")
	if err != nil {
		t.Fatal(err)
	}
	own, err := sb.Token("sandbox", "", "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		token  string
		status int
	}{
		{"OK/Own", own, 200},
		{"ErrUnauthenticated/SameIssuerOtherKey", forged, 401},
		{"ErrUnauthenticated/OtherSandbox", otherTok, 401},
		{"ErrUnauthenticated/None", "", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := match(t, bearer(tt.token), sb, "vwip", ex.Request)
			if status != tt.status {
				t.Fatalf("status %d %s, want %d", status, body, tt.status)
			}
		})
	}
}

// TestThreeLegged holds a login_hint token to contract §4: answered for
// its line without phoneNumber, refused for another line's number.
func TestThreeLegged(t *testing.T) {
	sb := start(t, sandbox.MinLines)
	var lines []sandbox.Line
	for _, l := range sb.Listing().Lines {
		if l.Kind == "line" {
			lines = append(lines, l)
		}
	}
	a, b := lines[0], lines[1]
	tok := postToken(t, sb, "sandbox:sandbox", form("grant_type", "client_credentials", "login_hint", "tel:"+a.PhoneNumber), formType).body["access_token"].(string)
	without := withoutPhone(t, a.Request)
	tests := []struct {
		name   string
		body   []byte
		status int
		code   string
		want   json.RawMessage
	}{
		{"OK/NoPhoneNumber", without, 200, "", a.Expect.Body},
		{"OK/SamePhoneNumber", a.Request, 200, "", a.Expect.Body},
		{"ErrTokenContext/OtherLine", b.Request, 403, "INVALID_TOKEN_CONTEXT", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := match(t, bearer(tok), sb, "vwip", tt.body)
			if status != tt.status {
				t.Fatalf("status %d %s, want %d", status, body, tt.status)
			}
			if tt.code != "" && errorCode(body) != tt.code {
				t.Errorf("body %s, want code %s", body, tt.code)
			}
			if tt.want != nil && !jsonEqual(body, tt.want) {
				t.Errorf("body %s, want %s", body, tt.want)
			}
		})
	}
	t.Run("ErrMissingIdentifier/TwoLeggedNoPhoneNumber", func(t *testing.T) {
		own, err := sb.Token("sandbox", "", "")
		if err != nil {
			t.Fatal(err)
		}
		status, body := match(t, bearer(own), sb, "vwip", without)
		if status != 422 || errorCode(body) != "MISSING_IDENTIFIER" {
			t.Errorf("answered %d %s, want 422 MISSING_IDENTIFIER", status, body)
		}
	})
}

// TestListingAnswersAsListed fetches /sandbox/lines from a sandbox of the
// default size (which must start within 5 s), checks that it covers every
// outcome, and sends every line's and every example's request over HTTP
// with a token from the endpoint: each must be answered as listed.
func TestListingAnswersAsListed(t *testing.T) {
	t0 := time.Now()
	sb := start(t, 0)
	if d := time.Since(t0); d > 5*time.Second {
		t.Errorf("the sandbox took %s to start with %d lines, want under 5s", d, sandbox.DefaultLines)
	}
	if n := sb.Summary().Loaded; n != sandbox.DefaultLines {
		t.Errorf("loaded %d lines, want %d", n, sandbox.DefaultLines)
	}
	resp, err := http.Get(sb.URL() + "/sandbox/lines")
	if err != nil {
		t.Fatal(err)
	}
	var l sandbox.Listing
	err = json.NewDecoder(resp.Body).Decode(&l)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	checkCoverage(t, &l)
	two := postToken(t, sb, "sandbox:sandbox", form("grant_type", "client_credentials"), formType).body["access_token"].(string)
	for _, line := range l.Lines {
		t.Run("Line/"+line.Kind+"/"+line.PhoneNumber, func(t *testing.T) {
			status, body := match(t, bearer(two), sb, "vwip", line.Request)
			checkExpect(t, line.Expect, status, body)
		})
	}
	for _, ex := range l.Examples {
		t.Run("Example/"+ex.Outcome, func(t *testing.T) {
			f := form("grant_type", "client_credentials", "scope", ex.Scope, "login_hint", ex.LoginHint)
			tok := postToken(t, sb, "sandbox:sandbox", f, formType).body["access_token"].(string)
			status, body := match(t, bearer(tok), sb, ex.API, ex.Request)
			checkExpect(t, ex.Expect, status, body)
		})
	}
}

// checkCoverage: the listing offers every outcome of the issue, and the
// examples' answers say what their outcome names.
func checkCoverage(t *testing.T, l *sandbox.Listing) {
	t.Helper()
	kinds := map[string]int{}
	for _, line := range l.Lines {
		kinds[line.Kind]++
		if line.Kind == "line" && len(line.Values) == 0 {
			t.Errorf("line %s lists no values", line.PhoneNumber)
		}
	}
	if kinds["line"] < 2 || kinds["ineligible"] != 1 || kinds["not a line"] < 1 {
		t.Errorf("kinds of lines %v, want lines, one ineligible, numbers that are no line", kinds)
	}
	verdicts := func(outcome string) map[string]any {
		var m map[string]any
		if err := json.Unmarshal(example(t, l, outcome).Expect.Body, &m); err != nil {
			t.Fatalf("%s: %v", outcome, err)
		}
		return m
	}
	if v := verdicts("true"); v["nameMatch"] != "true" || v["birthdateMatch"] != "true" {
		t.Errorf("true example answers %v", v)
	}
	if v := verdicts("false with a score"); v["nameMatch"] != "false" || v["nameMatchScore"] == nil || v["nameMatchScore"].(float64) >= 100 {
		t.Errorf("false example answers %v", v)
	}
	if v := verdicts("not_available"); !hasValue(v, "not_available") {
		t.Errorf("not_available example answers %v", v)
	}
	for outcome, status := range map[string]int{"404 IDENTIFIER_NOT_FOUND": 404, "422 SERVICE_NOT_APPLICABLE": 422,
		"403 INVALID_TOKEN_CONTEXT": 403, "403 PERMISSION_DENIED": 403} {
		if e := example(t, l, outcome).Expect; e.Status != status || !strings.HasSuffix(outcome, e.Code) {
			t.Errorf("%s example expects %d %s", outcome, e.Status, e.Code)
		}
	}
}

func checkExpect(t *testing.T, want sandbox.Expect, status int, body []byte) {
	t.Helper()
	if status != want.Status {
		t.Fatalf("status %d %s, want %d", status, body, want.Status)
	}
	if want.Code != "" && errorCode(body) != want.Code {
		t.Errorf("body %s, want code %s", body, want.Code)
	}
	if want.Body != nil && !jsonEqual(body, want.Body) {
		t.Errorf("body %s, want %s", body, want.Body)
	}
}

// TestCloseRemovesEverything: after Close, the temporary directory the
// sandbox made is gone.
func TestCloseRemovesEverything(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	sb, err := sandbox.Start(context.Background(), sandbox.Options{Addr: "127.0.0.1:0", Lines: sandbox.MinLines})
	if err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) == 0 {
		t.Fatal("the sandbox wrote nothing to TMPDIR; the test checks nothing")
	}
	if err := sb.Close(); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("left in TMPDIR after Close: %v", entries)
	}
}

func example(t *testing.T, l *sandbox.Listing, outcome string) sandbox.Example {
	t.Helper()
	for _, ex := range l.Examples {
		if ex.Outcome == outcome {
			return ex
		}
	}
	t.Fatalf("no example for %q", outcome)
	return sandbox.Example{}
}

// bearer is an HTTP client sending token ("" sends none).
func bearer(token string) *http.Client {
	if token == "" {
		return http.DefaultClient
	}
	return oauth2.NewClient(context.Background(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token}))
}

func match(t *testing.T, c *http.Client, sb *sandbox.Sandbox, version string, body []byte) (int, []byte) {
	t.Helper()
	resp, err := c.Post(sb.URL()+"/kyc-match/"+version+"/match", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

func withoutPhone(t *testing.T, body []byte) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "phoneNumber")
	b, _ := json.Marshal(m)
	return b
}

func errorCode(body []byte) string {
	var e struct{ Code string }
	json.Unmarshal(body, &e)
	return e.Code
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && cmp.Equal(x, y)
}

func hasValue(m map[string]any, v any) bool {
	for _, x := range m {
		if x == v {
			return true
		}
	}
	return false
}
