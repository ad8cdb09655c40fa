package main

// The downgrade attack of issue 13, run against the real commands: someone
// who can write the data directory but has no keyring forges a generation
// (sealing stripped, records of their own under the lookup keys copied from
// the current one) and makes it current.

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"hash"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/hashing"
	"github.com/kycmatch/kycmatch/internal/kyctest"
	"github.com/kycmatch/kycmatch/normalize"
	"github.com/kycmatch/kycmatch/store"
)

// forgerKeys is what a forger without the keyring can offer the store: a
// MAC key of their own for any key id. Sealing is never asked for.
type forgerKeys struct{ store.Keys }

func (forgerKeys) MetaMAC(string) (hash.Hash, error) {
	return hmac.New(sha256.New, []byte("the forger's guess")), nil
}

// forge commits, with kycmatch's own store code, a plaintext generation
// holding the current generation's lookup keys, salt and key id, each key
// with a record encoded under a keyring the forger made; withMAC false
// also removes the authenticator the forger could not compute.
func forge(t *testing.T, data string, withMAC bool) {
	t.Helper()
	cur, err := os.ReadFile(filepath.Join(data, "CURRENT"))
	if err != nil {
		t.Fatal(err)
	}
	genDir := filepath.Join(data, "gen-"+strings.TrimSpace(string(cur)))
	var info engine.GenerationInfo
	var meta struct {
		KeyID      string `json:"key_id"`
		LookupSalt []byte `json:"lookup_salt"`
	}
	b, err := os.ReadFile(filepath.Join(genDir, "GENERATION.json"))
	if err != nil || json.Unmarshal(b, &meta) != nil {
		t.Fatalf("read GENERATION.json: %v", err)
	}
	info.KeyID, info.LookupSalt, info.Profile, info.Format = meta.KeyID, meta.LookupSalt, "default", engine.RecordFormat
	lookupKeys := clearLookupKeys(t, genDir)

	enc := engine.NewEncoder(hashing.NewScheme(kyctest.Keyring(t).Active(), normalize.DefaultProfile, engine.FieldNames()))
	line := engine.Line{Eligible: true}
	line.Values[engine.PhoneNumber] = servePhone
	_, rec, err := enc.Encode(nil, &line)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(data, store.Options{Plaintext: true, AllowUnsealed: true, Keys: forgerKeys{}})
	if err != nil {
		t.Fatal(err)
	}
	w, err := st.Create(context.Background(), info)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range lookupKeys {
		if err := w.Put(engine.StreamOf(k, w.Streams()), k, rec); err != nil {
			t.Fatal(err)
		}
	}
	forged, err := w.Commit(context.Background(), engine.CommitStats{Lines: int64(len(lookupKeys))})
	if err != nil {
		t.Fatal(err)
	}
	if !withMAC {
		if err := os.Remove(filepath.Join(data, "gen-"+forged.ID, "GENERATION.mac")); err != nil {
			t.Fatal(err)
		}
	}
}

// clearLookupKeys reads the lookup keys Badger keeps in the clear, in
// order, as anyone with the files can.
func clearLookupKeys(t *testing.T, genDir string) [][]byte {
	t.Helper()
	shards, _ := filepath.Glob(filepath.Join(genDir, "shard-*"))
	var out [][]byte
	for _, dir := range shards {
		db, err := badger.Open(badger.DefaultOptions(dir).WithReadOnly(true).WithLogger(nil))
		if err != nil {
			t.Fatal(err)
		}
		db.View(func(txn *badger.Txn) error {
			it := txn.NewIterator(badger.IteratorOptions{})
			defer it.Close()
			for it.Rewind(); it.Valid(); it.Next() {
				out = append(out, it.Item().KeyCopy(nil))
			}
			return nil
		})
		db.Close()
	}
	if len(out) == 0 {
		t.Fatal("no lookup keys found")
	}
	return out
}

const downgradeRequest = `{"phoneNumber":"` + servePhone + `","name":"Marta Serrano Vela","email":"marta.serrano@example.org"}`

// TestDowngradeRefusedByMatch: match refuses a forged generation, with or
// without the forger's authenticator, in one sentence naming the fault;
// only --allow-unsealed reads one without an authenticator, which is what
// the flag is for.
func TestDowngradeRefusedByMatch(t *testing.T) {
	for _, tt := range []struct {
		name     string
		withMAC  bool
		allow    bool
		wantCode int
		want     string
	}{
		{"ForgedMAC", true, false, exitFailure, "GENERATION.json does not authenticate"},
		{"ForgedMACAllowUnsealed", true, true, exitFailure, "GENERATION.json does not authenticate"},
		{"NoMAC", false, false, exitFailure, "--allow-unsealed"},
		{"NoMACAllowUnsealed", false, true, exitOK, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newServeEnv(t)
			e.ingest(t, e.kr)
			match := func(extra ...string) (int, string, string) {
				var stdout, stderr bytes.Buffer
				args := append([]string{"kycmatch", "match", "--data", e.data, "--keyring", e.keyring, "--json", downgradeRequest}, extra...)
				code := run(context.Background(), args, nil, &stdout, &stderr)
				return code, stdout.String(), strings.TrimSpace(stderr.String())
			}
			if code, out, msg := match(); code != exitOK || !strings.Contains(out, `"nameMatch":"true"`) {
				t.Fatalf("before the forgery: exit %d, %s %s", code, out, msg)
			}
			forge(t, e.data, tt.withMAC)
			var extra []string
			if tt.allow {
				extra = append(extra, "--allow-unsealed")
			}
			code, out, msg := match(extra...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d: %s %s", code, tt.wantCode, out, msg)
			}
			if tt.want == "" {
				return
			}
			if strings.Count(msg, "\n") > 0 || !strings.HasPrefix(msg, "kycmatch: ") || !strings.HasSuffix(msg, ".") || !strings.Contains(msg, tt.want) {
				t.Errorf("error %q is not one sentence naming %q", msg, tt.want)
			}
		})
	}
}

// TestDowngradeRefusedByServe: serve does not start on a forged generation,
// and one already serving keeps answering from the authentic one when the
// forgery is made current under it.
func TestDowngradeRefusedByServe(t *testing.T) {
	e := newServeEnv(t)
	e.ingest(t, e.kr)
	srv, err := startServer(context.Background(), e.config(t))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	url := "http://" + srv.Addr() + "/kyc-match/v0.4/match"
	matchOK := func() {
		t.Helper()
		r := send(t, http.MethodPost, url, e.token(t), strings.NewReader(downgradeRequest))
		camara(t, r, 200, "")
		if !strings.Contains(r.body, `"nameMatch":"true"`) {
			t.Fatalf("answer %s, want nameMatch true from the authentic generation", r.body)
		}
	}
	matchOK()
	forge(t, e.data, false)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(e.logs.String(), "still answering from the previous one") {
		if time.Now().After(deadline) {
			t.Fatalf("no refusal logged after the forgery:\n%s", e.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	matchOK()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var stderr bytes.Buffer
	code := run(ctx, []string{"kycmatch", "serve", "--data", e.data, "--keyring", e.keyring, "--addr", "127.0.0.1:0",
		"--admin-addr", "127.0.0.1:0", "--jwks", e.jwks, "--issuer", serveIssuer, "--audience", serveAudience}, nil, io.Discard, &stderr)
	if msg := stderr.String(); code != exitFailure || !strings.Contains(msg, "not authenticated") {
		t.Errorf("serve on the forgery: exit %d: %s", code, msg)
	}
}
