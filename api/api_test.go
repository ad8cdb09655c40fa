package api_test

// End-to-end tests of the public API: a real Badger generation ingested
// from a synthetic export, an engine.Live over it, api.NewHandler behind
// httptest, JWTs signed here with go-jose and checked against a JWKS file,
// and a local RFC 7662 introspection endpoint. Every response goes through
// server.do, which validates it against the version's OpenAPI file.

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/kycmatch/kycmatch/api"
	"github.com/kycmatch/kycmatch/api/auth"
	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/ingest"
	"github.com/kycmatch/kycmatch/internal/kyctest"
	"github.com/kycmatch/kycmatch/keys"
	"github.com/kycmatch/kycmatch/store"
)

const (
	testIssuer   = "https://idp.kycmatch.test/realms/operator"
	testAudience = "kyc-match-api"
	testClient   = "partner-app"

	lineAna     = "+34600000001" // most attributes held; no name, address, locality, middleNames
	lineOff     = "+34600000002" // eligible=false
	lineLuis    = "+34600000003" // the subscriber of the three-legged tokens
	lineNoDoc   = "+34600000004" // holds no idDocument
	lineExample = "+34629255833" // the line of the spec files' request examples
	lineUnknown = "+34699999999" // in no generation
)

// columns are the export's columns (contract §2).
var columns = []string{"phoneNumber", "idDocument", "idDocumentType", "idDocumentExpiryDate", "bankAccountNumber",
	"name", "givenName", "familyName", "nameKanaHankaku", "nameKanaZenkaku", "middleNames", "familyNameAtBirth",
	"address", "streetName", "streetNumber", "postalCode", "region", "locality", "country", "houseNumberExtension",
	"birthdate", "email", "gender", "cityOfBirth", "countryOfBirth", "nationality", "eligible"}

// testLines is the synthetic subscriber export; an absent column is a value
// the operator does not hold.
var testLines = []map[string]string{
	{
		"phoneNumber": lineAna, "idDocument": "12345678Z", "idDocumentType": "national_id_card",
		"idDocumentExpiryDate": "2031-05-17", "bankAccountNumber": "IBAN:ES9121000418450200051332",
		"givenName": "Ana María", "familyName": "Ruiz Gil", "nameKanaZenkaku": "アナ ルイス", "familyNameAtBirth": "Ruiz",
		"streetName": "Calle del Olmo", "streetNumber": "12", "postalCode": "28001", "region": "Madrid",
		"country": "ES", "houseNumberExtension": "3B", "birthdate": "1990-01-31", "email": "ana.ruiz@example.org",
		"gender": "FEMALE", "cityOfBirth": "Sevilla", "countryOfBirth": "ES", "nationality": "ES",
	},
	{"phoneNumber": lineOff, "name": "Iker Ineligible Ortiz", "birthdate": "1970-03-04", "eligible": "false"},
	{
		"phoneNumber": lineLuis, "idDocument": "X1234567L", "idDocumentType": "residence_permit",
		"name": "Luis Moreno Vidal", "givenName": "Luis", "familyName": "Moreno Vidal", "birthdate": "1985-11-02",
		"email": "luis.moreno@example.net", "gender": "MALE", "country": "ES",
	},
	{"phoneNumber": lineNoDoc, "name": "Nora Sin Documento", "birthdate": "1999-12-24", "gender": "OTHER"},
	{
		// The values of the spec files' request examples (synthetic sample
		// data of the CAMARA project).
		"phoneNumber": lineExample, "idDocument": "66666666q", "idDocumentType": "passport",
		"idDocumentExpiryDate": "2027-07-12", "bankAccountNumber": "IBAN:NL59ABNA0123456789",
		"name": "Federica Sanchez Arjona", "givenName": "Federica", "familyName": "Sanchez Arjona",
		"nameKanaZenkaku": "フェデリカ", "middleNames": "Sanchez", "address": "Tokyo-to Chiyoda-ku Iidabashi 3-10-10",
		"streetName": "Nicolas Salmeron", "streetNumber": "4", "postalCode": "1028460", "region": "Tokyo",
		"country": "JP", "birthdate": "1978-08-22", "email": "abc@example.com", "gender": "OTHER",
		"cityOfBirth": "Madrid", "countryOfBirth": "ES", "nationality": "ES",
	},
}

// exportCSV writes lines as an export with every column.
func exportCSV(tb testing.TB, lines []map[string]string) string {
	tb.Helper()
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write(columns)
	for _, l := range lines {
		row := make([]string, len(columns))
		for i, c := range columns {
			row[i] = l[c]
		}
		w.Write(row)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		tb.Fatal(err)
	}
	return b.String()
}

// env is a keyring and a real store in temporary directories.
type env struct {
	kr   *keys.Keyring
	st   *store.Store
	data string
}

func newEnv(tb testing.TB) *env {
	tb.Helper()
	e := &env{kr: kyctest.Keyring(tb), data: filepath.Join(tb.TempDir(), "data")}
	e.st = kyctest.Store(tb, e.data, e.kr, false)
	return e
}

// ingest runs a full ingest of lines, which must all load, and makes it
// current.
func (e *env) ingest(tb testing.TB, lines []map[string]string) ingest.Summary {
	tb.Helper()
	var rejects bytes.Buffer
	sum, err := ingest.Run(context.Background(), ingest.Options{
		Input: strings.NewReader(exportCSV(tb, lines)), Format: ingest.CSV,
		Keyring: e.kr, Store: e.st, TempDir: e.data, Rejects: &rejects, Workers: 2,
	})
	if err != nil || rejects.Len() > 0 {
		tb.Fatalf("ingest: %v; rejects:\n%s", err, rejects.String())
	}
	return sum
}

// live opens a hot-swapping matcher over the store, closed with the test.
func (e *env) live(tb testing.TB) *engine.Live {
	tb.Helper()
	return e.liveWithLog(tb, nil)
}

func (e *env) liveWithLog(tb testing.TB, log *slog.Logger) *engine.Live {
	tb.Helper()
	l, err := engine.NewLive(context.Background(), e.st, e.kr, log, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(l.Close)
	return l
}

// logBuffer collects a server's slog output; handlers write from many
// goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// RSA key generation is slow: the test binary makes one key.
var sharedRSA = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// idp is the identity provider of a test: signing keys published in a JWKS
// file, and an introspection endpoint for opaque tokens.
type idp struct {
	jwksPath string
	rsa      *rsa.PrivateKey
	ec       *ecdsa.PrivateKey
	ed       ed25519.PrivateKey
	verifier auth.Verifier
}

// kids names each algorithm's key in the JWKS. One RSA key serves RS256 and
// PS256: its JWK carries no "alg".
var kids = map[jose.SignatureAlgorithm]string{jose.RS256: "rsa-1", jose.PS256: "rsa-1", jose.ES256: "ec-1", jose.EdDSA: "ed-1"}

// Opaque tokens the introspection endpoint knows; any other is inactive.
const (
	opaqueActive      = "opaque-active-two-legged"
	opaqueThreeLegged = "opaque-active-three-legged"
	opaqueNoScope     = "opaque-active-no-scope"
	opaqueRevoked     = "opaque-revoked"
	introClientID     = "kycmatch-server"
	introSecret       = "synthetic-introspection-secret"
)

func newIDP(tb testing.TB) *idp {
	tb.Helper()
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	p := &idp{jwksPath: filepath.Join(tb.TempDir(), "jwks.json"), rsa: sharedRSA(), ec: ec, ed: ed}
	writeJWKS(tb, p.jwksPath,
		jose.JSONWebKey{Key: p.rsa.Public(), KeyID: "rsa-1", Use: "sig"},
		jose.JSONWebKey{Key: ec.Public(), KeyID: "ec-1", Use: "sig", Algorithm: string(jose.ES256)},
		jose.JSONWebKey{Key: ed.Public(), KeyID: "ed-1", Use: "sig", Algorithm: string(jose.EdDSA)})
	jwt, err := auth.NewJWT(context.Background(), auth.JWTConfig{JWKSFile: p.jwksPath, Issuer: testIssuer, Audience: testAudience})
	if err != nil {
		tb.Fatal(err)
	}
	intro := httptest.NewServer(http.HandlerFunc(introspect))
	tb.Cleanup(intro.Close)
	in, err := auth.NewIntrospection(auth.IntrospectionConfig{URL: intro.URL, ClientID: introClientID, ClientSecret: introSecret})
	if err != nil {
		tb.Fatal(err)
	}
	p.verifier = auth.Chain(jwt, in)
	return p
}

// introspect is an RFC 7662 endpoint: it authenticates the resource server
// and answers for the opaque tokens above.
func introspect(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if r.Method != http.MethodPost || !ok || id != introClientID || secret != introSecret {
		http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
		return
	}
	exp := time.Now().Add(5 * time.Minute).Unix()
	answer := map[string]any{"active": false}
	switch r.PostForm.Get("token") {
	case opaqueActive:
		answer = map[string]any{"active": true, "scope": "openid kyc-match:match", "client_id": "opaque-partner", "exp": exp}
	case opaqueThreeLegged:
		answer = map[string]any{"active": true, "scope": "kyc-match:match", "client_id": "opaque-partner", "exp": exp, "phone_number": lineLuis}
	case opaqueNoScope:
		answer = map[string]any{"active": true, "scope": "openid", "client_id": "opaque-partner", "exp": exp}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(answer)
}

// writeJWKS replaces a JWKS file by rename, as an operator's deployment
// would.
func writeJWKS(tb testing.TB, path string, keys ...jose.JSONWebKey) {
	tb.Helper()
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: keys})
	if err != nil {
		tb.Fatal(err)
	}
	kyctest.WriteFileAtomic(tb, path, b)
}

