package auth

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Sizes that bound what a key source will read, so a misbehaving identity
// provider or a wrong path cannot exhaust memory.
const (
	maxJWKSSize      = 1 << 20
	maxDiscoverySize = 1 << 20
	minRSABits       = 2048
)

// keySet is one parsed JWKS, immutable once published. gen changes whenever
// the document's content changes, which is how the verified-token cache
// learns that a key may have been withdrawn.
type keySet struct {
	gen  uint64
	keys []jose.JSONWebKey
	raw  []byte
}

// candidates yields the keys that may have signed a token with this kid and
// alg: the key with that kid, or every key when the token names none; in
// both cases only keys whose type fits alg and whose own "alg", if any, is
// alg. The last rule stops a key published for PS256 from verifying RS256.
func (s *keySet) candidates(kid, alg string) iter.Seq[any] {
	return func(yield func(any) bool) {
		for i := range s.keys {
			k := &s.keys[i]
			if kid != "" && k.KeyID != kid {
				continue
			}
			if k.Algorithm != "" && k.Algorithm != alg {
				continue
			}
			if !keyFits(k.Key, alg) {
				continue
			}
			if !yield(k.Key) {
				return
			}
		}
	}
}

// keyFits reports whether a public key can verify alg. go-jose checks this
// again when verifying; doing it here keeps incompatible keys from counting
// as candidates, which decides between "unknown key" and "bad signature".
func keyFits(key any, alg string) bool {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return alg == string(jose.RS256) || alg == string(jose.PS256)
	case *ecdsa.PublicKey:
		return alg == string(jose.ES256) && k.Curve == elliptic.P256()
	case ed25519.PublicKey:
		return alg == string(jose.EdDSA)
	}
	return false
}

// parseKeySet parses a JWKS document and keeps the keys that can verify one of
// the accepted algorithms. Private keys are reduced to their public half, so
// an operator who publishes the wrong file still never has a private key held
// longer than parsing. A document with no usable key is an error: publishing
// it would refuse every token.
func parseKeySet(doc []byte) ([]jose.JSONWebKey, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(doc, &set); err != nil {
		return nil, fmt.Errorf("JWKS is not a JSON object with a keys array: %w", err)
	}
	var keys []jose.JSONWebKey
	for _, raw := range set.Keys {
		// One key of a type this version of go-jose does not know (a
		// post-quantum key published early, say) must not hide the others.
		var k jose.JSONWebKey
		if k.UnmarshalJSON(raw) != nil || !k.Valid() {
			continue
		}
		if k = k.Public(); usableKey(&k) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("JWKS has no usable signing key (RSA >= 2048 bits, EC P-256 or Ed25519, use \"sig\")")
	}
	return keys, nil
}

func usableKey(k *jose.JSONWebKey) bool {
	if !k.IsPublic() || (k.Use != "" && k.Use != "sig") {
		return false
	}
	if rk, ok := k.Key.(*rsa.PublicKey); ok && rk.N.BitLen() < minRSABits {
		return false
	}
	for _, alg := range acceptedAlgs {
		if (k.Algorithm == "" || k.Algorithm == string(alg)) && keyFits(k.Key, string(alg)) {
			return true
		}
	}
	return false
}

// keyStore holds the current keySet and decides when to look for a new one:
// periodically (every), and when a token names a key it does not have
// (forced, at most once per minForced). Readers never block: they load an
// atomic pointer. Loads are serialised by mu.
type keyStore struct {
	set atomic.Pointer[keySet]
	// next is the UnixNano time at which a periodic check is due.
	next atomic.Int64

	mu        sync.Mutex
	load      func(ctx context.Context) ([]byte, error) // nil document: unchanged
	every     time.Duration
	minForced time.Duration
	lastLoad  time.Time // guarded by mu
	// lastWarn and lastWarnAt, guarded by mu, keep a failing source (a
	// missing file probed for every made-up kid) from flooding the log.
	lastWarn   string
	lastWarnAt time.Time
	// background runs periodic checks in their own goroutine, for sources
	// that go over the network: a request must not wait for the identity
	// provider just because a refresh happened to fall due.
	background bool
	timeout    time.Duration
	log        *slog.Logger
	what       string // the file or URL, for log lines
}

