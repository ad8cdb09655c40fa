package api_test

// The OpenAPI side of the suite: the CAMARA specification files are the
// oracle for every response the tests see (checkResponse, called by
// server.do on each one), for the request examples the specs publish, and
// for the request rules that version.go keeps as data.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// specDir holds the official CAMARA files, carried unchanged in the
// repository (spec/, with their licence) so that a clone tests with nothing
// beside it; KYCMATCH_SPEC_DIR points at another copy.
var specDir = cmpOr(os.Getenv("KYCMATCH_SPEC_DIR"), filepath.Join("..", "spec"))

var specFiles = map[string]string{
	"v0.4": "v0.4/kyc-match.yaml",
	"vwip": "wip/API_definitions/kyc-match.yaml",
}

// specHost stands in for {apiRoot}: the routers match requests on the
// servers URL, and every test server has its own port.
const specHost = "kycmatch.test"

// spec is one version's OpenAPI document, ready for validation.
type spec struct {
	version  string
	doc      *openapi3.T
	router   routers.Router
	request  *openapi3.Schema // KYC_MatchRequestBody
	response *openapi3.Schema // KYC_MatchResponse
}

// common holds the schemas of CAMARA_common.yaml that responses outside
// any operation (unknown routes, undocumented statuses) must still follow.
type common struct {
	errorInfo  *openapi3.Schema
	correlator *openapi3.Schema
}

type specSet struct {
	byVersion map[string]*spec
	common    common
}

var loadSpecs = sync.OnceValues(func() (*specSet, error) {
	set := &specSet{byVersion: map[string]*spec{}}
	for version, file := range specFiles {
		l := openapi3.NewLoader()
		// The wip file's $refs point at ../common/CAMARA_common.yaml.
		l.IsExternalRefsAllowed = true
		doc, err := l.LoadFromFile(filepath.Join(specDir, file))
		if err != nil {
			return nil, fmt.Errorf("load %s: %w", file, err)
		}
		if err := doc.Validate(context.Background()); err != nil {
			return nil, fmt.Errorf("validate %s: %w", file, err)
		}
		doc.Servers = openapi3.Servers{{URL: "http://" + specHost + "/kyc-match/" + version}}
		router, err := gorillamux.NewRouter(doc)
		if err != nil {
			return nil, fmt.Errorf("router for %s: %w", file, err)
		}
		set.byVersion[version] = &spec{
			version:  version,
			doc:      doc,
			router:   router,
			request:  doc.Components.Schemas["KYC_MatchRequestBody"].Value,
			response: doc.Components.Schemas["KYC_MatchResponse"].Value,
		}
	}
	l := openapi3.NewLoader()
	doc, err := l.LoadFromFile(filepath.Join(specDir, "wip/common/CAMARA_common.yaml"))
	if err != nil {
		return nil, fmt.Errorf("load CAMARA_common.yaml: %w", err)
	}
	set.common = common{
		errorInfo:  doc.Components.Schemas["ErrorInfo"].Value,
		correlator: doc.Components.Schemas["XCorrelator"].Value,
	}
	if set.common.errorInfo == nil || set.common.correlator == nil {
		return nil, errors.New("CAMARA_common.yaml lacks ErrorInfo or XCorrelator")
	}
	return set, nil
})

