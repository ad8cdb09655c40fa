package sandbox

import (
	"crypto/sha256"
	"crypto/subtle"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/kycmatch/kycmatch/api"
	"github.com/kycmatch/kycmatch/internal/devissuer"
	"github.com/kycmatch/kycmatch/normalize"
)

// offeredScopes are the scopes a client may ask for, besides the
// purpose-qualified dpv:<Purpose>#kyc-match:match. openid is there so that
// a token without the API's scope, answered 403, can be tried.
var offeredScopes = []string{api.RequiredScope, "openid"}

const (
	maxForm      = 8 << 10
	loginHintTel = "tel:"
)

// token is the token endpoint: the client credentials grant of RFC 6749
// §4.4, with the client authenticated by HTTP Basic (§2.3.1) or by form
// fields, and errors as §5.2 says.
func (sb *Sandbox) token(w http.ResponseWriter, r *http.Request) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		tokenError(w, http.StatusBadRequest, "invalid_request", "The body must be application/x-www-form-urlencoded.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request", "The form could not be read.")
		return
	}
	form := r.PostForm
	if repeated(form) {
		tokenError(w, http.StatusBadRequest, "invalid_request", "A parameter is given more than once.")
		return
	}
	client, ok, msg := sb.authenticate(r, form)
	if msg != "" {
		tokenError(w, http.StatusBadRequest, "invalid_request", msg)
		return
	}
	if !ok {
		// RFC 6749 §5.2: 401 with the scheme the client may use.
		w.Header().Set("WWW-Authenticate", `Basic realm="kycmatch sandbox", charset="UTF-8"`)
		tokenError(w, http.StatusUnauthorized, "invalid_client", "Client authentication failed.")
		return
	}
	switch gt := form.Get("grant_type"); gt {
	case "client_credentials":
	case "":
		tokenError(w, http.StatusBadRequest, "invalid_request", "grant_type is missing.")
		return
	default:
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type", "Only the client_credentials grant is supported.")
		return
	}
	scopes, ok := checkScopes(form.Get("scope"))
	if !ok {
		tokenError(w, http.StatusBadRequest, "invalid_scope", "Offered scopes: kyc-match:match, dpv:<Purpose>#kyc-match:match, openid.")
		return
	}
	phone, ok := loginHint(form.Get("login_hint"))
	if !ok {
		tokenError(w, http.StatusBadRequest, "invalid_request", "login_hint must be tel: followed by an E.164 number, e.g. tel:+34612345678.")
		return
	}
	tok, err := sb.issue(client, scopes, phone)
	if err != nil {
		sb.log.Error("sign a token", "err", err)
		tokenError(w, http.StatusInternalServerError, "server_error", "The token could not be signed.")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "Bearer",
		"expires_in": int(TokenLifetime.Seconds()), "scope": strings.Join(scopes, " ")})
}

// authenticate finds the client, by HTTP Basic or by the form's client_id
// and client_secret. msg is set when the request is malformed rather than
// the credentials wrong: both methods at once (RFC 6749 §2.3 allows one).
func (sb *Sandbox) authenticate(r *http.Request, form url.Values) (client string, ok bool, msg string) {
	id, secret, basic := r.BasicAuth()
	_, formID := form["client_id"]
	_, formSecret := form["client_secret"]
	switch {
	case basic && (formID || formSecret):
		return "", false, "Use one client authentication method, HTTP Basic or form fields, not both."
	case basic:
		// §2.3.1: id and secret are form-encoded before Basic encoding.
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return "", false, ""
		}
	default:
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	want, known := sb.clients[id]
	// Compare digests, so the time taken says nothing of the secret's length.
	a, b := sha256.Sum256([]byte(secret)), sha256.Sum256([]byte(want))
	if subtle.ConstantTimeCompare(a[:], b[:]) != 1 || !known {
		return "", false, ""
	}
	return id, true, ""
}

// repeated reports a parameter sent twice, which RFC 6749 §3.1 forbids.
func repeated(form url.Values) bool {
	for _, v := range form {
		if len(v) > 1 {
			return true
		}
	}
	return false
}

// checkScopes returns the requested scopes, api.RequiredScope when none.
func checkScopes(s string) ([]string, bool) {
	scopes := scopeList(s)
	if len(scopes) == 0 {
		return []string{api.RequiredScope}, true
	}
	for _, sc := range scopes {
		purpose, ok := strings.CutPrefix(sc, "dpv:")
		if ok {
			name, rest, found := strings.Cut(purpose, "#")
			ok = found && name != "" && rest == api.RequiredScope
		}
		if !ok && !slices.Contains(offeredScopes, sc) {
			return nil, false
		}
	}
	return scopes, true
}

func scopeList(s string) []string {
	var out []string
	for _, sc := range strings.Fields(s) {
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out
}

// loginHint reads tel:+<E.164>; "" is a two-legged token.
func loginHint(s string) (string, bool) {
	if s == "" {
		return "", true
	}
	phone, ok := strings.CutPrefix(s, loginHintTel)
	return phone, ok && normalize.IsE164(phone)
}

// issue signs a token for an authenticated client, three-legged when phone
// is set.
func (sb *Sandbox) issue(client string, scopes []string, phone string) (string, error) {
	return sb.idp.Token(devissuer.Claims{ClientID: client, Scopes: scopes, Phone: phone}, TokenLifetime)
}

func tokenError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}
