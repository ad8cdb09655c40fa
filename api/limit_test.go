package api_test

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kycmatch/kycmatch/api"
	"github.com/kycmatch/kycmatch/engine"
)

// countingMatcher counts the requests that reach the store.
type countingMatcher struct {
	api.Matcher
	calls atomic.Int64
}

func (m *countingMatcher) Match(ctx context.Context, req *engine.Request, opt engine.Options) (*engine.Result, error) {
	m.calls.Add(1)
	return m.Matcher.Match(ctx, req, opt)
}

// TestLineRateLimit: one budget per line over every client, for unknown
// numbers too, counted after validation, refused before the store is
// read, with the Retry-After of the window that opened at the line's
// first request.
func TestLineRateLimit(t *testing.T) {
	e := newEnv(t)
	e.ingest(t, testLines)
	m := &countingMatcher{Matcher: e.live(t)}
	s := newServer(t, m, func(c *api.Config) { c.LineRateLimit, c.LineRateWindow = 2, time.Hour })
	a := s.idp.token(t, map[string]any{"azp": "partner-a"})
	b := s.idp.token(t, map[string]any{"azp": "partner-b"})
	luis := s.idp.token(t, map[string]any{"azp": "partner-c", "phone_number": lineLuis})
	tests := []struct {
		name string
		c    call
		want int
	}{
		{"OK/FirstClient", call{body: jsonBody(lineAna, "givenName", "Ana"), token: a}, 200},
		{"INVALID_ARGUMENT/NotCounted", call{body: jsonBody(lineAna, "givenName", "Ana", "gender", "X")}, 400},
		{"OK/SecondClient", call{body: jsonBody(lineAna, "givenName", "Ana"), token: b}, 200},
		{"TOO_MANY_REQUESTS/ThirdOfLine", call{body: jsonBody(lineAna, "givenName", "Ana")}, 429},
		{"TOO_MANY_REQUESTS/OtherVersion", call{version: "v0.4", body: jsonBody(lineAna, "givenName", "Ana"), token: a}, 429},
		{"OK/OtherLine", call{body: jsonBody(lineNoDoc, "givenName", "Ana"), token: a}, 200},
		{"IDENTIFIER_NOT_FOUND/Unknown1", call{body: jsonBody(lineUnknown, "givenName", "Ana"), token: a}, 404},
		{"IDENTIFIER_NOT_FOUND/Unknown2", call{body: jsonBody(lineUnknown, "givenName", "Ana"), token: b}, 404},
		{"TOO_MANY_REQUESTS/Unknown3", call{body: jsonBody(lineUnknown, "givenName", "Ana")}, 429},
		{"OK/ThreeLegged1", call{body: jsonBody("", "givenName", "Luis"), token: luis}, 200},
		{"OK/ThreeLegged2", call{body: jsonBody(lineLuis, "givenName", "Luis")}, 200},
		{"TOO_MANY_REQUESTS/ThreeLegged3", call{body: jsonBody("", "givenName", "Luis"), token: luis}, 429},
	}
	for _, tt := range tests {
		if tt.c.version == "" {
			tt.c.version = "vwip"
		}
		before := m.calls.Load()
		r := s.do(t, tt.c)
		if r.status != tt.want {
			t.Fatalf("%s: %d %s, want %d", tt.name, r.status, r.body, tt.want)
		}
		reached := m.calls.Load() > before
		if r.status != 429 {
			continue
		}
		if reached {
			t.Errorf("%s: a refused request reached the store", tt.name)
		}
		if r.err.Code != "TOO_MANY_REQUESTS" {
			t.Errorf("%s: code %q", tt.name, r.err.Code)
		}
		if n, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || n < 3590 || n > 3600 {
			t.Errorf("%s: Retry-After %q, want the rest of the hour", tt.name, r.header.Get("Retry-After"))
		}
	}
}

// TestBothLimits: a request over its client's limit is refused without
// using its line's budget; the client's limit also counts requests that
// stop before the store.
func TestBothLimits(t *testing.T) {
	e := newEnv(t)
	e.ingest(t, testLines)
	s := newServer(t, e.live(t), func(c *api.Config) {
		c.RateLimit, c.RateWindow = 2, time.Minute
		c.LineRateLimit, c.LineRateWindow = 3, time.Minute
	})
	a := s.idp.token(t, map[string]any{"azp": "partner-a"})
	b := s.idp.token(t, map[string]any{"azp": "partner-b"})
	var got []int
	for _, c := range []call{
		{body: jsonBody(lineAna, "givenName", "Ana"), token: a},
		{body: `{"phoneNumber":"+34600000001"}`, token: a}, // 400, counted for a
		{body: jsonBody(lineAna, "givenName", "Ana"), token: a},
		{body: `{"phoneNumber":"+34600000001"}`, token: a}, // a is over: 429, not 400
		{body: jsonBody(lineAna, "givenName", "Ana"), token: b},
		{body: jsonBody(lineAna, "givenName", "Ana"), token: b},
		{body: jsonBody(lineAna, "givenName", "Ana"), token: b},
	} {
		c.version = "vwip"
		got = append(got, s.do(t, c).status)
	}
	if want := []int{200, 400, 429, 429, 200, 200, 429}; !slices.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
}

