package api

import (
	"io"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/kycmatch/kycmatch/engine"
)

var auditLines = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// writeAudit writes one audit line to w, as slog.JSONHandler would write
// the record "match" with auditAttrs' attributes at level INFO. Only client
// can hold arbitrary text (it comes from a token): it is quoted as JSON,
// like the correlator, whatever it holds. line is the audit pseudonym of
// the line asked about (see LineIDs), empty when the request named none;
// res is nil for a refused request.
func writeAudit(w io.Writer, now time.Time, client, line, correlator, api, outcome string, status int, latency time.Duration, res *engine.Result) {
	bp := auditLines.Get().(*[]byte)
	defer auditLines.Put(bp)
	b := append((*bp)[:0], `{"time":"`...)
	b = now.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","level":"INFO","msg":"match","client":`...)
	// Invalid UTF-8 comes out as U+FFFD, as slog writes it; the error
	// says only that.
	b, _ = jsontext.AppendQuote(b, client)
	b = append(b, `,"line":`...)
	b, _ = jsontext.AppendQuote(b, line)
	b = append(b, `,"correlator":`...)
	b, _ = jsontext.AppendQuote(b, correlator)
	b = append(b, `,"api":`...)
	b, _ = jsontext.AppendQuote(b, api)
	b = append(b, `,"outcome":`...)
	b, _ = jsontext.AppendQuote(b, outcome)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, `,"latency_ms":`...)
	b = strconv.AppendFloat(b, latencyMS(latency), 'g', -1, 64)
	if res != nil {
		// a generation id, attribute names, verdicts and digits: nothing
		// to escape
		b = append(b, `,"generation":"`...)
		b = append(b, res.Generation...)
		b = append(b, `","results":{`...)
		first := true
		for _, a := range engine.Attributes()[1:] {
			if !res.Asked.Has(a) {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = append(b, '"')
			b = append(b, a.String()...)
			b = append(b, `":{"verdict":"`...)
			b = append(b, res.Verdict[a].String()...)
			b = append(b, '"')
			if res.Score[a] != engine.NoScore {
				b = append(b, `,"score":`...)
				b = strconv.AppendInt(b, int64(res.Score[a]), 10)
			}
			b = append(b, '}')
		}
		b = append(b, '}')
	}
	b = append(b, "}\n"...)
	*bp = b
	// A failed audit write has nowhere better to go than the audit log.
	_, _ = w.Write(b)
}

// latencyMS is a duration in milliseconds to the microsecond.
func latencyMS(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// auditAttrs are writeAudit's attributes after the message, for a Logger:
// each asked attribute's verdict (and score) in a group, the answer the
// partner got, which the audit must show, and nothing of the values.
func auditAttrs(client, line, correlator, api, outcome string, status int, latency time.Duration, res *engine.Result) []slog.Attr {
	attrs := []slog.Attr{slog.String("client", client), slog.String("line", line), slog.String("correlator", correlator), slog.String("api", api),
		slog.String("outcome", outcome), slog.Int("status", status), slog.Float64("latency_ms", latencyMS(latency))}
	if res == nil {
		return attrs
	}
	var results []any
	for _, a := range engine.Attributes()[1:] {
		if !res.Asked.Has(a) {
			continue
		}
		g := []any{slog.String("verdict", res.Verdict[a].String())}
		if res.Score[a] != engine.NoScore {
			g = append(g, slog.Int("score", int(res.Score[a])))
		}
		results = append(results, slog.Group(a.String(), g...))
	}
	return append(attrs, slog.String("generation", res.Generation), slog.Group("results", results...))
}