// claims is a valid two-legged claims set changed by over; a nil value
// removes a claim.
func claims(over map[string]any) map[string]any {
	now := time.Now()
	c := map[string]any{
		"iss": testIssuer, "aud": testAudience, "sub": "partner-app-subject", "azp": testClient,
		"scope": "openid kyc-match:match", "iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(),
	}
	for k, v := range over {
		if v == nil {
			delete(c, k)
			continue
		}
		c[k] = v
	}
	return c
}

// sign makes a compact JWS of c with the idp's key for alg.
func (p *idp) sign(tb testing.TB, alg jose.SignatureAlgorithm, c map[string]any) string {
	tb.Helper()
	var key crypto.Signer
	switch alg {
	case jose.RS256, jose.PS256:
		key = p.rsa
	case jose.ES256:
		key = p.ec
	case jose.EdDSA:
		key = p.ed
	default:
		tb.Fatalf("no key for %s", alg)
	}
	return signWith(tb, alg, jose.JSONWebKey{Key: key, KeyID: kids[alg]}, c)
}

func signWith(tb testing.TB, alg jose.SignatureAlgorithm, key any, c map[string]any) string {
	tb.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, (&jose.SignerOptions{}).WithType("at+jwt"))
	if err != nil {
		tb.Fatal(err)
	}
	payload, err := json.Marshal(c)
	if err != nil {
		tb.Fatal(err)
	}
	return kyctest.SignJWS(tb, signer, payload)
}

// token is a valid ES256 access token with claims changed by over.
func (p *idp) token(tb testing.TB, over map[string]any) string {
	tb.Helper()
	return p.sign(tb, jose.ES256, claims(over))
}

// server is the API under test.
type server struct {
	url    string
	client *http.Client
	idp    *idp
	token  string // a valid two-legged token of testClient
}

// newServer serves api.NewHandler over m with a fresh identity provider;
// mod adjusts the configuration.
func newServer(tb testing.TB, m api.Matcher, mod func(*api.Config)) *server {
	tb.Helper()
	p := newIDP(tb)
	cfg := api.Config{Matcher: m, Verifier: p.verifier}
	if mod != nil {
		mod(&cfg)
	}
	ts := httptest.NewServer(api.NewHandler(cfg))
	tb.Cleanup(ts.Close)
	client := ts.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = 32
	return &server{url: ts.URL, client: client, idp: p, token: p.token(tb, nil)}
}

// call is one request. Zero values mean: POST to the version's match route,
// Content-Type application/json, the server's two-legged token.
type call struct {
	version     string // "v0.4" or "vwip"
	method      string // default POST
	path        string // overrides /kyc-match/<version>/match
	body        string // the request body
	chunked     string // a body sent without Content-Length
	contentType string // "-" for none
	token       string // bearer token; "-" for no Authorization header
	authz       string // a raw Authorization header, overrides token
	correlator  string // the x-correlator header, if any
}

// reply is a response, already validated against the spec.
type reply struct {
	status int
	header http.Header
	body   []byte
	fields map[string]any // a 200's members
	err    api.ErrorInfo  // an error's body
}

