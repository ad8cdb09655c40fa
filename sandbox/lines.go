package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/kycmatch/kycmatch/api"
	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/normalize"
	"github.com/kycmatch/kycmatch/synth"
)

// Sizes of the listing.
const (
	listedLines = 8
	notLines    = 3
)

// Bounds of Options.Lines. MinLines is the fewest: with 2 % of synthetic
// lines ineligible, fewer would often hold none to list.
const (
	MinLines = 100
	MaxLines = synth.MaxCount
)

// Listing is GET /sandbox/lines: test lines with the synthetic values each
// holds, numbers that are no line, an ineligible line, and one example
// request for every outcome. Every answer in it was computed by the API's
// own Answer over the sandbox's generation, so it is what the API answers.
type Listing struct {
	Lines    []Line    `json:"lines"`
	Examples []Example `json:"examples"`
}

// Line is one phone number and what a request about it gets.
type Line struct {
	PhoneNumber string `json:"phoneNumber"`
	// Kind is "line", "ineligible" or "not a line".
	Kind string `json:"kind"`
	// Values are the line's synthetic export values by request field name.
	Values map[string]string `json:"values,omitempty"`
	// Request is a body to send about it: every value it holds, or for a
	// number that is no line, a name.
	Request json.RawMessage `json:"request"`
	Expect  Expect          `json:"expect"`
}

// Expect is the answer: the status, and the body of a 200 or the CAMARA
// code of an error.
type Expect struct {
	Status int             `json:"status"`
	Code   string          `json:"code,omitempty"`
	Body   json.RawMessage `json:"body,omitempty"`
}

// Example is a ready-made request for one outcome, with the token to get
// for it.
type Example struct {
	Outcome string `json:"outcome"`
	// Why says in a sentence why the answer is what it is.
	Why string `json:"why"`
	API string `json:"api"`
	// Scope and LoginHint are the token request's fields ("" = default).
	Scope     string          `json:"scope,omitempty"`
	LoginHint string          `json:"login_hint,omitempty"`
	Request   json.RawMessage `json:"request"`
	Expect    Expect          `json:"expect"`
}

type lineInfo struct {
	phone string
	s     synth.Subscriber
}

// newListing picks the listed lines from the export's rows: the first
// eligible ones that a request with all their values answers with every
// attribute true under vwip (some synthetic values are in a form vwip's
// patterns refuse, an IBAN with spaces say), and the first ineligible one.
// Rows past the export are numbers that are no line.
func newListing(ctx context.Context, m api.Matcher, seed int64, n int) (*Listing, error) {
	l := &Listing{}
	var eligible []lineInfo
	var ineligible *lineInfo
	for i := 0; i < n && (len(eligible) < listedLines || ineligible == nil); i++ {
		li, err := subscriber(seed, i)
		if err != nil {
			return nil, err
		}
		if !li.s.Eligible {
			if ineligible == nil {
				l.add(ctx, m, li, "ineligible")
				ineligible = &li
			}
			continue
		}
		if len(eligible) < listedLines && l.add(ctx, m, li, "line") {
			eligible = append(eligible, li)
		}
	}
	if ineligible == nil || len(eligible) < 2 {
		return nil, fmt.Errorf("%d lines of seed %d hold too few test lines; ask for more lines", n, seed)
	}
	var absent []string
	for i := n; i < n+notLines; i++ {
		li, err := subscriber(seed, i)
		if err != nil {
			return nil, err
		}
		absent = append(absent, li.phone)
		body := mustJSON(map[string]string{"phoneNumber": li.phone, "name": "Ana López"})
		l.Lines = append(l.Lines, Line{PhoneNumber: li.phone, Kind: "not a line", Request: body, Expect: answer(ctx, m, body, "")})
	}
	var err error
	l.Examples, err = examples(ctx, m, eligible, *ineligible, absent[0])
	return l, err
}

// add lists li when its full request answers as its kind should.
func (l *Listing) add(ctx context.Context, m api.Matcher, li lineInfo, kind string) bool {
	vals := values(li.s)
	req := map[string]string{"phoneNumber": li.phone}
	for k, v := range vals {
		req[k] = v
	}
	body := mustJSON(req)
	exp := answer(ctx, m, body, "")
	if kind == "line" && !allTrue(exp) {
		return false
	}
	l.Lines = append(l.Lines, Line{PhoneNumber: li.phone, Kind: kind, Values: vals, Request: body, Expect: exp})
	return true
}

func subscriber(seed int64, i int) (lineInfo, error) {
	s := synth.Generate(seed, i, false)
	phone, err := normalize.ParsePhone(s.Values[engine.PhoneNumber], "")
	if err != nil {
		return lineInfo{}, fmt.Errorf("synthetic row %d: %w", i, err)
	}
	return lineInfo{phone: phone, s: s}, nil
}

// values are a subscriber's held values by field name, phone number aside.
func values(s synth.Subscriber) map[string]string {
	vals := map[string]string{}
	for _, a := range engine.Attributes() {
		if a != engine.PhoneNumber && s.Values[a] != "" {
			vals[a.String()] = s.Values[a]
		}
	}
	return vals
}

// answer is what POST /kyc-match/vwip/match answers for body, for a
// two-legged token or one for phone.
func answer(ctx context.Context, m api.Matcher, body []byte, phone string) Expect {
	res, err := api.Answer(ctx, m, api.VWIP, body, api.Caller{Phone: phone}, false)
	if err != nil {
		return errorExpect(err)
	}
	return Expect{Status: http.StatusOK, Body: api.AppendResult(nil, res)}
}

func errorExpect(err error) Expect {
	info := api.ErrorInfoOf(err)
	return Expect{Status: info.Status, Code: info.Code}
}

func allTrue(e Expect) bool {
	if e.Status != http.StatusOK {
		return false
	}
	var body map[string]any
	if json.Unmarshal(e.Body, &body) != nil || len(body) == 0 {
		return false
	}
	for _, v := range body {
		if v != "true" {
			return false
		}
	}
	return true
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // maps of strings always marshal
	}
	return b
}

var errNoExample = errors.New("no synthetic line fits an example; ask for more lines")
