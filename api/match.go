package api

import (
	"context"
	"sync"

	"github.com/kycmatch/kycmatch/engine"
)

// Matcher is what the API needs from the engine: *engine.Matcher, or the
// server's hot-swapping holder of the current one.
type Matcher interface {
	Match(ctx context.Context, req *engine.Request, opt engine.Options) (*engine.Result, error)
}

// Caller is who asks, as far as the match rules care: the subscriber a
// three-legged token names (E.164), or "" for a two-legged token.
type Caller struct {
	Phone string
}

// Answer evaluates one request body for a caller under a version's rules:
// the body is checked first, then its phone number against the token's
// (contract §4), then the engine answers. requireIDDocument is the v0.4
// operator option; other versions ignore it.
func Answer(ctx context.Context, m Matcher, v *Version, body []byte, c Caller, requireIDDocument bool) (*engine.Result, error) {
	var b Body
	release, err := v.Decode(body, &b)
	defer release()
	if err != nil {
		return nil, err
	}
	// The request escapes into the Matcher interface, so it is pooled
	// rather than allocated: half a kilobyte per request otherwise.
	req := requests.Get().(*engine.Request)
	defer requests.Put(req)
	*req = engine.Request{Asked: b.Asked, Values: b.Values}
	switch {
	case c.Phone != "" && b.HasPhone && b.Phone != c.Phone:
		return nil, &engine.Error{Code: engine.ETOKENCONTEXT}
	case c.Phone != "":
		req.Phone = c.Phone
	case !b.HasPhone:
		return nil, &engine.Error{Code: engine.EMISSINGID}
	default:
		req.Phone = b.Phone
	}
	return m.Match(ctx, req, engine.Options{RequireIDDocument: requireIDDocument && v.idDocumentLevel})
}

var requests = sync.Pool{New: func() any { return new(engine.Request) }}
