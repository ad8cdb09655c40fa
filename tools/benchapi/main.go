// Command benchapi prepares and runs the /match load benchmark's other
// half: it mints a development signing key and token for a kycmatch serve
// under test, writes request bodies for lines of a generated export, and
// serves the baseline, a chi handler that returns a fixed JSON body, so
// that both are measured in one run on one machine (see bench/api.sh).
//
// It is a benchmark tool: its key is made up on the spot and never used
// outside the benchmark.
package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/internal/devissuer"
	"github.com/kycmatch/kycmatch/normalize"
)

func main() {
	export := flag.String("export", "", "the generated CSV export the generation was built from")
	out := flag.String("out", "bench-out", "directory for jwks.json, token, bodies.lua")
	fixedAddr := flag.String("fixed", "127.0.0.1:18081", "address of the fixed-body baseline handler")
	n := flag.Int("bodies", 1000, "distinct request bodies")
	flag.Parse()
	if err := prepare(*export, *out, *n); err != nil {
		log.Fatal(err)
	}
	r := chi.NewRouter()
	fixed := []byte(`{"nameMatch":"true","givenNameMatch":"true","familyNameMatch":"true","birthdateMatch":"true","emailMatch":"true","postalCodeMatch":"true","countryMatch":"true","genderMatch":"true","idDocumentMatch":"true","nationalityMatch":"true"}`)
	r.Post("/kyc-match/vwip/match", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write(fixed)
	})
	srv := &http.Server{Addr: *fixedAddr, Handler: r, ReadHeaderTimeout: 5 * time.Second}
	log.Fatal(srv.ListenAndServe())
}

func prepare(export, out string, n int) error {
	if err := os.MkdirAll(out, 0o700); err != nil {
		return err
	}
	iss, err := devissuer.New("https://bench.invalid", "bench")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "jwks.json"), iss.JWKS(), 0o600); err != nil {
		return err
	}
	tok, err := iss.Token(devissuer.Claims{Subject: "bench", ClientID: "bench", Scopes: []string{"kyc-match:match"}}, 24*time.Hour)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "token"), []byte(tok), 0o600); err != nil {
		return err
	}
	bodies, err := requestBodies(export, n)
	if err != nil {
		return err
	}
	if err := writeVegeta(filepath.Join(out, "targets.jsonl"), tok, bodies); err != nil {
		return err
	}
	return writeLua(filepath.Join(out, "bodies.lua"), tok, bodies)
}

// writeVegeta writes vegeta's JSON targets for the same bodies, for the
// constant-rate run (wrk only measures at saturation).
func writeVegeta(path, token string, bodies [][]byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for _, b := range bodies {
		t := map[string]any{
			"method": "POST",
			"url":    "http://127.0.0.1:18080/kyc-match/vwip/match",
			"body":   b, // []byte marshals as base64, as vegeta wants
			"header": map[string][]string{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + token}},
		}
		if err := enc.Encode(t); err != nil {
			return err
		}
	}
	return w.Flush()
}

// tenAttributes are asked in every request.
var tenAttributes = []engine.Attribute{engine.Name, engine.GivenName, engine.FamilyName, engine.Birthdate,
	engine.Email, engine.PostalCode, engine.Country, engine.Gender, engine.IDDocument, engine.Nationality}

// requestBodies asks about the first n eligible lines holding the ten
// attributes, with their own values: the common case of a partner's
// onboarding check.
func requestBodies(export string, n int) ([][]byte, error) {
	f, err := os.Open(export)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	header, err := r.Read()
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	var out [][]byte
	for len(out) < n {
		rec, err := r.Read()
		if err != nil {
			return nil, fmt.Errorf("export has too few complete lines: %w", err)
		}
		if body := bodyFor(rec, col); body != nil {
			out = append(out, body)
		}
	}
	return out, nil
}

func bodyFor(rec []string, col map[string]int) []byte {
	if rec[col["eligible"]] == "false" {
		return nil
	}
	phone, err := normalize.ParsePhone(rec[col["phoneNumber"]], "")
	if err != nil {
		return nil
	}
	req := map[string]string{"phoneNumber": phone}
	for _, a := range tenAttributes {
		v := rec[col[a.String()]]
		if v == "" {
			return nil
		}
		req[a.String()] = v
	}
	b, _ := json.Marshal(req)
	return b
}

// writeLua writes a wrk script that cycles through the bodies.
func writeLua(path, token string, bodies [][]byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.headers[\"Authorization\"] = \"Bearer %s\"\nlocal bodies = {\n", token)
	for _, b := range bodies {
		fmt.Fprintf(w, "  [==[%s]==],\n", b) // a long bracket needs no escaping
	}
	fmt.Fprint(w, "}\nlocal i = 0\nrequest = function()\n  i = i % #bodies + 1\n  return wrk.format(nil, nil, nil, bodies[i])\nend\n")
	return w.Flush()
}
