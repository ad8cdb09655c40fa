package api

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/kycmatch/kycmatch/engine"
)

// TestWriteAuditLikeSlog holds the hand-built audit line to what
// slog.JSONHandler writes for the same record, whatever a token put in the
// client id: one line, the same fields in the same order with the same
// values. (The escaping may differ where JSON allows a choice: slog writes
// U+2028 and a replaced invalid byte as \u escapes, jsontext as UTF-8.)
func TestWriteAuditLikeSlog(t *testing.T) {
	res := &engine.Result{Asked: engine.AttrSet(0).With(engine.Name).With(engine.Birthdate)}
	for i := range res.Score {
		res.Score[i] = engine.NoScore
	}
	res.Verdict[engine.Name], res.Score[engine.Name] = engine.False, 87
	res.Verdict[engine.Birthdate] = engine.True
	res.Generation = "00000007"
	now := time.Date(2026, 11, 26, 3, 4, 5, 6000, time.UTC)
	for _, client := range []string{"partner-1", "", `quote " back \ slash`, "tab\tnl\n<&>", "bad \xff utf-8", "ünïcødé \u2028"} {
		for _, r := range []*engine.Result{res, nil} {
			var got, want bytes.Buffer
			outcome := "OK"
			if r == nil {
				outcome = "IDENTIFIER_NOT_FOUND"
			}
			status, latency := 200, 1234567*time.Nanosecond
			if r == nil {
				status = 404
			}
			writeAudit(&got, now, client, "0123456789abcdef", "corr-<1>", "vwip", outcome, status, latency, r)
			rec := slog.NewRecord(now, slog.LevelInfo, "match", 0)
			rec.AddAttrs(auditAttrs(client, "0123456789abcdef", "corr-<1>", "vwip", outcome, status, latency, r)...)
			if err := slog.NewJSONHandler(&want, nil).Handle(context.Background(), rec); err != nil {
				t.Fatal(err)
			}
			if !sameJSON(t, got.Bytes(), want.Bytes()) || bytes.Count(got.Bytes(), []byte("\n")) != 1 {
				t.Errorf("client %q:\n got %s\nwant %s", client, got.Bytes(), want.Bytes())
			}
			if client == "partner-1" && r != nil {
				const line = `{"time":"2026-11-26T03:04:05.000006Z","level":"INFO","msg":"match","client":"partner-1","line":"0123456789abcdef","correlator":"corr-<1>",` +
					`"api":"vwip","outcome":"OK","status":200,"latency_ms":1.234,"generation":"00000007","results":{"name":{"verdict":"false","score":87},"birthdate":{"verdict":"true"}}}` + "\n"
				if got.String() != line {
					t.Errorf("audit line\n got %s\nwant %s", got.String(), line)
				}
			}
		}
	}
}

// sameJSON reports whether two JSON objects have the same members in the
// same order with the same values.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	members := func(doc []byte) []string {
		var out []string
		d := jsontext.NewDecoder(bytes.NewReader(doc))
		for {
			tok, err := d.ReadToken()
			if err == io.EOF {
				return out
			}
			if err != nil {
				t.Fatalf("%s: %v", doc, err)
			}
			out = append(out, tok.String())
		}
	}
	return slices.Equal(members(a), members(b))
}
