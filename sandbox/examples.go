package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/kycmatch/kycmatch/api"
	"github.com/kycmatch/kycmatch/engine"
)

// absentValues are valid values for attributes a line may not hold, to ask
// about one it lacks.
var absentValues = []absentValue{
	{engine.Email, "someone@example.org"},
	{engine.Nationality, "ES"},
	{engine.MiddleNames, "María"},
	{engine.FamilyNameAtBirth, "López"},
	{engine.CityOfBirth, "Madrid"},
	{engine.IDDocument, "X1234567L"},
}

// examples builds one request for each outcome of contract §4 from the
// listed lines: a (holding name and birthdate) and b eligible, inel the
// ineligible one, absent a number that is no line.
func examples(ctx context.Context, m api.Matcher, eligible []lineInfo, inel lineInfo, absent string) ([]Example, error) {
	a, b, ok := pickPair(eligible)
	if !ok {
		return nil, errNoExample
	}
	name, birth := a.s.Values[engine.Name], a.s.Values[engine.Birthdate]
	lacking, ok := lacks(a)
	if !ok {
		return nil, errNoExample
	}
	ex := []Example{
		{Outcome: "true", Why: "name and birthdate are the line's own, so both match.",
			Request: body("phoneNumber", a.phone, "name", name, "birthdate", birth)},
		{Outcome: "false with a score", Why: "the name is the line's own with two letters swapped, so nameMatch is false and nameMatchScore is %d, ⌊100 × Jaro–Winkler⌋ of the two normalised names; the birthdate is the line's own, so birthdateMatch is true.",
			Request: body("phoneNumber", a.phone, "name", misspell(name), "birthdate", birth)},
		{Outcome: "not_available", Why: fmt.Sprintf("the line holds no %s, so the operator cannot say: not_available; the birthdate is its own: true.", lacking.attr),
			Request: body("phoneNumber", a.phone, lacking.attr.String(), lacking.value, "birthdate", birth)},
		{Outcome: "404 IDENTIFIER_NOT_FOUND", Why: "the number is no line of the operator's.",
			Request: body("phoneNumber", absent, "name", name)},
		{Outcome: "422 SERVICE_NOT_APPLICABLE", Why: "the line exists but is marked ineligible for the service.",
			Request: body("phoneNumber", inel.phone, "name", firstValue(inel))},
		{Outcome: "three-legged, no phoneNumber", Why: "the token was issued for the line (login_hint), so a body without phoneNumber is answered for the token's line.",
			LoginHint: loginHintTel + a.phone, Request: body("birthdate", birth)},
		{Outcome: "403 INVALID_TOKEN_CONTEXT", Why: "the token is for one line and the body's phoneNumber is another's.",
			LoginHint: loginHintTel + a.phone, Request: body("phoneNumber", b.phone, "birthdate", birth)},
		{Outcome: "403 PERMISSION_DENIED", Why: "the token's scope lacks kyc-match:match.",
			Scope: "openid", Request: body("phoneNumber", a.phone, "name", name)},
	}
	for i := range ex {
		e := &ex[i]
		e.API = api.VWIP.Name()
		e.Expect = answer(ctx, m, e.Request, strings.TrimPrefix(e.LoginHint, loginHintTel))
		if e.Scope != "" {
			// The middleware refuses before any body is read.
			e.Expect = errorExpect(&engine.Error{Code: engine.EPERMISSION})
		}
	}
	var scored struct {
		Score *int `json:"nameMatchScore"`
	}
	if s := ex[1].Expect; s.Status != http.StatusOK || json.Unmarshal(s.Body, &scored) != nil || scored.Score == nil {
		return nil, errNoExample
	}
	ex[1].Why = fmt.Sprintf(ex[1].Why, *scored.Score)
	return ex, nil
}

// pickPair returns an eligible line holding name and birthdate, and another.
func pickPair(lines []lineInfo) (a, b lineInfo, ok bool) {
	for i, l := range lines {
		if l.s.Values[engine.Name] != "" && l.s.Values[engine.Birthdate] != "" && len([]rune(l.s.Values[engine.Name])) > 3 {
			return l, lines[(i+1)%len(lines)], true
		}
	}
	return lineInfo{}, lineInfo{}, false
}

type absentValue struct {
	attr  engine.Attribute
	value string
}

func lacks(l lineInfo) (v absentValue, ok bool) {
	for _, c := range absentValues {
		if l.s.Values[c.attr] == "" {
			return c, true
		}
	}
	return v, false
}

func firstValue(l lineInfo) string {
	for _, a := range []engine.Attribute{engine.Name, engine.GivenName, engine.FamilyName} {
		if v := l.s.Values[a]; v != "" {
			return v
		}
	}
	return "Ana López"
}

// misspell swaps the last two letters that differ, so the name stays
// close to the line's own and scores high but not 100.
func misspell(name string) string {
	r := []rune(name)
	for i := len(r) - 1; i > 0; i-- {
		if r[i] != r[i-1] && r[i] != ' ' && r[i-1] != ' ' {
			r[i], r[i-1] = r[i-1], r[i]
			break
		}
	}
	return string(r)
}

// body is a JSON object of name/value pairs.
func body(kv ...string) []byte {
	m := make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return mustJSON(m)
}
