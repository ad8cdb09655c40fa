// Package storetest is the contract of an engine.Store, as tests every
// store adapter runs unchanged: Run(t, harness). Only tests import it.
package storetest

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"testing"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/store/sealed"
)

// Options are what a test asks of a store it opens.
type Options struct {
	Keys sealed.Keys
	// Plaintext builds generations without sealing and reads unsealed
	// ones.
	Plaintext bool
	// Streams, when set, is how many streams new generations are written
	// in.
	Streams int
}

// Harness adapts one store to the suite.
type Harness struct {
	// New makes an empty place for generations (a directory, a database)
	// and returns a function that opens stores on it; several stores may
	// be open on one place at once, as several processes would be.
	New func(t *testing.T) func(t *testing.T, o Options) engine.Store
	// Raw returns the lines of g as stored, sealed unless plaintext, and
	// opens one as Get would.
	Raw func(t *testing.T, g engine.Generation) (lines [][2][]byte, open func(key, v []byte) ([]byte, error))
}

// Run runs the contract against the harness's store.
func Run(t *testing.T, h Harness) {
	tests := []struct {
		name string
		fn   func(*testing.T, Harness)
	}{
		{"CommitMakesCurrent", testCommitMakesCurrent},
		{"AbortKeepsCurrent", testAbortKeepsCurrent},
		{"OneWriterAtATime", testOneWriterAtATime},
		{"ReadersShareGenerations", testReadersShareGenerations},
		{"KeysInOrder", testKeysInOrder},
		{"SealedNeedsKey", testSealedNeedsKey},
		{"SealedRecords", testSealedRecords},
		{"UnsealedNeedsAllow", testUnsealedNeedsAllow},
		{"ScanRange", testScanRange},
		{"Streams", testStreams},
		{"KeptGenerations", testKeptGenerations},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, h) })
	}
}

// Keys derives at-rest keys from one byte repeated, as keys.Key does from
// a keyring's secret, so store tests need no keyring file.
type Keys byte

func (k Keys) Sealer(id string, salt []byte) (cipher.AEAD, error) {
	key, err := hkdf.Key(sha256.New, bytes.Repeat([]byte{byte(k)}, 32), salt, "test/"+id, 32)
	if err != nil {
		return nil, err
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCMWithRandomNonce(b)
}

func (k Keys) BadgerKey(id string) ([]byte, error) { return bytes.Repeat([]byte{byte(k)}, 32), nil }

func (k Keys) MetaMAC(id string) (hash.Hash, error) {
	return hmac.New(sha256.New, bytes.Repeat([]byte{byte(k)}, 32)), nil
}

// Key is the key of every store test.
const Key = Keys(7)

// failingKeys has no key version at all.
type failingKeys struct{}

func (failingKeys) Sealer(string, []byte) (cipher.AEAD, error) {
	return nil, errors.New("key k1 is not in the keyring")
}
func (failingKeys) BadgerKey(string) ([]byte, error) {
	return nil, errors.New("key k1 is not in the keyring")
}
func (failingKeys) MetaMAC(string) (hash.Hash, error) {
	return nil, errors.New("key k1 is not in the keyring")
}

// Build commits a generation holding n lines whose keys are LineKey(i, n)
// and whose records are "tag-i".
func Build(tb testing.TB, st engine.Store, n int, tag string) engine.GenerationInfo {
	tb.Helper()
	w := Create(tb, st)
	for i := 0; i < n; i++ {
		k := LineKey(i, n)
		if err := w.Put(engine.StreamOf(k, w.Streams()), k, []byte(fmt.Sprintf("%s-%d", tag, i))); err != nil {
			tb.Fatal(err)
		}
	}
	info, err := w.Commit(context.Background(), engine.CommitStats{Lines: int64(n)})
	if err != nil {
		tb.Fatal(err)
	}
	return info
}

// LineKey spreads n keys evenly over the key space, in increasing order.
func LineKey(i, n int) []byte {
	k := make([]byte, 16)
	k[0] = byte(i * 256 / n)
	k[15] = byte(i)
	return k
}

// Create starts a generation of key version k1.
func Create(tb testing.TB, st engine.Store) engine.GenerationWriter {
	tb.Helper()
	w, err := st.Create(context.Background(), engine.GenerationInfo{KeyID: "k1", Profile: "default", Format: engine.RecordFormat})
	if err != nil {
		tb.Fatal(err)
	}
	return w
}

// Get reads key from the current generation: the record, or the error's
// code.
func Get(tb testing.TB, st engine.Store, k []byte) string {
	tb.Helper()
	gen, err := st.Current(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	defer gen.Close()
	v, err := gen.Get(context.Background(), k, nil)
	if err != nil {
		return engine.ErrorCode(err)
	}
	return string(v)
}
