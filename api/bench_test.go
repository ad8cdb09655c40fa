package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kycmatch/kycmatch/api"
	"github.com/kycmatch/kycmatch/api/auth"
	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/ingest"
	"github.com/kycmatch/kycmatch/internal/devissuer"
	"github.com/kycmatch/kycmatch/internal/kyctest"
)

// BenchmarkHandler is one 10-attribute match through the whole public
// handler (routing, correlator, token check, decoding, engine, encoding,
// metrics, the audit line as serve writes it at its default level) without
// the network: the server's own CPU per request.
func BenchmarkHandler(b *testing.B) {
	h, token := benchServer(b, 2000)
	body := []byte(`{"phoneNumber":"+34600000777","name":"Ana María Gil","givenName":"Ana María","familyName":"Gil",` +
		`"birthdate":"1990-01-31","email":"ana.gil@example.com","postalCode":"28013","country":"ES","gender":"FEMALE",` +
		`"idDocument":"12345678Z","nationality":"ES"}`)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/kyc-match/vwip/match", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
}

func benchServer(b *testing.B, lines int, mods ...func(*api.Config)) (http.Handler, string) {
	dir := b.TempDir()
	kr := kyctest.Keyring(b)
	st := kyctest.Store(b, filepath.Join(dir, "data"), kr, false)
	var csv strings.Builder
	csv.WriteString("phoneNumber,name,givenName,familyName,birthdate,email,postalCode,country,gender,idDocument,nationality\n")
	for i := 0; i < lines; i++ {
		fmt.Fprintf(&csv, "+346%08d,Ana María Gil,Ana María,Gil,1990-01-31,ana.gil@example.com,28013,ES,FEMALE,12345678-Z,ES\n", i)
	}
	if _, err := ingest.Run(context.Background(), ingest.Options{Input: strings.NewReader(csv.String()), Keyring: kr, Store: st, TempDir: dir}); err != nil {
		b.Fatal(err)
	}
	live, err := engine.NewLive(context.Background(), st, kr, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(live.Close)
	iss, err := devissuer.New("https://bench.invalid", "bench")
	if err != nil {
		b.Fatal(err)
	}
	jwks := filepath.Join(dir, "jwks.json")
	if err := writeFile(jwks, iss.JWKS()); err != nil {
		b.Fatal(err)
	}
	v, err := auth.NewJWT(context.Background(), auth.JWTConfig{JWKSFile: jwks, Issuer: "https://bench.invalid", Audience: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	tok, err := iss.Token(devissuer.Claims{Subject: "p", ClientID: "p", Scopes: []string{api.RequiredScope}}, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	cfg := api.Config{Matcher: live, Verifier: auth.Chain(v, nil), Metrics: api.NewMetrics(), Logger: log, Audit: io.Discard}
	for _, mod := range mods {
		mod(&cfg)
	}
	return api.NewHandler(cfg), tok
}