// TestLocalCounter: fixed windows from a key's first request, each key
// on its own, the first refused hit of several named.
func TestLocalCounter(t *testing.T) {
	c := api.NewLocalCounter()
	t0 := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	ctx := context.Background()
	client := api.Hit{Scope: "client", Key: "a", Limit: 2, Window: time.Minute}
	line := api.Hit{Scope: "line", Key: "x", Limit: 1, Window: time.Hour}
	tests := []struct {
		at     time.Duration
		hits   []api.Hit
		refuse int
		wait   time.Duration
	}{
		{0, []api.Hit{client, line}, -1, 0},
		{10 * time.Second, []api.Hit{client, line}, 1, time.Hour - 10*time.Second},
		{20 * time.Second, []api.Hit{client, line}, 0, 40 * time.Second},
		{59 * time.Second, []api.Hit{client}, 0, time.Second},
		{60 * time.Second, []api.Hit{client}, -1, 0},
		{61 * time.Second, []api.Hit{{Scope: "client", Key: "b", Limit: 1, Window: time.Second}}, -1, 0},
		{time.Hour, []api.Hit{line}, -1, 0},
		{time.Hour + time.Second, []api.Hit{line}, 0, time.Hour - time.Second},
	}
	for i, tt := range tests {
		refused, wait := c.Count(ctx, t0.Add(tt.at), tt.hits)
		if refused != tt.refuse || wait != tt.wait {
			t.Errorf("%d (at %s): refused %d, wait %s; want %d, %s", i, tt.at, refused, wait, tt.refuse, tt.wait)
		}
	}
}

// TestScores: --score-step rounds down, --score-min drops low scores and
// keeps the verdict; without either the scores are as computed.
func TestScores(t *testing.T) {
	e := newEnv(t)
	e.ingest(t, testLines)
	live := e.live(t)
	body := jsonBody(lineAna, "familyName", "Ruiz Gill", "givenName", "Zoe", "streetName", "Calle del Olmos")
	fields := []string{"familyNameMatchScore", "givenNameMatchScore", "streetNameMatchScore"}
	raw := newServer(t, live, nil).do(t, call{version: "vwip", body: body})
	if raw.status != 200 {
		t.Fatalf("%d %s", raw.status, raw.body)
	}
	tests := []struct {
		name   string
		scores api.Scores
		want   func(score int) (int, bool)
	}{
		{"Step10", api.Scores{Step: 10}, func(s int) (int, bool) { return s / 10 * 10, true }},
		{"Min80", api.Scores{Min: 80}, func(s int) (int, bool) { return s, s >= 80 }},
		{"Step7Min50", api.Scores{Step: 7, Min: 50}, func(s int) (int, bool) { return s / 7 * 7, s >= 50 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newServer(t, live, func(c *api.Config) { c.Scores = tt.scores }).do(t, call{version: "vwip", body: body})
			for _, f := range fields {
				s, err := raw.fields[f].(json.Number).Int64()
				if err != nil {
					t.Fatalf("no %s in the uncoarsened answer %s", f, raw.body)
				}
				want, present := tt.want(int(s))
				got, ok := r.fields[f].(json.Number)
				if n, _ := got.Int64(); ok != present || (ok && int(n) != want) {
					t.Errorf("%s: %v (present %v), want %d (present %v), from %v", f, r.fields[f], ok, want, present, s)
				}
				verdict := strings.TrimSuffix(f, "Score")
				if r.fields[verdict] != "false" {
					t.Errorf("%s = %v, want false", verdict, r.fields[verdict])
				}
			}
		})
	}
}

// TestAuditLine: every audit line names the line by its pseudonym under
// the active key version, the same across generations, never the number.
func TestAuditLine(t *testing.T) {
	var logs logBuffer
	e := newEnv(t)
	e.ingest(t, testLines)
	ids := e.kr.Active().LineIDs()
	live := e.live(t)
	s := newServer(t, live, func(c *api.Config) { c.Logger, c.Audit, c.Lines = logs.logger(), &logs, ids })
	luis := s.idp.token(t, map[string]any{"phone_number": lineLuis})
	calls := []struct {
		c    call
		line string
	}{
		{call{body: jsonBody(lineAna, "givenName", "Ana")}, lineAna},
		{call{body: jsonBody(lineUnknown, "givenName", "Ana")}, lineUnknown},
		{call{body: jsonBody("", "givenName", "Luis"), token: luis}, lineLuis},
		{call{body: jsonBody("", "givenName", "Ana")}, ""},
		{call{body: jsonBody(lineAna, "givenName", "Ana")}, lineAna}, // after the second ingest
	}
	for i, tt := range calls {
		if i == len(calls)-1 {
			e.ingest(t, testLines)
			if err := live.Refresh(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		tt.c.version, tt.c.correlator = "vwip", "audit-line-"+strconv.Itoa(i)
		s.do(t, tt.c)
	}
	gens := map[string]bool{}
	for i, tt := range calls {
		var a map[string]any
		for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
			if strings.Contains(l, `"msg":"match"`) && strings.Contains(l, `"audit-line-`+strconv.Itoa(i)+`"`) {
				if err := json.Unmarshal([]byte(l), &a); err != nil {
					t.Fatal(err)
				}
			}
		}
		want := ""
		if tt.line != "" {
			want = ids.Of(tt.line)
		}
		if a == nil || a["line"] != want {
			t.Errorf("call %d: audit line %v, want line %q", i, a, want)
		}
		if g, ok := a["generation"].(string); ok && tt.line == lineAna {
			gens[g] = true
		}
	}
	if len(gens) != 2 {
		t.Errorf("generations answering lineAna: %v, want two (the pseudonym must survive an ingest)", gens)
	}
	for _, n := range []string{lineAna, lineLuis, lineUnknown, strings.TrimPrefix(lineAna, "+")} {
		if strings.Contains(logs.String(), n) {
			t.Errorf("the log holds the number %s", n)
		}
	}
}
