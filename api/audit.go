package api

import (
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/kycmatch/kycmatch/engine"
)

var auditLines = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// writeAudit writes one audit line to w, as slog.JSONHandler would write
// the record "match" with these attributes at level INFO. Only client can
// hold arbitrary text (it comes from a token): it is quoted as JSON, like
// the correlator, whatever it holds. res is nil for a refused request.
func writeAudit(w io.Writer, now time.Time, client, correlator, api, outcome string, res *engine.Result) {
	bp := auditLines.Get().(*[]byte)
	defer auditLines.Put(bp)
	b := append((*bp)[:0], `{"time":"`...)
	b = now.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","level":"INFO","msg":"match","client":`...)
	// Invalid UTF-8 comes out as U+FFFD, as slog writes it; the error
	// says only that.
	b, _ = jsontext.AppendQuote(b, client)
	b = append(b, `,"correlator":`...)
	b, _ = jsontext.AppendQuote(b, correlator)
	b = append(b, `,"api":`...)
	b, _ = jsontext.AppendQuote(b, api)
	b = append(b, `,"outcome":`...)
	b, _ = jsontext.AppendQuote(b, outcome)
	if res != nil {
		b = append(b, `,"results":"`...)
		b = appendResults(b, res) // attribute names, verdicts and digits: nothing to escape
		b = append(b, '"')
	}
	b = append(b, "}\n"...)
	*bp = b
	// A failed audit write has nowhere better to go than the audit log.
	_, _ = w.Write(b)
}

// appendResults lists each asked attribute's verdict (and score), as
// "name=false/87 birthdate=true": the answer the partner got, which the
// audit must show, and nothing of the values. One string attribute costs a
// tenth of a JSON group of them.
func appendResults(b []byte, res *engine.Result) []byte {
	first := true
	for _, a := range engine.Attributes()[1:] {
		if !res.Asked.Has(a) {
			continue
		}
		if !first {
			b = append(b, ' ')
		}
		first = false
		b = append(b, a.String()...)
		b = append(b, '=')
		b = append(b, res.Verdict[a].String()...)
		if res.Score[a] != engine.NoScore {
			b = append(b, '/')
			b = strconv.AppendInt(b, int64(res.Score[a]), 10)
		}
	}
	return b
}
