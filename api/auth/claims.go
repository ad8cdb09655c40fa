package auth

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/kycmatch/kycmatch/normalize"
)

// claims is a JWT claims set or an introspection answer, kept as raw JSON
// per member. A map rather than a struct because encoding/json matches struct
// fields case-insensitively ("ISS" would fill iss), and because the subject
// claim's name is configurable.
type claims map[string]json.RawMessage

// parseClaims decodes a JSON object. Its errors are never returned to callers
// as causes: encoding/json messages can quote input bytes.
func parseClaims(b []byte) (claims, bool) {
	var c claims
	if err := json.Unmarshal(b, &c); err != nil || c == nil {
		return nil, false
	}
	return c, true
}

var jsonNull = []byte("null")

// has reports whether the claim is present with a non-null value. A null is
// treated as absent for optional string claims, as most JWT libraries do.
func (c claims) has(name string) bool {
	raw, ok := c[name]
	return ok && !bytes.Equal(raw, jsonNull)
}

// str returns a string claim; ok is false when it is present but not a string.
func (c claims) str(name string) (s string, ok bool) {
	if !c.has(name) {
		return "", true
	}
	if json.Unmarshal(c[name], &s) != nil {
		return "", false
	}
	return s, true
}

// registered decodes the registered claims that the standard validation
// needs. exp, nbf and iat must be numbers and aud a string or an array of
// strings; anything else is malformed rather than ignored.
func (c claims) registered() (jwt.Claims, bool) {
	var r jwt.Claims
	var ok bool
	if r.Issuer, ok = c.str("iss"); !ok {
		return r, false
	}
	if c.has("aud") && json.Unmarshal(c["aud"], &r.Audience) != nil {
		return r, false
	}
	if r.Expiry, ok = c.date("exp"); !ok {
		return r, false
	}
	if r.NotBefore, ok = c.date("nbf"); !ok {
		return r, false
	}
	if r.IssuedAt, ok = c.date("iat"); !ok {
		return r, false
	}
	return r, true
}

// date returns a NumericDate claim, nil when absent. jwt.NumericDate refuses
// values so large that converting them to a time would wrap around.
func (c claims) date(name string) (*jwt.NumericDate, bool) {
	if !c.has(name) {
		return nil, true
	}
	d := new(jwt.NumericDate)
	if json.Unmarshal(c[name], d) != nil {
		return nil, false
	}
	return d, true
}

// scopes returns the granted scopes: the space-separated "scope" claim
// (RFC 8693, RFC 9068, RFC 7662) together with "scp", which several identity
// providers send instead, as an array or a space-separated string. Both
// forms are accepted in both claims, so an IdP's choice never matters.
func (c claims) scopes() ([]string, bool) {
	var out []string
	for _, name := range [...]string{"scope", "scp"} {
		if !c.has(name) {
			continue
		}
		raw := c[name]
		if raw[0] == '"' {
			var s string
			if json.Unmarshal(raw, &s) != nil {
				return nil, false
			}
			out = append(out, strings.Fields(s)...)
			continue
		}
		var list []string
		if json.Unmarshal(raw, &list) != nil {
			return nil, false
		}
		out = append(out, list...)
	}
	return out, true
}

// clientID picks the client identity used for rate limiting and audit, in
// the order the contract fixes: azp, client_id, sub. sub is skipped for a
// three-legged token: there it names the end user (often the subscriber
// line itself), and the client id goes into every audit line and rate-limit
// key. In a two-legged (client-credentials) token sub is the client.
func (c claims) clientID(threeLegged bool) (string, bool) {
	names := [...]string{"azp", "client_id", "sub"}
	use := names[:]
	if threeLegged {
		use = names[:2]
	}
	for _, name := range use {
		s, ok := c.str(name)
		if !ok {
			return "", false
		}
		if s != "" {
			return s, true
		}
	}
	return "", true
}

// phone returns the subscriber of a three-legged token in E.164 form, "" when
// the claim is absent (a two-legged token). A claim that is present but is
// not a phone number, JSON null included, is an error: treating it as absent
// would turn a three-legged token into a two-legged one, which may name any
// line in the request body.
func (c claims) phone(name string) (string, bool) {
	raw, present := c[name]
	if !present {
		return "", true
	}
	var s string
	if json.Unmarshal(raw, &s) != nil || bytes.Equal(raw, jsonNull) {
		return "", false
	}
	return normalisePhone(s)
}

// normalisePhone accepts an E.164 number ("+34612345678") or a global tel:
// URI (RFC 3966) holding one, whose visual separators "-", ".", "(" and ")"
// are dropped. Separators are tolerated only inside tel: URIs, because a bare
// phone_number claim is specified as E.164 and anything else there signals a
// misconfigured identity provider. URI parameters (";ext=", ";isub=") are not
// accepted: they would name something other than the line itself.
func normalisePhone(s string) (string, bool) {
	if len(s) >= 4 && strings.EqualFold(s[:4], "tel:") {
		s = strings.Map(func(r rune) rune {
			switch r {
			case '-', '.', '(', ')':
				return -1
			}
			return r
		}, s[4:])
	}
	if !normalize.IsE164(s) {
		return "", false
	}
	return s, true
}