// init performs the first load; its failure is a startup error.
func (s *keyStore) init(ctx context.Context, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	doc, err := s.load(ctx)
	if err != nil {
		return err
	}
	keys, err := parseKeySet(doc)
	if err != nil {
		return err
	}
	s.set.Store(&keySet{gen: 1, keys: keys, raw: doc})
	s.lastLoad = now
	s.next.Store(now.Add(s.every).UnixNano())
	return nil
}

// current returns the key set to verify with, first starting a periodic check
// when one is due and no other load is running.
func (s *keyStore) current(now time.Time) *keySet {
	if now.UnixNano() >= s.next.Load() && s.mu.TryLock() {
		if now.UnixNano() < s.next.Load() { // another goroutine just did it
			s.mu.Unlock()
		} else if s.background {
			go func() {
				defer s.mu.Unlock()
				ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
				defer cancel()
				s.reload(ctx, now)
			}()
		} else {
			s.reload(context.Background(), now)
			s.mu.Unlock()
		}
	}
	return s.set.Load()
}

// forced looks for a new key set because a token named a key that seen does
// not have. It returns the set to retry with: a newer one if another
// goroutine loaded it meanwhile, or the result of its own load, unless a load
// happened less than minForced ago, which stops a stream of made-up key ids
// from hammering the identity provider.
func (s *keyStore) forced(ctx context.Context, now time.Time, seen *keySet) (*keySet, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur := s.set.Load(); cur != seen {
		return cur, nil
	}
	if now.Sub(s.lastLoad) < s.minForced {
		return seen, nil
	}
	err := s.reload(ctx, now)
	return s.set.Load(), err
}

// reload loads and publishes a new key set if the document changed. On error
// the previous set stays: an identity provider outage must not lock every
// caller out while the keys it last published are still good. Called with mu
// held.
func (s *keyStore) reload(ctx context.Context, now time.Time) error {
	s.lastLoad = now
	doc, err := s.load(ctx)
	if err == nil && doc != nil {
		err = s.publish(doc)
	}
	if err != nil {
		// Retry soon rather than a full period later: the keys may be
		// rotating right now.
		s.next.Store(now.Add(min(s.minForced+time.Second, s.every)).UnixNano())
		s.warn(err, now)
		return err
	}
	s.next.Store(now.Add(s.every).UnixNano())
	s.lastWarn = ""
	return nil
}

// warn logs a load failure, but the same failure at most once a minute.
// Called with mu held.
func (s *keyStore) warn(err error, now time.Time) {
	msg := err.Error()
	if msg == s.lastWarn && now.Sub(s.lastWarnAt) < time.Minute {
		return
	}
	s.lastWarn, s.lastWarnAt = msg, now
	s.log.Warn("auth: keeping previous signing keys", "source", s.what, "err", msg)
}

func (s *keyStore) publish(doc []byte) error {
	old := s.set.Load()
	if bytes.Equal(doc, old.raw) {
		return nil
	}
	keys, err := parseKeySet(doc)
	if err != nil {
		return err
	}
	s.set.Store(&keySet{gen: old.gen + 1, keys: keys, raw: doc})
	s.log.Info("auth: signing keys updated", "source", s.what, "keys", len(keys))
	return nil
}

// fileSource reads a JWKS file, but only when its identity, size or
// modification time changed since the last read, so a check is one stat.
// Its fields are used only by load, under keyStore.mu.
type fileSource struct {
	path string
	info os.FileInfo
}

func (f *fileSource) load(context.Context) ([]byte, error) {
	info, err := os.Stat(f.path)
	if err != nil {
		return nil, err
	}
	if sameVersion(f.info, info) {
		return nil, nil
	}
	if err := checkKeyFile(f.path, info); err != nil {
		return nil, err
	}
	doc, err := readFileLimited(f.path, maxJWKSSize)
	if err != nil {
		return nil, err
	}
	// A file rewritten in place may be read half-written. Remember its
	// version only if it did not move under us, so the next check reads it
	// again once the writer is done.
	if after, err := os.Stat(f.path); err != nil || !sameVersion(info, after) {
		return nil, errors.New("JWKS file changed while being read")
	}
	f.info = info
	return doc, nil
}

func sameVersion(a, b os.FileInfo) bool {
	return a != nil && b != nil && os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}

func readFileLimited(path string, limit int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	return readLimited(fh, limit)
}

func readLimited(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return b, nil
}

// getJSON fetches a small JSON document from the identity provider.
func getJSON(ctx context.Context, client *http.Client, url string, limit int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	b, err := readLimited(resp.Body, limit)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	return b, nil
}
