// Package sealed owns what every store adapter keeps the same way, whatever
// holds the bytes: a generation's metadata (Meta) and its authenticator,
// and the records sealed one by one to their generation and lookup key.
// The Badger store (package store) and the PostgreSQL store
// (store/postgres) both build on it, so a database administrator, a backup
// or a replica learns no more than a stolen data directory would.
package sealed

import (
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"strings"
	"sync"
	"time"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/keys"
)

// Records are sealed one by one with AES-256-GCM before a store sees them,
// under a key of their generation's own: HKDF of the key version with a
// random salt kept in the metadata. The additional data is the generation
// id and the lookup key (RecordAD), so a record opens only in the
// generation and under the key it was written for.
const (
	Sealing      = "aes-256-gcm"
	sealLabel    = "generation-records"
	sealSaltSize = 32
)

// Keys gives a store the at-rest keys of a key version, as operations
// where it can (see keys.Key).
type Keys interface {
	// Sealer returns the AEAD of the records of generations built with
	// key version keyID and salted with salt. It must be safe for
	// concurrent use.
	Sealer(keyID string, salt []byte) (cipher.AEAD, error)
	// BadgerKey returns the key of Badger's own encryption at rest, which
	// generations written before sealing use; they stay readable.
	BadgerKey(keyID string) ([]byte, error)
	// MetaMAC returns a fresh MAC that authenticates the metadata of
	// generations built with key version keyID.
	MetaMAC(keyID string) (hash.Hash, error)
}

// KeyringKeys takes the at-rest keys from a keyring.
func KeyringKeys(kr *keys.Keyring) Keys { return keyringKeys{kr} }

type keyringKeys struct{ kr *keys.Keyring }

func (k keyringKeys) Sealer(id string, salt []byte) (cipher.AEAD, error) {
	key, err := k.kr.Key(id)
	if err != nil {
		return nil, err
	}
	// The stdlib's GCM keeps nothing but its key schedule after creation,
	// so one instance serves every reader of a generation.
	return key.NewAEAD(sealLabel, salt), nil
}

// metaLabel names the keyring subkey that authenticates the metadata.
const metaLabel = "generation-metadata"

func (k keyringKeys) MetaMAC(id string) (hash.Hash, error) {
	key, err := k.kr.Key(id)
	if err != nil {
		return nil, err
	}
	return key.NewAuthMAC(metaLabel), nil
}

// badgerLabel names the keyring subkey of Badger's encryption.
const badgerLabel = "badger-encryption"

func (k keyringKeys) BadgerKey(id string) ([]byte, error) {
	key, err := k.kr.Key(id)
	if err != nil {
		return nil, err
	}
	return key.StorageKey(badgerLabel), nil
}

// Meta describes a generation, kept in the clear beside its records:
// opening a generation needs its key id and salt before any record can be
// read, and none of it is personal data.
type Meta struct {
	ID      string    `json:"id"`
	KeyID   string    `json:"key_id"`
	Profile string    `json:"profile"`
	Created time.Time `json:"created"`
	Lines   int64     `json:"lines"`
	Format  int       `json:"record_format"`
	// LookupSalt salts the lookup keys (engine.GenerationInfo).
	LookupSalt []byte `json:"lookup_salt,omitempty"`
	// ProfileDefinition is the normalisation profile's complete definition
	// (engine.GenerationInfo), absent in generations made before it was
	// recorded.
	ProfileDefinition json.RawMessage `json:"profile_definition,omitempty"`
	// Sealing names the AEAD of the records ("" in a plaintext store);
	// SealSalt makes the generation's key its own, and SealCheck, an empty
	// message sealed under it, lets a reader tell a wrong key up front.
	Sealing   string `json:"sealing,omitempty"`
	SealSalt  []byte `json:"seal_salt,omitempty"`
	SealCheck []byte `json:"seal_check,omitempty"`
	// Encrypted marks a Badger generation written with Badger's encryption
	// at rest, before records were sealed; it is still read.
	Encrypted bool    `json:"encrypted,omitempty"`
	Read      int64   `json:"rows_read"`
	Rejected  int64   `json:"rows_rejected"`
	Seconds   float64 `json:"ingest_seconds"`
	// Shards is how many Badger databases, one per key range, hold the
	// lines; 0 is a generation of one database at the top of its
	// directory, or one that is not in Badger.
	Shards int `json:"shards,omitempty"`
}

// Info is the engine's view of m.
func (m *Meta) Info() engine.GenerationInfo {
	return engine.GenerationInfo{ID: m.ID, KeyID: m.KeyID, Profile: m.Profile, ProfileDefinition: m.ProfileDefinition, Created: m.Created, Lines: m.Lines, Format: m.Format, LookupSalt: m.LookupSalt,
		Read: m.Read, Rejected: m.Rejected, IngestTime: time.Duration(m.Seconds * float64(time.Second))}
}

// Finish records a build's figures in m as it commits.
func (m *Meta) Finish(stats engine.CommitStats) {
	m.Lines, m.Created = stats.Lines, time.Now().UTC().Truncate(time.Second)
	m.Read, m.Rejected, m.Seconds = stats.Read, stats.Rejected, stats.Elapsed.Seconds()
}

// ParseMeta reads metadata as MarshalMeta wrote it.
func ParseMeta(b []byte) (*Meta, error) {
	var m Meta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("parse generation metadata: %w", err)
	}
	return &m, nil
}

// The metadata is authenticated by the HMAC-SHA-256, in hex, of its exact
// bytes under a key derived from the generation's key version
// (Keys.MetaMAC). Every field is covered, sealing and salts included, so
// without the keyring no one can strip a generation's sealing, swap its
// salts or counts, or pass one generation's metadata off as another's: a
// store checks that the id inside names the generation it opens. The MAC
// is kept beside the bytes, not in them: what is authenticated is the
// stored bytes as they are, with no canonical form to agree on.