func specs(tb testing.TB) *specSet {
	tb.Helper()
	s, err := loadSpecs()
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func specFor(tb testing.TB, version string) *spec {
	tb.Helper()
	s, ok := specs(tb).byVersion[version]
	if !ok {
		tb.Fatalf("no spec for version %q", version)
	}
	return s
}

// correlatorPattern is XCorrelator's pattern, read from the spec rather than
// typed again.
var correlatorPattern = sync.OnceValue(func() *regexp.Regexp {
	s, err := loadSpecs()
	if err != nil {
		panic(err)
	}
	return regexp.MustCompile(s.common.correlator.Pattern)
})

// versionOfPath returns the API version a request path belongs to, or "".
func versionOfPath(path string) string {
	for v := range specFiles {
		if strings.HasPrefix(path, "/kyc-match/"+v+"/") {
			return v
		}
	}
	return ""
}

// specRequest is the request as the spec's router sees it: the same method,
// path and headers on the spec's host.
func specRequest(r *http.Request, body []byte) *http.Request {
	vr := r.Clone(context.Background())
	vr.URL.Scheme, vr.URL.Host, vr.Host = "http", specHost, specHost
	vr.Body = io.NopCloser(bytes.NewReader(body))
	return vr
}

// checkResponse validates one response against the OpenAPI file of its
// version: with the operation's documented response when there is one, and
// otherwise (unknown routes; 405, 413, 415, 429, 503, which the files do not
// list) against CAMARA_common's ErrorInfo. Either way the body must be
// application/json, carry a valid x-correlator, and an error body must be
// exactly {status, code, message} with the HTTP status.
func checkResponse(tb testing.TB, r *http.Request, status int, h http.Header, body []byte) {
	tb.Helper()
	if ct := h.Get("Content-Type"); ct != "application/json" {
		mt, _, _ := mime.ParseMediaType(ct)
		if mt != "application/json" {
			tb.Errorf("%s %s: Content-Type %q, want application/json", r.Method, r.URL.Path, ct)
		}
	}
	c := h.Get("x-correlator")
	if c == "" || !correlatorPattern().MatchString(c) {
		tb.Errorf("%s %s: x-correlator %q does not match the spec's pattern", r.Method, r.URL.Path, c)
	}
	if status >= 400 {
		checkErrorShape(tb, status, body)
	}
	set := specs(tb)
	if sp := set.byVersion[versionOfPath(r.URL.Path)]; sp != nil {
		vr := specRequest(r, nil)
		route, params, err := sp.router.FindRoute(vr)
		if err == nil && route.Operation.Responses.Status(status) != nil {
			in := &openapi3filter.ResponseValidationInput{
				RequestValidationInput: &openapi3filter.RequestValidationInput{Request: vr, PathParams: params, Route: route},
				Status:                 status,
				Header:                 h,
				Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
			}
			in.SetBodyBytes(body)
			if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
				tb.Errorf("%s %s: %d response does not follow %s: %v\nbody: %s", r.Method, r.URL.Path, status, specFiles[sp.version], err, body)
			}
			return
		}
	}
	// No operation documents this response: it must still be a CAMARA error.
	if status < 400 {
		tb.Errorf("%s %s: status %d outside any documented operation", r.Method, r.URL.Path, status)
		return
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		tb.Errorf("%s %s: body is not JSON: %v", r.Method, r.URL.Path, err)
		return
	}
	if err := set.common.errorInfo.VisitJSON(v); err != nil {
		tb.Errorf("%s %s: %d body does not follow CAMARA ErrorInfo: %v\nbody: %s", r.Method, r.URL.Path, status, err, body)
	}
	if err := set.common.correlator.VisitJSON(c); err != nil {
		tb.Errorf("%s %s: x-correlator does not follow XCorrelator: %v", r.Method, r.URL.Path, err)
	}
}

// checkErrorShape requires exactly the three CAMARA members, the status
// equal to the HTTP status.
func checkErrorShape(tb testing.TB, status int, body []byte) {
	tb.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		tb.Errorf("error body is not a JSON object: %v: %s", err, body)
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if !slices.Equal(keys, []string{"code", "message", "status"}) {
		tb.Errorf("error body members %v, want code, message, status: %s", keys, body)
	}
	if string(m["status"]) != fmt.Sprint(status) {
		tb.Errorf("error body status %s, HTTP status %d", m["status"], status)
	}
}

// specRejects reports whether the spec's request schema refuses body (nil
// when the spec accepts it). It checks only what OpenAPI can say: the
// server refuses more (unknown properties, duplicates, impossible values).
func specRejects(tb testing.TB, version string, body []byte) error {
	tb.Helper()
	sp := specFor(tb, version)
	r, err := http.NewRequest(http.MethodPost, "http://"+specHost+"/kyc-match/"+version+"/match", bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/json")
	route, params, err := sp.router.FindRoute(r)
	if err != nil {
		tb.Fatal(err)
	}
	return openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{
		Request: r, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	})
}

