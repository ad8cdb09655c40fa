package auth_test

import (
	"context"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/kycmatch/kycmatch/api/auth"
)

// The per-request cost of verification matters: a partner may call /match
// thousands of times a second, on a server with two cores. "Uncached" is a
// token seen for the first time (signature verification dominates);
// "Cached" is the same token again, the common case for a partner that reuses
// its access token until it expires.
func BenchmarkVerifyES256(b *testing.B) { benchmarkVerify(b, jose.ES256) }
func BenchmarkVerifyRS256(b *testing.B) { benchmarkVerify(b, jose.RS256) }
func BenchmarkVerifyEdDSA(b *testing.B) { benchmarkVerify(b, jose.EdDSA) }

func benchmarkVerify(b *testing.B, alg jose.SignatureAlgorithm) {
	clk := newClock()
	k := newKey(b, alg, "k")
	tok := sign(b, k, claimsAt(clk.Now(), map[string]any{"phone_number": "+34612345678"}), nil)
	ctx := context.Background()
	for _, bc := range []struct {
		name      string
		cacheSize int
	}{{"Uncached", -1}, {"Cached", 0}} {
		v, _ := mustFileVerifier(b, clk, auth.JWTConfig{CacheSize: bc.cacheSize}, k)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(ctx, tok); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(bc.name+"Parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := v.Verify(ctx, tok); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkVerifyRejectGarbage is the cost of refusing a forged token, which
// an attacker can send as fast as the network allows.
func BenchmarkVerifyRejectGarbage(b *testing.B) {
	clk := newClock()
	k := newKey(b, jose.ES256, "k")
	v, _ := mustFileVerifier(b, clk, auth.JWTConfig{}, k)
	forged := sign(b, newKey(b, jose.ES256, "k"), claimsAt(clk.Now(), nil), nil)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(ctx, forged); err == nil {
			b.Fatal("forged token verified")
		}
	}
}