// MarshalMeta returns m's stored form and its authenticator.
func MarshalMeta(k Keys, m *Meta) (b, mac []byte, err error) {
	if b, err = json.MarshalIndent(m, "", "  "); err != nil {
		return nil, nil, err
	}
	b = append(b, '\n')
	sum, err := metaMAC(k, m.KeyID, b)
	if err != nil {
		return nil, nil, err
	}
	return b, []byte(hex.EncodeToString(sum)), nil
}

func metaMAC(k Keys, keyID string, b []byte) ([]byte, error) {
	if k == nil {
		return nil, errors.New("generation metadata cannot be authenticated without a keyring")
	}
	h, err := k.MetaMAC(keyID)
	if err != nil {
		return nil, err
	}
	h.Write(b)
	return h.Sum(nil), nil
}

// VerifyMeta checks that mac authenticates b, the stored form of m; what
// names where b is kept, for the message.
func VerifyMeta(k Keys, m *Meta, b, mac []byte, what string) error {
	want, err := hex.DecodeString(strings.TrimSpace(string(mac)))
	if err != nil {
		want = nil // compares unequal below, with the same message
	}
	got, err := metaMAC(k, m.KeyID, b)
	if err != nil {
		return fmt.Errorf("cannot check its metadata: %w", err)
	}
	if !hmac.Equal(got, want) {
		return fmt.Errorf("%s does not authenticate under key %s: the metadata was altered, or the keyring holds another key under that id", what, m.KeyID)
	}
	return nil
}

// NewSeal draws a new generation's salt and seals the key check into m.
func NewSeal(k Keys, m *Meta) (cipher.AEAD, error) {
	m.Sealing, m.SealSalt = Sealing, make([]byte, sealSaltSize)
	rand.Read(m.SealSalt)
	aead, err := sealer(k, m)
	if err != nil {
		return nil, err
	}
	m.SealCheck = aead.Seal(nil, nil, nil, checkData(m))
	return aead, nil
}

// OpenSeal returns the AEAD of a sealed generation, after checking that
// the keyring's key version is the one the generation was sealed with.
func OpenSeal(k Keys, m *Meta) (cipher.AEAD, error) {
	if m.Sealing != Sealing {
		return nil, fmt.Errorf("unknown record sealing %q", m.Sealing)
	}
	aead, err := sealer(k, m)
	if err != nil {
		return nil, err
	}
	if _, err := aead.Open(nil, nil, m.SealCheck, checkData(m)); err != nil {
		return nil, fmt.Errorf("key %s does not open this generation: the keyring holds another key under its id", m.KeyID)
	}
	return aead, nil
}

func sealer(k Keys, m *Meta) (cipher.AEAD, error) {
	if k == nil {
		return nil, errors.New("generation is sealed and no keyring was given")
	}
	return k.Sealer(m.KeyID, m.SealSalt)
}

// RecordAD appends the additional data of the record under key in
// generation id: ids have a fixed length, so the two parts cannot run
// into each other.
func RecordAD(dst []byte, id string, key []byte) []byte {
	return append(append(dst, id...), key...)
}

// checkData binds the key check to its generation.
func checkData(m *Meta) []byte { return []byte("kycmatch generation " + m.ID) }

// ErrOpen is what a record that fails authentication reports: never its
// bytes, and never which of key, record or lookup key is at fault.
var ErrOpen = errors.New("record does not authenticate: the generation is damaged or was altered")

// Opener opens the stored records of one generation. Safe for concurrent
// use.
type Opener struct {
	aead cipher.AEAD // nil: records are stored as they are
	id   string
	// bound is whether records are sealed to the generation id as well as
	// their lookup key; false only in Badger generations from before that.
	bound bool
	ads   sync.Pool // *[]byte: additional data of a record being opened
}

// NewOpener opens records sealed with aead (nil: stored in the clear) in
// generation id.
func NewOpener(aead cipher.AEAD, id string, bound bool) *Opener {
	o := &Opener{aead: aead, id: id, bound: bound}
	o.ads.New = func() any { return new([]byte) }
	return o
}

// Open appends the record stored as v under key to dst.
func (o *Opener) Open(dst, key, v []byte) ([]byte, error) {
	if o.aead == nil {
		return append(dst, v...), nil
	}
	ad := key
	if o.bound {
		// Pooled: built on the stack it would escape into the AEAD call,
		// an allocation per read.
		p := o.ads.Get().(*[]byte)
		defer o.ads.Put(p)
		*p = RecordAD((*p)[:0], o.id, key)
		ad = *p
	}
	out, err := o.aead.Open(dst, nil, v, ad)
	if err != nil {
		return dst, ErrOpen
	}
	return out, nil
}

// Sealer seals the records of one stream of a generation being built. Not
// safe for concurrent use: each stream has its own.
type Sealer struct {
	aead    cipher.AEAD // nil: records are stored as they are
	id      string
	ad, out []byte
}

// NewSealer seals records with aead (nil: not at all) for generation id.
func NewSealer(aead cipher.AEAD, id string) *Sealer { return &Sealer{aead: aead, id: id} }

// Seal returns rec as stored under key, valid until the next call.
func (s *Sealer) Seal(key, rec []byte) []byte {
	if s.aead == nil {
		return rec
	}
	s.ad = RecordAD(s.ad[:0], s.id, key)
	s.out = s.aead.Seal(s.out[:0], nil, rec, s.ad)
	return s.out
}
