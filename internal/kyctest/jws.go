package kyctest

import (
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// SignJWS signs payload and returns the compact serialisation: an access
// token for the API and auth tests.
func SignJWS(tb testing.TB, signer jose.Signer, payload []byte) string {
	tb.Helper()
	jws, err := signer.Sign(payload)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := jws.CompactSerialize()
	if err != nil {
		tb.Fatal(err)
	}
	return s
}
