package sandbox

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
)

// routes registers everything the sandbox serves beside the API.
func (sb *Sandbox) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /.well-known/openid-configuration", sb.discovery)
	mux.HandleFunc("GET /.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Write(sb.idp.JWKS())
	})
	mux.HandleFunc("POST /oauth2/token", sb.token)
	mux.HandleFunc("/oauth2/token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", http.MethodPost)
		tokenError(w, http.StatusMethodNotAllowed, "invalid_request", "The token endpoint takes POST.")
	})
	mux.HandleFunc("GET /sandbox/lines", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, sb.listing)
	})
	mux.HandleFunc("GET /{$}", page)
	mux.Handle("GET /assets/", assets())
}

// discovery is the OpenID Provider metadata (OpenID Connect Discovery 1.0,
// RFC 8414) of an authorisation server that only issues access tokens by
// client credentials.
func (sb *Sandbox) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                sb.issuer,
		"jwks_uri":                              sb.issuer + "/.well-known/jwks.json",
		"token_endpoint":                        sb.issuer + "/oauth2/token",
		"grant_types_supported":                 []string{"client_credentials"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"scopes_supported":                      offeredScopes,
		"response_types_supported":              []string{},
		"id_token_signing_alg_values_supported": []string{"ES256"},
		"subject_types_supported":               []string{"public"},
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// inProcess answers HTTP requests from a handler without a network, for
// the token verifier's discovery and JWKS requests to its own sandbox.
type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}