func (s *server) do(tb testing.TB, c call) reply {
	tb.Helper()
	r, err := s.try(tb, c)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// try is do for other goroutines than the test's: it never calls FailNow,
// and returns transport errors.
func (s *server) try(tb testing.TB, c call) (reply, error) {
	tb.Helper()
	r, err := s.request(c)
	if err != nil {
		return reply{}, err
	}
	resp, err := s.client.Do(r)
	if err != nil {
		return reply{}, fmt.Errorf("%s %s: %w", r.Method, r.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, fmt.Errorf("%s %s: read body: %w", r.Method, r.URL.Path, err)
	}
	return checkReply(tb, c, r, resp, body), nil
}

func (s *server) request(c call) (*http.Request, error) {
	method, path := c.method, c.path
	if method == "" {
		method = http.MethodPost
	}
	if path == "" {
		path = "/kyc-match/" + c.version + "/match"
	}
	var body io.Reader = strings.NewReader(c.body)
	switch {
	case c.chunked != "":
		// A reader of unknown length: the client sends it chunked.
		body = io.MultiReader(strings.NewReader(c.chunked))
	case c.body == "":
		body = nil
	}
	r, err := http.NewRequest(method, s.url+path, body)
	if err != nil {
		return nil, err
	}
	switch c.contentType {
	case "":
		r.Header.Set("Content-Type", "application/json")
	case "-":
	default:
		r.Header.Set("Content-Type", c.contentType)
	}
	token := c.token
	if token == "" {
		token = s.token
	}
	switch {
	case c.authz != "":
		r.Header.Set("Authorization", c.authz)
	case token != "-":
		r.Header.Set("Authorization", "Bearer "+token)
	}
	if c.correlator != "" {
		r.Header.Set("x-correlator", c.correlator)
	}
	return r, nil
}

// checkReply validates a response against the spec and the contract's
// rules for every response: the x-correlator echoed when valid and made up
// otherwise, and no submitted value in an error message.
func checkReply(tb testing.TB, c call, r *http.Request, resp *http.Response, body []byte) reply {
	tb.Helper()
	checkResponse(tb, r, resp.StatusCode, resp.Header, body)
	got := resp.Header.Get("x-correlator")
	if c.correlator != "" && correlatorPattern().MatchString(c.correlator) && got != c.correlator {
		tb.Errorf("x-correlator %q not echoed: got %q", c.correlator, got)
	}
	if (c.correlator == "" || !correlatorPattern().MatchString(c.correlator)) && !uuidPattern.MatchString(got) {
		tb.Errorf("made-up x-correlator %q is not a UUID", got)
	}
	rep := reply{status: resp.StatusCode, header: resp.Header, body: body}
	if resp.StatusCode >= 400 {
		if err := json.Unmarshal(body, &rep.err); err != nil {
			tb.Errorf("error body: %v: %s", err, body)
		}
		for _, v := range append(submittedValues(c.body+c.chunked), c.correlator) {
			if len(strings.TrimSpace(v)) >= 2 && strings.Contains(rep.err.Message, v) {
				tb.Errorf("error message %q contains the submitted value %q", rep.err.Message, v)
			}
		}
		return rep
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&rep.fields); err != nil {
		tb.Errorf("200 body: %v: %s", err, body)
	}
	return rep
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// stringValue matches a JSON string in value position: followed by a comma,
// a closing bracket or the end, not by a colon.
var stringValue = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"\s*(?:[,}\]]|$)`)

// submittedValues extracts the string values of a request body, even a
// malformed one, except the spec's enum values (fixed vocabulary, not
// personal data, and listed in enum error messages).
func submittedValues(body string) []string {
	var out []string
	for _, m := range stringValue.FindAllStringSubmatch(body, -1) {
		var s string
		if json.Unmarshal([]byte(`"`+m[1]+`"`), &s) != nil {
			s = m[1]
		}
		if !enumValues[s] {
			out = append(out, s)
		}
	}
	return out
}

var enumValues = map[string]bool{
	"MALE": true, "FEMALE": true, "OTHER": true, "passport": true, "national_id_card": true, "residence_permit": true,
	"diplomatic_id": true, "driver_licence": true, "social_security_id": true, "other": true,
}

// jsonBody builds a request body: phoneNumber (unless "") and then the
// field/value pairs, in order.
func jsonBody(phone string, kv ...string) string {
	var b strings.Builder
	b.WriteByte('{')
	add := func(k, v string) {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		vb, _ := json.Marshal(v)
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	if phone != "" {
		add("phoneNumber", phone)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		add(kv[i], kv[i+1])
	}
	b.WriteByte('}')
	return b.String()
}

// fieldsOf returns the attribute names of a jsonBody pair list.
func fieldsOf(kv ...string) map[string]any {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// checkKeys requires exactly a <field>Match for every asked attribute, and
// a <field>MatchScore exactly for asked fields that have one in the spec and
// answered "false" (false means both sides are held), with a score 0–99.
// want, when given, are the expected verdicts.
func checkKeys(tb testing.TB, version string, asked map[string]any, r reply, want ...map[string]string) {
	tb.Helper()
	scored := scoredFields(tb, version)
	expect := map[string]bool{}
	for f := range asked {
		expect[f+"Match"] = true
		verdict, _ := r.fields[f+"Match"].(string)
		if !slices.Contains([]string{"true", "false", "not_available"}, verdict) {
			tb.Errorf("%sMatch = %v", f, r.fields[f+"Match"])
		}
		if scored[f] && verdict == "false" {
			expect[f+"MatchScore"] = true
			n, err := r.fields[f+"MatchScore"].(json.Number).Int64()
			if err != nil || n < 0 || n > 99 {
				tb.Errorf("%sMatchScore = %v, want an integer 0–99", f, r.fields[f+"MatchScore"])
			}
		}
		if len(want) > 0 && want[0][f] != "" && verdict != want[0][f] {
			tb.Errorf("%sMatch = %q, want %q", f, verdict, want[0][f])
		}
	}
	for k := range r.fields {
		if !expect[k] {
			tb.Errorf("unexpected member %s in %s", k, r.body)
		}
	}
	for k := range expect {
		if _, ok := r.fields[k]; !ok {
			tb.Errorf("missing member %s in %s", k, r.body)
		}
	}
}

var versions = []string{"v0.4", "vwip"}

func TestMatch(t *testing.T) {
	e := newEnv(t)
	e.ingest(t, testLines)
	s := newServer(t, e.live(t), nil)
	tests := []struct {
		name     string
		versions []string // nil: both
		kv       []string
		want     map[string]string
	}{
		{"OK/AllTrueAfterNormalisation", nil, []string{
			"givenName", "ANA  maria", "familyName", "ruiz-gil", "birthdate", "1990-01-31", "gender", "FEMALE",
			"country", "es", "idDocument", "12345678-z", "email", " Ana.Ruiz@EXAMPLE.org", "postalCode", "28 001",
			"streetName", "calle del olmo", "streetNumber", "12", "nameKanaZenkaku", "ｱﾅ ﾙｲｽ", "nationality", "es",
			"idDocumentType", "national_id_card", "idDocumentExpiryDate", "2031-05-17", "houseNumberExtension", "3-b",
		}, map[string]string{
			"givenName": "true", "familyName": "true", "birthdate": "true", "gender": "true", "country": "true",
			"idDocument": "true", "email": "true", "postalCode": "true", "streetName": "true", "streetNumber": "true",
			"nameKanaZenkaku": "true", "nationality": "true", "idDocumentType": "true", "idDocumentExpiryDate": "true",
			"houseNumberExtension": "true",
		}},
		{"OK/ComposedName", nil, []string{"name", "Ana María Ruiz Gil"}, map[string]string{"name": "true"}},
		{"OK/ComposedNameFamilyFirst", nil, []string{"name", "Ruiz Gil, Ana María"}, map[string]string{"name": "true"}},
		{"OK/ComposedAddress", nil, []string{"address", "Calle del Olmo 12 3B"}, map[string]string{"address": "true"}},
		{"OK/FalseScoredOnlyWhereTheSpecHasAScore", nil, []string{
			"familyName", "Ruiz Gill", "email", "ana.ruis@example.org", "cityOfBirth", "Sevila", "gender", "MALE",
			"birthdate", "1990-01-30", "idDocumentType", "passport", "nationality", "FR", "postalCode", "28002",
		}, map[string]string{
			"familyName": "false", "email": "false", "cityOfBirth": "false", "gender": "false", "birthdate": "false",
			"idDocumentType": "false", "nationality": "false", "postalCode": "false",
		}},
		{"OK/NotAvailableWithoutScore", nil, []string{"locality", "Chamberí", "middleNames", "Lucía", "nameKanaHankaku", "ｱﾅ"},
			map[string]string{"locality": "not_available", "middleNames": "not_available", "nameKanaHankaku": "not_available"}},
		{"OK/BankAccount", []string{"vwip"}, []string{"bankAccountNumber", "IBAN:ES9121000418450200051332"}, map[string]string{"bankAccountNumber": "true"}},
		{"OK/BankAccountDiffers", []string{"vwip"}, []string{"bankAccountNumber", "IBAN:ES0000000000000000000000"}, map[string]string{"bankAccountNumber": "false"}},
		// v0.4 sets no maxLength: 257 runes are a name like any other.
		{"OK/NoMaxLengthInV04", []string{"v0.4"}, []string{"name", strings.Repeat("é", 257)}, map[string]string{"name": "false"}},
	}
	for _, tt := range tests {
		for _, v := range versionsOr(tt.versions) {
			t.Run(v+"/"+tt.name, func(t *testing.T) {
				r := s.do(t, call{version: v, body: jsonBody(lineAna, tt.kv...)})
				if r.status != http.StatusOK {
					t.Fatalf("status %d: %s", r.status, r.body)
				}
				checkKeys(t, v, fieldsOf(tt.kv...), r, tt.want)
			})
		}
	}
}

// versionsOr is a table row's versions, nil meaning both.
func versionsOr(vs []string) []string {
	if vs == nil {
		return versions
	}
	return vs
}

func TestCorrelator(t *testing.T) {
	e := newEnv(t)
	e.ingest(t, testLines)
	s := newServer(t, e.live(t), nil)
	body := jsonBody(lineAna, "givenName", "Ana María")
	tests := []struct {
		name       string
		correlator string
		c          call
		status     int
	}{
		{"OK/Echoed", "b4333c46-49c0-4f62-80d7-f0ef930f1c46", call{body: body}, 200},
		{"OK/EchoedAnyPatternString", "req:42;part/<a>{b}_c.d", call{body: body}, 200},
		{"OK/MadeUpWhenAbsent", "", call{body: body}, 200},
		{"OK/Echoed256Characters", strings.Repeat("c", 256), call{body: body}, 200},
		{"OK/EchoedOnError", "error-trace-1", call{body: jsonBody(lineUnknown, "givenName", "Ana")}, 404},
		{"OK/EchoedOn401", "error-trace-2", call{body: body, token: "-"}, 401},
		{"OK/EchoedOnUnknownRoute", "error-trace-3", call{path: "/nowhere"}, 404},
		{"INVALID_ARGUMENT/Space", "bad correlator", call{body: body}, 400},
		{"INVALID_ARGUMENT/Character", "trace|1", call{body: body}, 400},
		{"INVALID_ARGUMENT/TooLong", strings.Repeat("a", 257), call{body: body}, 400},
	}
	for _, tt := range tests {
		for _, v := range versions {
			t.Run(v+"/"+tt.name, func(t *testing.T) {
				c := tt.c
				c.version, c.correlator = v, tt.correlator
				r := s.do(t, c) // checkReply checks echo and made-up correlators
				if r.status != tt.status {
					t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
				}
				if tt.status == 400 && r.err.Code != "INVALID_ARGUMENT" {
					t.Errorf("code %s", r.err.Code)
				}
			})
		}
	}
}

// TestStrictRequests covers every 400 of contract §4. spec marks the cases
// the OpenAPI schema itself refuses; the test checks that kin-openapi agrees,
// so the table cannot drift from what the spec says.
func TestStrictRequests(t *testing.T) {
	e := newEnv(t)
	e.ingest(t, testLines)
	s := newServer(t, e.live(t), nil)
	long := func(n int) string { return strings.Repeat("é", n) }
	tests := []struct {
		name     string
		versions []string
		body     string
		code     string
		spec     bool
	}{
		{"UnknownProperty", nil, `{"phoneNumber":"+34600000001","name":"Ana","nickname":"Annie"}`, "INVALID_ARGUMENT", false},
		{"UnknownPropertyOnly", nil, `{"phoneNumber":"+34600000001","surname":"Ruiz"}`, "INVALID_ARGUMENT", false},
		{"UnknownPropertyNotEchoed", nil, `{"phoneNumber":"+34600000001","Ana María Ruiz":"x"}`, "INVALID_ARGUMENT", false},
		{"BankAccountNumberUnknownInV04", []string{"v0.4"}, `{"phoneNumber":"+34600000001","bankAccountNumber":"IBAN:ES9121000418450200051332"}`, "INVALID_ARGUMENT", false},
		{"Number", nil, `{"phoneNumber":"+34600000001","streetNumber":12}`, "INVALID_ARGUMENT", true},
		{"Bool", nil, `{"phoneNumber":"+34600000001","name":true}`, "INVALID_ARGUMENT", true},
		{"Object", nil, `{"phoneNumber":"+34600000001","address":{"streetName":"Calle del Olmo"}}`, "INVALID_ARGUMENT", true},
		{"Array", nil, `{"phoneNumber":"+34600000001","name":["Ana","Ruiz"]}`, "INVALID_ARGUMENT", true},
		{"PhoneNumberAsNumber", nil, `{"phoneNumber":34600000001,"name":"Ana"}`, "INVALID_ARGUMENT", true},
		{"Null", nil, `{"phoneNumber":"+34600000001","name":null}`, "INVALID_ARGUMENT", true},
		{"NullPhoneNumber", nil, `{"phoneNumber":null,"name":"Ana"}`, "INVALID_ARGUMENT", true},
		{"EmptyBody", nil, ``, "INVALID_ARGUMENT", true},
		{"WhitespaceBody", nil, "  \n", "INVALID_ARGUMENT", true},
		{"EmptyObject", nil, `{}`, "INVALID_ARGUMENT", false},
		{"InvalidJSON", nil, `{"phoneNumber":"+34600000001","name":"Ana"`, "INVALID_ARGUMENT", true},
		{"InvalidJSONSingleQuotes", nil, `{'phoneNumber':'+34600000001','name':'Ana'}`, "INVALID_ARGUMENT", true},
		{"NotAnObject", nil, `["+34600000001","Ana"]`, "INVALID_ARGUMENT", true},
		{"StringBody", nil, `"Ana María Ruiz"`, "INVALID_ARGUMENT", true},
		{"TrailingObject", nil, `{"phoneNumber":"+34600000001","name":"Ana"}{"name":"Eve"}`, "INVALID_ARGUMENT", false},
		{"TrailingGarbage", nil, `{"phoneNumber":"+34600000001","name":"Ana"} x`, "INVALID_ARGUMENT", false},
		{"DuplicateProperty", nil, `{"phoneNumber":"+34600000001","name":"Ana","name":"Eve Other"}`, "INVALID_ARGUMENT", false},
		{"DuplicatePropertyEscaped", nil, `{"phoneNumber":"+34600000001","name":"Ana","n\u0061me":"Eve Other"}`, "INVALID_ARGUMENT", false},
		{"DuplicatePhoneNumber", nil, `{"phoneNumber":"+34600000001","phoneNumber":"+34600000003","name":"Ana"}`, "INVALID_ARGUMENT", false},
		{"InvalidUTF8", nil, "{\"phoneNumber\":\"+34600000001\",\"name\":\"An\xffa Ruiz\"}", "INVALID_ARGUMENT", false},
		{"InvalidUTF8InName", nil, "{\"phoneNumber\":\"+34600000001\",\"n\xffme\":\"Ana\"}", "INVALID_ARGUMENT", false},
		{"PhoneNumberNational", nil, `{"phoneNumber":"600000001","name":"Ana"}`, "INVALID_ARGUMENT", true},
		{"PhoneNumberDoubleZero", nil, `{"phoneNumber":"0034600000001","name":"Ana"}`, "INVALID_ARGUMENT", true},
		{"PhoneNumberSpaces", nil, `{"phoneNumber":"+34 600 000 001","name":"Ana"}`, "INVALID_ARGUMENT", true},
		{"PhoneNumberTelURI", nil, `{"phoneNumber":"tel:+34600000001","name":"Ana"}`, "INVALID_ARGUMENT", true},
		{"PhoneNumberTooLong", nil, `{"phoneNumber":"+3460000000123456","name":"Ana"}`, "INVALID_ARGUMENT", true},
		{"GenderLowerCase", nil, `{"phoneNumber":"+34600000001","gender":"male"}`, "INVALID_ARGUMENT", true},
		{"GenderLetter", nil, `{"phoneNumber":"+34600000001","gender":"F"}`, "INVALID_ARGUMENT", true},
		{"IDDocumentTypeCase", nil, `{"phoneNumber":"+34600000001","idDocumentType":"Passport"}`, "INVALID_ARGUMENT", true},
		{"IDDocumentTypeUnknown", nil, `{"phoneNumber":"+34600000001","idDocumentType":"identity_card"}`, "INVALID_ARGUMENT", true},
		{"ImpossibleDate", nil, `{"phoneNumber":"+34600000001","birthdate":"2023-02-29"}`, "INVALID_ARGUMENT", true},
		{"ImpossibleExpiryDate", nil, `{"phoneNumber":"+34600000001","idDocumentExpiryDate":"2031-04-31"}`, "INVALID_ARGUMENT", true},
		{"DateNotPadded", nil, `{"phoneNumber":"+34600000001","birthdate":"1990-1-31"}`, "INVALID_ARGUMENT", true},
		{"DateOtherFormat", nil, `{"phoneNumber":"+34600000001","birthdate":"31/01/1990"}`, "INVALID_ARGUMENT", true},
		{"DateTime", nil, `{"phoneNumber":"+34600000001","birthdate":"1990-01-31T00:00:00Z"}`, "INVALID_ARGUMENT", true},
		{"NormalisesToNothing", nil, `{"phoneNumber":"+34600000001","name":" - "}`, "INVALID_ARGUMENT", false},
		{"NormalisesToNothingPunctuation", nil, `{"phoneNumber":"+34600000001","familyName":"...","givenName":"Ana"}`, "INVALID_ARGUMENT", false},
		{"NormalisesToNothingUnknownLine", nil, `{"phoneNumber":"+34699999999","name":" - "}`, "INVALID_ARGUMENT", false},
		{"EmptyString", nil, `{"phoneNumber":"+34600000001","name":""}`, "INVALID_ARGUMENT", false},
		{"EmailWithoutAt", nil, `{"phoneNumber":"+34600000001","email":"ana.ruiz.example.org"}`, "INVALID_ARGUMENT", false},
		{"CountryNotAlpha2", []string{"vwip"}, `{"phoneNumber":"+34600000001","country":"ESP"}`, "INVALID_ARGUMENT", true},
		{"CountryDigits", []string{"vwip"}, `{"phoneNumber":"+34600000001","nationality":"E1"}`, "INVALID_ARGUMENT", true},
		{"CountryOfBirthOneLetter", []string{"vwip"}, `{"phoneNumber":"+34600000001","countryOfBirth":"E"}`, "INVALID_ARGUMENT", true},
		// v0.4 has no pattern for countries, but contract §5 normalises
		// them as ISO 3166-1 alpha-2 codes.
		{"CountryNotAlpha2", []string{"v0.4"}, `{"phoneNumber":"+34600000001","country":"Spain"}`, "INVALID_ARGUMENT", false},
		{"BankAccountNoPrefix", []string{"vwip"}, `{"phoneNumber":"+34600000001","bankAccountNumber":"ES9121000418450200051332"}`, "INVALID_ARGUMENT", true},
		{"BankAccountLowerPrefix", []string{"vwip"}, `{"phoneNumber":"+34600000001","bankAccountNumber":"iban:ES9121000418450200051332"}`, "INVALID_ARGUMENT", true},
		{"BankAccountSpaces", []string{"vwip"}, `{"phoneNumber":"+34600000001","bankAccountNumber":"IBAN:ES91 2100 0418"}`, "INVALID_ARGUMENT", true},
		{"BankAccountTooLong", []string{"vwip"}, `{"phoneNumber":"+34600000001","bankAccountNumber":"IBAN:` + strings.Repeat("1", 46) + `"}`, "INVALID_ARGUMENT", true},
		// maxLength counts code points: 256 two-byte runes pass, 257 do
		// not (TestRequestRulesFollowSpec does this for every property).
		{"NameMaxLength", []string{"vwip"}, jsonBody(lineAna, "name", long(257)), "INVALID_ARGUMENT", true},
		{"GivenNameMaxLength", []string{"vwip"}, jsonBody(lineAna, "givenName", long(101)), "INVALID_ARGUMENT", true},
		{"IDDocumentMaxLength", []string{"vwip"}, jsonBody(lineAna, "idDocument", strings.Repeat("9", 51)), "INVALID_ARGUMENT", true},
		{"OnlyPhoneNumber", nil, `{"phoneNumber":"+34600000001"}`, "KNOW_YOUR_CUSTOMER.INVALID_PARAM_COMBINATION", false},
		{"OnlyPhoneNumberUnknownLine", nil, `{"phoneNumber":"+34699999999"}`, "KNOW_YOUR_CUSTOMER.INVALID_PARAM_COMBINATION", false},
	}
	for _, tt := range tests {
		for _, v := range versionsOr(tt.versions) {
			t.Run(v+"/"+tt.code+"/"+tt.name, func(t *testing.T) {
				if tt.spec {
					if err := specRejects(t, v, []byte(tt.body)); err == nil {
						t.Fatalf("the spec accepts this body; the case is mislabelled")
					}
				}
				r := s.do(t, call{version: v, body: tt.body})
				if r.status != http.StatusBadRequest || r.err.Code != tt.code {
					t.Fatalf("got %d %s, want 400 %s", r.status, r.body, tt.code)
				}
			})
		}
	}
	// The boundary cases of the same rules are accepted.
	ok := []struct {
		name, version, body string
	}{
		{"NameMaxLength256Runes", "vwip", jsonBody(lineAna, "name", long(256))},
		{"LeapDay", "vwip", jsonBody(lineAna, "birthdate", "2024-02-29")},
		{"CountryLowerCase", "vwip", jsonBody(lineAna, "country", "es")},
		{"PhoneNumberShortest", "vwip", jsonBody("+346000", "name", "Ana")},
	}
	for _, tt := range ok {
		t.Run(tt.version+"/OK/"+tt.name, func(t *testing.T) {
			if err := specRejects(t, tt.version, []byte(tt.body)); err != nil {
				t.Fatalf("spec refuses: %v", err)
			}
			r := s.do(t, call{version: tt.version, body: tt.body})
			if r.status != http.StatusOK && r.status != http.StatusNotFound {
				t.Fatalf("got %d %s", r.status, r.body)
			}
		})
	}
}

// TestTransport covers what is refused before the body is read: size,
// media type, method and route.
func TestTransport(t *testing.T) {
	e := newEnv(t)
	e.ingest(t, testLines)
	s := newServer(t, e.live(t), nil)
	valid := jsonBody(lineAna, "givenName", "Ana María")
	// A valid body padded with JSON whitespace to exactly n bytes.
	padded := func(n int) string { return valid + strings.Repeat(" ", n-len(valid)) }
	huge := jsonBody(lineAna, "name", strings.Repeat("a", 70_000))
	tests := []struct {
		name   string
		c      call
		status int
		code   string
	}{
		{"OK/BodyOfExactly64KiB", call{body: padded(api.MaxBody)}, 200, ""},
		{"OK/BodyOfExactly64KiBChunked", call{chunked: padded(api.MaxBody)}, 200, ""},
		{"OK/ContentTypeWithCharset", call{body: valid, contentType: "application/json; charset=utf-8"}, 200, ""},
		{"OK/ContentTypeCase", call{body: valid, contentType: "Application/JSON"}, 200, ""},
		{"CONTENT_TOO_LARGE/OneByteOver", call{body: padded(api.MaxBody + 1)}, 413, "CONTENT_TOO_LARGE"},
		{"CONTENT_TOO_LARGE/WithContentLength", call{body: huge}, 413, "CONTENT_TOO_LARGE"},
		{"CONTENT_TOO_LARGE/WithoutContentLength", call{chunked: huge}, 413, "CONTENT_TOO_LARGE"},
		{"UNSUPPORTED_MEDIA_TYPE/TextPlain", call{body: valid, contentType: "text/plain"}, 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"UNSUPPORTED_MEDIA_TYPE/Missing", call{body: valid, contentType: "-"}, 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"UNSUPPORTED_MEDIA_TYPE/Form", call{body: "name=Ana", contentType: "application/x-www-form-urlencoded"}, 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"UNSUPPORTED_MEDIA_TYPE/JSONSuffix", call{body: valid, contentType: "application/merge-patch+json"}, 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"METHOD_NOT_ALLOWED/GET", call{method: http.MethodGet}, 405, "METHOD_NOT_ALLOWED"},
		{"METHOD_NOT_ALLOWED/PUT", call{method: http.MethodPut, body: valid}, 405, "METHOD_NOT_ALLOWED"},
		{"METHOD_NOT_ALLOWED/DELETE", call{method: http.MethodDelete}, 405, "METHOD_NOT_ALLOWED"},
		{"METHOD_NOT_ALLOWED/GETWithoutToken", call{method: http.MethodGet, token: "-"}, 405, "METHOD_NOT_ALLOWED"},
		{"NOT_FOUND/Root", call{path: "/", method: http.MethodGet}, 404, "NOT_FOUND"},
		{"NOT_FOUND/OtherVersion", call{path: "/kyc-match/v0.3/match", body: valid}, 404, "NOT_FOUND"},
		{"NOT_FOUND/OtherOperation", call{path: "/kyc-match/v0.4/matches", body: valid}, 404, "NOT_FOUND"},
		{"NOT_FOUND/TrailingSlash", call{path: "/kyc-match/vwip/match/", body: valid}, 404, "NOT_FOUND"},
		{"NOT_FOUND/Metrics", call{path: "/metrics", method: http.MethodGet}, 404, "NOT_FOUND"},
		{"NOT_FOUND/Healthz", call{path: "/healthz", method: http.MethodGet}, 404, "NOT_FOUND"},
		{"NOT_FOUND/WithoutToken", call{path: "/kyc-match/v1/match", body: valid, token: "-"}, 404, "NOT_FOUND"},
	}
	for _, tt := range tests {
		for _, v := range versions {
			t.Run(v+"/"+tt.name, func(t *testing.T) {
				c := tt.c
				c.version = v
				r := s.do(t, c)
				if r.status != tt.status || r.err.Code != tt.code {
					t.Fatalf("got %d %s, want %d %s", r.status, r.body, tt.status, tt.code)
				}
				if r.status == http.StatusMethodNotAllowed && r.header.Get("Allow") != http.MethodPost {
					// RFC 9110 §15.5.6: a 405 MUST list the allowed methods.
					t.Errorf("405 without Allow: POST (got %q)", r.header.Get("Allow"))
				}
			})
		}
	}
}

// TestLineErrors covers the answers that depend on the line: unknown,
// not eligible, and no line named at all.
func TestLineErrors(t *testing.T) {
	e := newEnv(t)
	e.ingest(t, testLines)
	s := newServer(t, e.live(t), nil)
	tests := []struct {
		name   string
		body   string
		status int
		code   string
	}{
		{"IDENTIFIER_NOT_FOUND/UnknownLine", jsonBody(lineUnknown, "name", "Ana María Ruiz Gil"), 404, "IDENTIFIER_NOT_FOUND"},
		{"SERVICE_NOT_APPLICABLE/IneligibleLine", jsonBody(lineOff, "name", "Iker Ineligible Ortiz"), 422, "SERVICE_NOT_APPLICABLE"},
		{"MISSING_IDENTIFIER/TwoLeggedWithoutPhone", jsonBody("", "name", "Ana María Ruiz Gil"), 422, "MISSING_IDENTIFIER"},
	}
	for _, tt := range tests {
		for _, v := range versions {
			t.Run(v+"/"+tt.name, func(t *testing.T) {
				r := s.do(t, call{version: v, body: tt.body})
				if r.status != tt.status || r.err.Code != tt.code {
					t.Fatalf("got %d %s, want %d %s", r.status, r.body, tt.status, tt.code)
				}
			})
		}
	}
}

// TestRequireIDDocument is the v0.4 operator option: idDocument must be sent
// and match before anything else is compared. vwip ignores the option.
func TestRequireIDDocument(t *testing.T) {
	e := newEnv(t)
	e.ingest(t, testLines)
	s := newServer(t, e.live(t), func(c *api.Config) { c.RequireIDDocument = true })
	tests := []struct {
		name    string
		version string
		kv      []string
		phone   string
		status  int
		code    string
		want    map[string]string
	}{
		{"ID_DOCUMENT_REQUIRED/NoIDDocument", "v0.4", []string{"name", "Ana María Ruiz Gil"}, lineAna, 403, "KNOW_YOUR_CUSTOMER.ID_DOCUMENT_REQUIRED", nil},
		{"ID_DOCUMENT_MISMATCH/OtherIDDocument", "v0.4", []string{"idDocument", "87654321X", "givenName", "Ana María"}, lineAna, 403, "KNOW_YOUR_CUSTOMER.ID_DOCUMENT_MISMATCH", nil},
		{"ID_DOCUMENT_MISMATCH/LineHoldsNone", "v0.4", []string{"idDocument", "12345678Z", "name", "Nora Sin Documento"}, lineNoDoc, 403, "KNOW_YOUR_CUSTOMER.ID_DOCUMENT_MISMATCH", nil},
		{"IDENTIFIER_NOT_FOUND/UnknownLineFirst", "v0.4", []string{"name", "Ana"}, lineUnknown, 404, "IDENTIFIER_NOT_FOUND", nil},
		{"OK/IDDocumentMatches", "v0.4", []string{"idDocument", "12345678-z", "givenName", "Ana María", "familyName", "Ruiz"}, lineAna, 200, "",
			map[string]string{"idDocument": "true", "givenName": "true", "familyName": "false"}},
		{"OK/WIPIgnoresOptionWithoutIDDocument", "vwip", []string{"name", "Ana María Ruiz Gil"}, lineAna, 200, "", map[string]string{"name": "true"}},
		{"OK/WIPIgnoresOptionOnMismatch", "vwip", []string{"idDocument", "87654321X", "givenName", "Ana María"}, lineAna, 200, "",
			map[string]string{"idDocument": "false", "givenName": "true"}},
	}
	for _, tt := range tests {
		t.Run(tt.version+"/"+tt.name, func(t *testing.T) {
			r := s.do(t, call{version: tt.version, body: jsonBody(tt.phone, tt.kv...)})
			if r.status != tt.status || r.err.Code != tt.code {
				t.Fatalf("got %d %s, want %d %s", r.status, r.body, tt.status, tt.code)
			}
			if r.status == 200 {
				checkKeys(t, tt.version, fieldsOf(tt.kv...), r, tt.want)
			}
		})
	}
}

func TestRateLimit(t *testing.T) {
	e := newEnv(t)
	e.ingest(t, testLines)
	const limit = 2
	s := newServer(t, e.live(t), func(c *api.Config) { c.RateLimit = limit })
	body := jsonBody(lineAna, "givenName", "Ana María")
	for _, v := range versions {
		t.Run(v+"/TOO_MANY_REQUESTS/PerClient", func(t *testing.T) {
			// A fresh client per version: the limiter's windows are per client.
			a := s.idp.token(t, map[string]any{"azp": "partner-a-" + v})
			b := s.idp.token(t, map[string]any{"azp": "partner-b-" + v})
			var statuses []int
			var limited reply
			for i := 0; i < limit+3 && limited.status == 0; i++ {
				r := s.do(t, call{version: v, body: body, token: a})
				statuses = append(statuses, r.status)
				if r.status == http.StatusTooManyRequests {
					limited = r
				}
			}
			if limited.status == 0 || !slices.Equal(statuses[:limit], []int{200, 200}) {
				t.Fatalf("statuses %v: want %d × 200, then 429", statuses, limit)
			}
			if limited.err.Code != "TOO_MANY_REQUESTS" {
				t.Errorf("429 code %q", limited.err.Code)
			}
			if n, err := strconv.Atoi(limited.header.Get("Retry-After")); err != nil || n <= 0 {
				t.Errorf("Retry-After %q, want a positive number of seconds", limited.header.Get("Retry-After"))
			}
			if r := s.do(t, call{version: v, body: body, token: b}); r.status != http.StatusOK {
				t.Errorf("another client is limited too: %d %s", r.status, r.body)
			}
		})
	}
}

// TestNoGeneration: before any ingest the API answers 503 in the CAMARA
// shape, and the first generation is picked up without a restart.
func TestNoGeneration(t *testing.T) {
	e := newEnv(t)
	live := e.live(t)
	s := newServer(t, live, nil)
	body := jsonBody(lineAna, "givenName", "Ana María")
	for _, v := range versions {
		t.Run(v+"/UNAVAILABLE/BeforeFirstIngest", func(t *testing.T) {
			r := s.do(t, call{version: v, body: body})
			if r.status != http.StatusServiceUnavailable || r.err.Code != "UNAVAILABLE" {
				t.Fatalf("got %d %s, want 503 UNAVAILABLE", r.status, r.body)
			}
		})
	}
	e.ingest(t, testLines)
	if err := live.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, v := range versions {
		t.Run(v+"/OK/AfterFirstIngest", func(t *testing.T) {
			r := s.do(t, call{version: v, body: body})
			if r.status != http.StatusOK {
				t.Fatalf("got %d %s", r.status, r.body)
			}
			checkKeys(t, v, fieldsOf("givenName", ""), r, map[string]string{"givenName": "true"})
		})
	}
}

func TestAuthentication(t *testing.T) {
	e := newEnv(t)
	e.ingest(t, testLines)
	s := newServer(t, e.live(t), nil)
	p := s.idp
	now := time.Now()
	otherEC, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(p.rsa.Public())
	if err != nil {
		t.Fatal(err)
	}
	rsaPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	b64 := func(v any) string { b, _ := json.Marshal(v); return base64.RawURLEncoding.EncodeToString(b) }
	badSig := func(tok string) string {
		parts := strings.Split(tok, ".")
		sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
		sig[len(sig)/2] ^= 0x01
		return parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig)
	}
	tests := []struct {
		name   string
		token  string
		authz  string
		status int
		code   string
	}{
		{"OK/RS256", p.sign(t, jose.RS256, claims(nil)), "", 200, ""},
		{"OK/PS256", p.sign(t, jose.PS256, claims(nil)), "", 200, ""},
		{"OK/ES256", p.sign(t, jose.ES256, claims(nil)), "", 200, ""},
		{"OK/EdDSA", p.sign(t, jose.EdDSA, claims(nil)), "", 200, ""},
		{"OK/PurposeQualifiedScope", p.token(t, map[string]any{"scope": "dpv:FraudPreventionAndDetection#kyc-match:match"}), "", 200, ""},
		{"OK/AudienceList", p.token(t, map[string]any{"aud": []string{"other-api", testAudience}}), "", 200, ""},
		{"OK/ClockSkewWithinLeeway", p.token(t, map[string]any{"iat": now.Add(30 * time.Second).Unix()}), "", 200, ""},
		{"OK/LowerCaseScheme", "", "bearer " + p.token(t, nil), 200, ""},
		{"OK/OpaqueActive", opaqueActive, "", 200, ""},
		{"UNAUTHENTICATED/Expired", p.token(t, map[string]any{"iat": now.Add(-2 * time.Hour).Unix(), "exp": now.Add(-time.Hour).Unix()}), "", 401, "UNAUTHENTICATED"},
		{"UNAUTHENTICATED/NotYetValid", p.token(t, map[string]any{"nbf": now.Add(time.Hour).Unix()}), "", 401, "UNAUTHENTICATED"},
		{"UNAUTHENTICATED/IssuedInTheFuture", p.token(t, map[string]any{"iat": now.Add(3 * time.Minute).Unix()}), "", 401, "UNAUTHENTICATED"},
		{"UNAUTHENTICATED/BadSignature", badSig(p.token(t, nil)), "", 401, "UNAUTHENTICATED"},
		{"UNAUTHENTICATED/SignedByAnotherKeyWithTheSameKid", signWith(t, jose.ES256, jose.JSONWebKey{Key: otherEC, KeyID: "ec-1"}, claims(nil)), "", 401, "UNAUTHENTICATED"},
		{"UNAUTHENTICATED/UnknownKid", signWith(t, jose.ES256, jose.JSONWebKey{Key: otherEC, KeyID: "ec-unknown"}, claims(nil)), "", 401, "UNAUTHENTICATED"},
		{"UNAUTHENTICATED/AlgNone", b64(map[string]string{"alg": "none", "typ": "at+jwt"}) + "." + b64(claims(nil)) + ".", "", 401, "UNAUTHENTICATED"},
		{"UNAUTHENTICATED/AlgNoneWithSignature", b64(map[string]string{"alg": "none", "kid": "rsa-1"}) + "." + b64(claims(nil)) + ".c2ln", "", 401, "UNAUTHENTICATED"},
		{"UNAUTHENTICATED/HS256WithRSAPublicKey", signWith(t, jose.HS256, jose.JSONWebKey{Key: rsaPEM, KeyID: "rsa-1"}, claims(nil)), "", 401, "UNAUTHENTICATED"},
		{"UNAUTHENTICATED/HS256WithRSAPublicKeyDER", signWith(t, jose.HS256, jose.JSONWebKey{Key: pubDER, KeyID: "rsa-1"}, claims(nil)), "", 401, "UNAUTHENTICATED"},
		{"UNAUTHENTICATED/WrongIssuer", p.token(t, map[string]any{"iss": "https://evil.example.test"}), "", 401, "UNAUTHENTICATED"},
		{"UNAUTHENTICATED/WrongAudience", p.token(t, map[string]any{"aud": "another-api"}), "", 401, "UNAUTHENTICATED"},
		{"UNAUTHENTICATED/MissingExp", p.token(t, map[string]any{"exp": nil}), "", 401, "UNAUTHENTICATED"},
		{"UNAUTHENTICATED/PhoneClaimNotE164", p.token(t, map[string]any{"phone_number": "0034600000003"}), "", 401, "UNAUTHENTICATED"},
		{"UNAUTHENTICATED/OpaqueInactive", opaqueRevoked, "", 401, "UNAUTHENTICATED"},
		{"UNAUTHENTICATED/OpaqueUnknown", "opaque-never-issued", "", 401, "UNAUTHENTICATED"},
		{"UNAUTHENTICATED/NoAuthorization", "-", "", 401, "UNAUTHENTICATED"},
		{"UNAUTHENTICATED/BasicScheme", "", "Basic cGFydG5lcjpzZWNyZXQ=", 401, "UNAUTHENTICATED"},
		{"UNAUTHENTICATED/EmptyBearer", "", "Bearer", 401, "UNAUTHENTICATED"},
		{"UNAUTHENTICATED/TwoTokens", "", "Bearer " + opaqueActive + " " + opaqueActive, 401, "UNAUTHENTICATED"},
		{"PERMISSION_DENIED/NoScope", p.token(t, map[string]any{"scope": nil}), "", 403, "PERMISSION_DENIED"},
		{"PERMISSION_DENIED/OtherScopes", p.token(t, map[string]any{"scope": "openid kyc-match:read"}), "", 403, "PERMISSION_DENIED"},
		{"PERMISSION_DENIED/ScopeSuffix", p.token(t, map[string]any{"scope": "kyc-match:matchall"}), "", 403, "PERMISSION_DENIED"},
		{"PERMISSION_DENIED/OpaqueWithoutScope", opaqueNoScope, "", 403, "PERMISSION_DENIED"},
	}
	body := jsonBody(lineAna, "givenName", "Ana María")
	var first401 []byte
	for _, tt := range tests {
		for _, v := range versions {
			t.Run(v+"/"+tt.name, func(t *testing.T) {
				r := s.do(t, call{version: v, body: body, token: tt.token, authz: tt.authz})
				if r.status != tt.status || r.err.Code != tt.code {
					t.Fatalf("got %d %s, want %d %s", r.status, r.body, tt.status, tt.code)
				}
				if r.status == 401 || r.status == 403 {
					if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
						t.Errorf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
					}
				}
				if r.status != 401 {
					return
				}
				// One body for every reason: nothing tells a forger which
				// check the token passed.
				if first401 == nil {
					first401 = r.body
				} else if !bytes.Equal(r.body, first401) {
					t.Errorf("401 body %s differs from %s", r.body, first401)
				}
			})
		}
	}
}

// TestThreeLegged: a token naming a subscriber decides the line; a body
// phoneNumber must be the same line.
func TestThreeLegged(t *testing.T) {
	e := newEnv(t)
	e.ingest(t, testLines)
	s := newServer(t, e.live(t), nil)
	tokens := map[string]string{
		"E164":    s.idp.token(t, map[string]any{"phone_number": lineLuis}),
		"TelURI":  s.idp.token(t, map[string]any{"phone_number": "tel:+34-600-000-003"}),
		"Opaque":  opaqueThreeLegged,
		"Unknown": s.idp.token(t, map[string]any{"phone_number": lineUnknown}),
	}
	tests := []struct {
		name   string
		token  string
		phone  string
		status int
		code   string
	}{
		{"OK/NoPhoneAnsweredForTheTokensLine", "E164", "", 200, ""},
		{"OK/SamePhone", "E164", lineLuis, 200, ""},
		{"INVALID_TOKEN_CONTEXT/OtherPhone", "E164", lineAna, 403, "INVALID_TOKEN_CONTEXT"},
		{"INVALID_TOKEN_CONTEXT/OtherPhoneNotInData", "E164", lineUnknown, 403, "INVALID_TOKEN_CONTEXT"},
		{"OK/TelURINoPhone", "TelURI", "", 200, ""},
		{"OK/TelURISamePhone", "TelURI", lineLuis, 200, ""},
		{"INVALID_TOKEN_CONTEXT/TelURIOtherPhone", "TelURI", lineAna, 403, "INVALID_TOKEN_CONTEXT"},
		{"OK/OpaqueNoPhone", "Opaque", "", 200, ""},
		{"INVALID_TOKEN_CONTEXT/OpaqueOtherPhone", "Opaque", lineAna, 403, "INVALID_TOKEN_CONTEXT"},
		{"IDENTIFIER_NOT_FOUND/TokensLineUnknown", "Unknown", "", 404, "IDENTIFIER_NOT_FOUND"},
	}
	kv := []string{"name", "Luis Moreno Vidal", "birthdate", "1985-11-02"}
	for _, tt := range tests {
		for _, v := range versions {
			t.Run(v+"/"+tt.name, func(t *testing.T) {
				r := s.do(t, call{version: v, body: jsonBody(tt.phone, kv...), token: tokens[tt.token]})
				if r.status != tt.status || r.err.Code != tt.code {
					t.Fatalf("got %d %s, want %d %s", r.status, r.body, tt.status, tt.code)
				}
				if r.status == 200 {
					// Luis's values: the answer is for the token's line.
					checkKeys(t, v, fieldsOf(kv...), r, map[string]string{"name": "true", "birthdate": "true"})
				}
			})
		}
	}
}

// TestJWKSRotation rotates the signing key in the JWKS file while the server
// runs: the new key's tokens are accepted, and once the old key is removed
// its tokens (even ones verified and cached before) are refused.
func TestJWKSRotation(t *testing.T) {
	e := newEnv(t)
	e.ingest(t, testLines)
	oldKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	newKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pub := func(k *ecdsa.PrivateKey, kid string) jose.JSONWebKey {
		return jose.JSONWebKey{Key: k.Public(), KeyID: kid, Use: "sig", Algorithm: string(jose.ES256)}
	}
	path := filepath.Join(t.TempDir(), "jwks.json")
	writeJWKS(t, path, pub(oldKey, "2025-old"))
	jwt, err := auth.NewJWT(context.Background(), auth.JWTConfig{JWKSFile: path, Issuer: testIssuer, Audience: testAudience})
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, e.live(t), func(c *api.Config) { c.Verifier = jwt })
	oldTok := signWith(t, jose.ES256, jose.JSONWebKey{Key: oldKey, KeyID: "2025-old"}, claims(nil))
	newTok := signWith(t, jose.ES256, jose.JSONWebKey{Key: newKey, KeyID: "2026-new"}, claims(nil))
	body := jsonBody(lineAna, "givenName", "Ana María")
	status := func(tok string) int { return s.do(t, call{version: "vwip", body: body, token: tok}).status }

	if got := status(oldTok); got != 200 {
		t.Fatalf("old key before rotation: %d", got)
	}
	if got := status(newTok); got != 401 {
		t.Fatalf("new key before it is published: %d", got)
	}
	// Publish the new key beside the old one, then remove the old one.
	writeJWKS(t, path, pub(oldKey, "2025-old"), pub(newKey, "2026-new"))
	waitFor(t, 5*time.Second, "new key accepted", func() bool { return status(newTok) == 200 })
	if got := status(oldTok); got != 200 {
		t.Fatalf("old key during the overlap: %d", got)
	}
	writeJWKS(t, path, pub(newKey, "2026-new"))
	waitFor(t, 5*time.Second, "old key refused", func() bool { return status(oldTok) == 401 })
	fresh := signWith(t, jose.ES256, jose.JSONWebKey{Key: oldKey, KeyID: "2025-old"}, claims(map[string]any{"jti": "fresh"}))
	if got := status(fresh); got != 401 {
		t.Errorf("a fresh token of the removed key: %d", got)
	}
	if got := status(newTok); got != 200 {
		t.Errorf("new key after rotation: %d", got)
	}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(tb testing.TB, d time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("%s: not within %s", what, d)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestLogs runs a mixed session against a server logging at debug level and
// reads every line it wrote: no submitted value may appear, and every
// request that reached the match handler left exactly one audit line
// naming the client, the correlator and, for an answer, each attribute's
// result as the partner got it. The audit lines go through the Logger, or
// through the Audit writer that serve uses, into the same log.
func TestLogs(t *testing.T) {
	t.Run("Logger", func(t *testing.T) { testLogs(t, false) })
	t.Run("Audit", func(t *testing.T) { testLogs(t, true) })
}

func testLogs(t *testing.T, auditWriter bool) {
	var logs logBuffer
	e := newEnv(t)
	e.ingest(t, testLines)
	s := newServer(t, e.liveWithLog(t, logs.logger()), func(c *api.Config) {
		c.Logger = logs.logger()
		if auditWriter {
			c.Audit = &logs
		}
	})
	threeLegged := s.idp.token(t, map[string]any{"phone_number": lineLuis})
	type sent struct {
		c     call
		audit bool // reaches the match handler
		r     reply
	}
	calls := []*sent{
		{c: call{version: "v0.4", body: jsonBody(lineAna, "givenName", "Ana María", "familyName", "Ruiz Gill", "birthdate", "1990-01-31", "email", "ana.ruiz@example.org", "locality", "Chamberí")}, audit: true},
		{c: call{version: "vwip", body: jsonBody(lineAna, "name", "Ana María Ruiz Gil", "bankAccountNumber", "IBAN:ES9121000418450200051332", "idDocument", "12345678Z")}, audit: true},
		{c: call{version: "vwip", body: jsonBody("", "name", "Luis Moreno Vidal", "email", "luis.moreno@example.net"), token: threeLegged}, audit: true},
		{c: call{version: "vwip", body: jsonBody(lineAna, "name", "Luis Moreno Vidal"), token: threeLegged}, audit: true},
		{c: call{version: "v0.4", body: jsonBody(lineUnknown, "name", "Zacarías Desconocido")}, audit: true},
		{c: call{version: "v0.4", body: jsonBody(lineOff, "name", "Iker Ineligible Ortiz")}, audit: true},
		{c: call{version: "vwip", body: jsonBody(lineAna, "birthdate", "1961-02-29")}, audit: true},
		{c: call{version: "vwip", body: jsonBody(lineAna, "gender", "female", "givenName", "Anabel Secreta")}, audit: true},
		{c: call{version: "vwip", body: `{"phoneNumber":"+34600000001","nickname":"Anita Secreta"}`}, audit: true},
		{c: call{version: "vwip", body: jsonBody(lineAna, "name", "Ana María Ruiz Gil"), token: "-"}},
		{c: call{version: "vwip", body: jsonBody(lineAna, "name", "Ana María Ruiz Gil"), token: s.idp.token(t, map[string]any{"exp": time.Now().Add(-time.Hour).Unix()})}},
		{c: call{version: "vwip", body: jsonBody(lineAna, "name", "Ana María Ruiz Gil"), token: opaqueRevoked}},
		{c: call{version: "v0.4", body: jsonBody(lineAna, "name", "Ana María Ruiz Gil"), token: opaqueActive}, audit: true},
		{c: call{version: "vwip", body: jsonBody(lineAna, "name", "Ana María Ruiz Gil"), token: s.idp.token(t, map[string]any{"scope": "openid"})}},
		{c: call{version: "vwip", body: jsonBody(lineAna, "name", "Ana María Ruiz Gil"), contentType: "text/plain"}},
	}
	for i, sc := range calls {
		sc.c.correlator = fmt.Sprintf("log-test-%02d", i)
		sc.r = s.do(t, sc.c)
	}
	type line map[string]any
	var lines []line
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m line
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", l)
		}
		lines = append(lines, m)
	}
	all := logs.String()
	for _, sc := range calls {
		// Tokens are credentials: not even a part of one may be logged.
		tok := sc.c.token
		if tok == "" {
			tok = s.token
		}
		for _, part := range strings.Split(tok, ".") {
			if len(part) >= 8 && strings.Contains(all, part) {
				t.Errorf("the log contains a part of a bearer token: %q", part)
			}
		}
		for _, v := range append(submittedValues(sc.c.body), lineAna, lineLuis, lineUnknown, lineOff) {
			if len(v) >= 4 && strings.Contains(all, v) {
				t.Errorf("the log contains the submitted value %q", v)
			}
			if b, _ := json.Marshal(v); len(v) >= 4 && strings.Contains(all, strings.Trim(string(b), `"`)) {
				t.Errorf("the log contains the submitted value %q, JSON-escaped", v)
			}
		}
	}
	for _, sc := range calls {
		var audits []line
		for _, l := range lines {
			if l["msg"] == "match" && l["correlator"] == sc.c.correlator {
				audits = append(audits, l)
			}
		}
		if !sc.audit {
			if len(audits) != 0 {
				t.Errorf("%s: audit line for a request refused before matching: %v", sc.c.correlator, audits)
			}
			continue
		}
		if len(audits) != 1 {
			t.Errorf("%s: %d audit lines, want 1", sc.c.correlator, len(audits))
			continue
		}
		a := audits[0]
		wantClient := testClient
		if sc.c.token == opaqueActive {
			wantClient = "opaque-partner"
		}
		if a["client"] != wantClient || a["api"] != sc.c.version || a["level"] != "INFO" {
			t.Errorf("%s: audit line %v: want client %s, api %s, level INFO", sc.c.correlator, a, wantClient, sc.c.version)
		}
		if a["status"] != float64(sc.r.status) {
			t.Errorf("%s: audit status %v, response %d", sc.c.correlator, a["status"], sc.r.status)
		}
		if ms, ok := a["latency_ms"].(float64); !ok || ms < 0 {
			t.Errorf("%s: audit latency_ms %v", sc.c.correlator, a["latency_ms"])
		}
		if sc.r.status != 200 {
			if a["outcome"] != sc.r.err.Code {
				t.Errorf("%s: audit outcome %v, response code %s", sc.c.correlator, a["outcome"], sc.r.err.Code)
			}
			continue
		}
		if a["outcome"] != "OK" {
			t.Errorf("%s: audit outcome %v for a 200", sc.c.correlator, a["outcome"])
		}
		if g, _ := a["generation"].(string); len(g) != 8 {
			t.Errorf("%s: audit generation %v", sc.c.correlator, a["generation"])
		}
		// One group per asked attribute: {"verdict":"false","score":87}.
		results := map[string]string{}
		group, _ := a["results"].(map[string]any)
		for k, v := range group {
			g, _ := v.(map[string]any)
			results[k] = fmt.Sprint(g["verdict"])
			if score, ok := g["score"]; ok {
				results[k] += "/" + fmt.Sprint(score)
			}
		}
		want := map[string]string{}
		for k, v := range sc.r.fields {
			f, ok := strings.CutSuffix(k, "Match")
			if !ok {
				continue
			}
			w := v.(string)
			if score, ok := sc.r.fields[f+"MatchScore"]; ok {
				w += "/" + score.(json.Number).String()
			}
			want[f] = w
		}
		if fmt.Sprint(results) != fmt.Sprint(want) {
			t.Errorf("%s: audit results %v, the partner got %v", sc.c.correlator, results, want)
		}
	}
	// Every request also has one debug line with its route and status.
	for _, sc := range calls {
		n := 0
		for _, l := range lines {
			if l["msg"] == "request" && l["correlator"] == sc.c.correlator {
				n++
				if l["status"] != float64(sc.r.status) {
					t.Errorf("%s: request line status %v, response %d", sc.c.correlator, l["status"], sc.r.status)
				}
			}
		}
		if n != 1 {
			t.Errorf("%s: %d request lines, want 1", sc.c.correlator, n)
		}
	}
}
