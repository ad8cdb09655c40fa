package api

import (
	"strconv"

	"github.com/kycmatch/kycmatch/engine"
)

// AppendResult appends the response body of a match: a <field>Match for
// every asked attribute and a <field>MatchScore where the engine scored
// one, in attribute order. It writes JSON by hand: the shape is fixed, no
// value is ever echoed, and reflection would cost more than the match.
func AppendResult(dst []byte, r *engine.Result) []byte {
	dst = append(dst, '{')
	first := true
	for _, a := range engine.Attributes() {
		if !r.Asked.Has(a) {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = append(dst, '"')
		dst = append(dst, a.String()...)
		dst = append(dst, `Match":"`...)
		dst = append(dst, r.Verdict[a].String()...)
		dst = append(dst, '"')
		if s := r.Score[a]; s != engine.NoScore {
			dst = append(dst, ',', '"')
			dst = append(dst, a.String()...)
			dst = append(dst, `MatchScore":`...)
			dst = strconv.AppendInt(dst, int64(s), 10)
		}
	}
	return append(dst, '}')
}