// scoredFields are the attributes whose response has a …MatchScore in the
// spec: the only ones that may carry a score.
func scoredFields(tb testing.TB, version string) map[string]bool {
	tb.Helper()
	out := map[string]bool{}
	for name := range specFor(tb, version).response.Properties {
		if f, ok := strings.CutSuffix(name, "MatchScore"); ok {
			out[f] = true
		}
	}
	return out
}

// requestProperties lists the spec's request properties, sorted.
func requestProperties(tb testing.TB, version string) []string {
	tb.Helper()
	var out []string
	for name := range specFor(tb, version).request.Properties {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// propertySchema merges a property's allOf parts (the wip file wraps the
// country codes in allOf) into the one constraint set that matters here.
func propertySchema(s *openapi3.Schema) (maxLength uint64, pattern, format string, enum bool) {
	parts := append([]*openapi3.Schema{s}, func() []*openapi3.Schema {
		var p []*openapi3.Schema
		for _, r := range s.AllOf {
			p = append(p, r.Value)
		}
		return p
	}()...)
	for _, p := range parts {
		if p.MaxLength != nil {
			maxLength = *p.MaxLength
		}
		pattern = cmpOr(pattern, p.Pattern)
		format = cmpOr(format, p.Format)
		enum = enum || len(p.Enum) > 0
	}
	return
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TestSpecExamples sends every request example of each spec file and
// requires a 200 that follows the spec: the fixture holds the examples'
// line, +34629255833. An example without phoneNumber is the three-legged
// case, so it goes with a token naming that line.
func TestSpecExamples(t *testing.T) {
	e := newEnv(t)
	e.ingest(t, testLines)
	s := newServer(t, e.live(t), nil)
	threeLegged := s.idp.token(t, map[string]any{"phone_number": lineExample})
	for _, version := range []string{"v0.4", "vwip"} {
		op := specFor(t, version).doc.Paths.Find("/match").Post
		examples := op.RequestBody.Value.Content.Get("application/json").Examples
		if len(examples) == 0 {
			t.Fatalf("%s: no request examples", version)
		}
		for name, ex := range examples {
			t.Run(version+"/OK/"+name, func(t *testing.T) {
				body, err := json.Marshal(ex.Value.Value)
				if err != nil {
					t.Fatal(err)
				}
				if err := specRejects(t, version, body); err != nil {
					t.Fatalf("the spec's own example does not follow its schema: %v", err)
				}
				c := call{version: version, body: string(body)}
				fields := map[string]any{}
				if err := json.Unmarshal(body, &fields); err != nil {
					t.Fatal(err)
				}
				if _, ok := fields["phoneNumber"]; !ok {
					c.token = threeLegged
				}
				r := s.do(t, c)
				if r.status != http.StatusOK {
					t.Fatalf("status %d: %s", r.status, r.body)
				}
				delete(fields, "phoneNumber")
				checkKeys(t, version, fields, r)
			})
		}
	}
}

// TestRequestRulesFollowSpec derives the request rules from the spec files
// and checks that the server applies exactly those: the same property
// names per version, and each maxLength counted in code points (a value of
// maxLength multibyte runes passes, one more rune is refused).
func TestRequestRulesFollowSpec(t *testing.T) {
	e := newEnv(t)
	e.ingest(t, testLines)
	s := newServer(t, e.live(t), nil)
	all := map[string]bool{}
	for v := range specFiles {
		for _, p := range requestProperties(t, v) {
			all[p] = true
		}
	}
	for _, version := range []string{"v0.4", "vwip"} {
		props := requestProperties(t, version)
		for name := range all {
			if name == "phoneNumber" {
				continue
			}
			known := slices.Contains(props, name)
			valid, ok := validValues[name]
			if !ok {
				t.Fatalf("no valid test value for property %s", name)
			}
			outcome := "OK"
			if !known {
				outcome = "INVALID_ARGUMENT"
			}
			t.Run(version+"/"+outcome+"/"+name, func(t *testing.T) {
				body := jsonBody(lineAna, name, valid)
				r := s.do(t, call{version: version, body: body})
				if known && r.status != http.StatusOK {
					t.Errorf("spec property refused: %d %s", r.status, r.body)
				}
				if !known && (r.status != http.StatusBadRequest || r.err.Code != "INVALID_ARGUMENT" || !strings.Contains(r.err.Message, name)) {
					t.Errorf("property outside the spec: %d %s, want 400 INVALID_ARGUMENT naming it", r.status, r.body)
				}
			})
		}
		for _, name := range props {
			max, pattern, format, enum := propertySchema(specFor(t, version).request.Properties[name].Value)
			if max == 0 || pattern != "" || format == "date" || enum {
				// Unbounded, or a value that long breaks the pattern, date
				// or enum anyway: the pattern tests cover those.
				continue
			}
			at, over := valueOfRunes(name, int(max)), valueOfRunes(name, int(max)+1)
			t.Run(fmt.Sprintf("%s/OK/%sMaxLength%d", version, name, max), func(t *testing.T) {
				if n := utf8.RuneCountInString(at); n != int(max) || len(at) <= n {
					t.Fatalf("test value has %d runes in %d bytes", n, len(at))
				}
				if err := specRejects(t, version, []byte(jsonBody(lineAna, name, at))); err != nil {
					t.Fatalf("spec refuses the test value: %v", err)
				}
				if r := s.do(t, call{version: version, body: jsonBody(lineAna, name, at)}); r.status != http.StatusOK {
					t.Errorf("%d runes refused: %d %s", max, r.status, r.body)
				}
			})
			t.Run(fmt.Sprintf("%s/INVALID_ARGUMENT/%sMaxLength%d", version, name, max+1), func(t *testing.T) {
				if specRejects(t, version, []byte(jsonBody(lineAna, name, over))) == nil {
					t.Fatal("spec accepts the over-long test value")
				}
				r := s.do(t, call{version: version, body: jsonBody(lineAna, name, over)})
				if r.status != http.StatusBadRequest || r.err.Code != "INVALID_ARGUMENT" {
					t.Errorf("%d runes: %d %s, want 400 INVALID_ARGUMENT", max+1, r.status, r.body)
				}
			})
		}
	}
}

// validValues holds a synthetic valid value per request property.
var validValues = map[string]string{
	"idDocument": "12345678Z", "idDocumentType": "national_id_card", "idDocumentExpiryDate": "2031-05-17",
	"bankAccountNumber": "IBAN:ES9121000418450200051332", "name": "Ana María Ruiz Gil", "givenName": "Ana María",
	"familyName": "Ruiz Gil", "nameKanaHankaku": "ｱﾅ ﾙｲｽ", "nameKanaZenkaku": "アナ ルイス", "middleNames": "Lucía",
	"familyNameAtBirth": "Ruiz", "address": "Calle del Olmo 12", "streetName": "Calle del Olmo", "streetNumber": "12",
	"postalCode": "28001", "region": "Madrid", "locality": "Chamberí", "country": "ES", "houseNumberExtension": "3B",
	"birthdate": "1990-01-31", "email": "ana.ruiz@example.org", "gender": "FEMALE", "cityOfBirth": "Sevilla",
	"countryOfBirth": "ES", "nationality": "ES",
}

// valueOfRunes builds a valid value of exactly n runes, most of them
// two-byte letters, so a byte count would overshoot the limit.
func valueOfRunes(field string, n int) string {
	if field != "email" {
		return strings.Repeat("é", n)
	}
	// local@domain: a 60-rune local part, and a domain of ASCII labels.
	local := strings.Repeat("é", 60)
	rest := n - len([]rune(local)) - 1 - len(".test")
	var labels []string
	for rest > 0 {
		l := min(rest, 50)
		if rest-l == 1 { // a label of 0 characters would be left
			l--
		}
		labels = append(labels, strings.Repeat("d", l))
		rest -= l + 1
	}
	return local + "@" + strings.Join(labels, ".") + ".test"
}

// recorder is a testing.TB that keeps failures instead of reporting them,
// to test the checks themselves.
type recorder struct {
	testing.TB
	failures []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
	panic(r)
}

func (r *recorder) Helper() {}

// TestSpecOracle makes sure checkResponse fails on responses that break the
// spec, so that a validator that passes everything cannot go unnoticed.
func TestSpecOracle(t *testing.T) {
	match := func(v string) *http.Request {
		r, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/kyc-match/"+v+"/match", nil)
		return r
	}
	other, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1/nowhere", nil)
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	okHdr := hdr("Content-Type", "application/json", "x-correlator", "c-1")
	tests := []struct {
		name   string
		r      *http.Request
		status int
		h      http.Header
		body   string
		fail   bool
	}{
		{"OK/Answer", match("vwip"), 200, okHdr, `{"nameMatch":"false","nameMatchScore":87}`, false},
		{"OK/Error", match("v0.4"), 404, okHdr, `{"status":404,"code":"IDENTIFIER_NOT_FOUND","message":"m"}`, false},
		{"OK/UndocumentedStatus", match("v0.4"), 413, okHdr, `{"status":413,"code":"CONTENT_TOO_LARGE","message":"m"}`, false},
		{"OK/UnknownRoute", other, 404, okHdr, `{"status":404,"code":"NOT_FOUND","message":"m"}`, false},
		{"Fail/VerdictNotInEnum", match("vwip"), 200, okHdr, `{"nameMatch":"yes"}`, true},
		{"Fail/ScoreOf100", match("v0.4"), 200, okHdr, `{"nameMatch":"false","nameMatchScore":100}`, true},
		{"Fail/ScoreAsString", match("v0.4"), 200, okHdr, `{"nameMatch":"false","nameMatchScore":"87"}`, true},
		// The response schema does not close its members: checkKeys does.
		{"OK/ExtraMemberLeftToCheckKeys", match("v0.4"), 200, okHdr, `{"bankAccountNumberMatch":"true"}`, false},
		{"Fail/CodeNotInSpec", match("v0.4"), 404, okHdr, `{"status":404,"code":"GONE","message":"m"}`, true},
		{"Fail/IDDocumentCodeInWIP", match("vwip"), 403, okHdr, `{"status":403,"code":"KNOW_YOUR_CUSTOMER.ID_DOCUMENT_REQUIRED","message":"m"}`, true},
		{"Fail/StatusMismatch", match("vwip"), 400, okHdr, `{"status":404,"code":"INVALID_ARGUMENT","message":"m"}`, true},
		{"Fail/ExtraMember", match("vwip"), 400, okHdr, `{"status":400,"code":"INVALID_ARGUMENT","message":"m","detail":"x"}`, true},
		{"Fail/NoMessage", other, 404, okHdr, `{"status":404,"code":"NOT_FOUND"}`, true},
		{"Fail/UndocumentedSuccess", other, 200, okHdr, `{}`, true},
		{"Fail/TextPlain", match("vwip"), 200, hdr("Content-Type", "text/plain", "x-correlator", "c-1"), `{"nameMatch":"true"}`, true},
		{"Fail/NoCorrelator", match("vwip"), 200, hdr("Content-Type", "application/json"), `{"nameMatch":"true"}`, true},
		{"Fail/BadCorrelator", other, 404, hdr("Content-Type", "application/json", "x-correlator", "a b"), `{"status":404,"code":"NOT_FOUND","message":"m"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{TB: t}
			func() {
				defer func() {
					if v := recover(); v != nil && v != rec {
						panic(v)
					}
				}()
				checkResponse(rec, tt.r, tt.status, tt.h, []byte(tt.body))
			}()
			if failed := len(rec.failures) > 0; failed != tt.fail {
				t.Errorf("checkResponse failures %q, want failure %v", rec.failures, tt.fail)
			}
		})
	}
}
