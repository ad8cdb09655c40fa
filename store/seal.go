package store

import (
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"hash"

	"github.com/kycmatch/kycmatch/keys"
)

// Records are sealed one by one with AES-256-GCM before Badger sees them,
// under a key of their generation's own: HKDF of the key version with a
// random salt kept in GENERATION.json. The additional data is the
// generation id and the lookup key (recordAD), so a record opens only in
// the generation and under the key it was written for.
//
// Sealing replaced Badger's encryption at rest, which cost a served
// request an index-cache lookup per binary-search probe and a new AES
// cipher and buffer per value read (README, Performance). Sealing is one
// AEAD open per read and adds what Badger's CTR mode lacked, integrity.
const (
	sealing      = "aes-256-gcm"
	sealLabel    = "generation-records"
	sealSaltSize = 32
)

// Keys gives the store the at-rest keys of a key version, as operations
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

// metaLabel names the keyring subkey that authenticates GENERATION.json.
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

// newSeal draws a new generation's salt and seals the key check into m.
func (s *Store) newSeal(m *meta) (cipher.AEAD, error) {
	m.Sealing, m.SealSalt = sealing, make([]byte, sealSaltSize)
	rand.Read(m.SealSalt)
	aead, err := s.sealer(m)
	if err != nil {
		return nil, err
	}
	m.SealCheck = aead.Seal(nil, nil, nil, checkData(m))
	return aead, nil
}

// openSeal returns the AEAD of a sealed generation, after checking that
// the keyring's key version is the one the generation was sealed with.
func (s *Store) openSeal(m *meta) (cipher.AEAD, error) {
	if m.Sealing != sealing {
		return nil, fmt.Errorf("unknown record sealing %q", m.Sealing)
	}
	aead, err := s.sealer(m)
	if err != nil {
		return nil, err
	}
	if _, err := aead.Open(nil, nil, m.SealCheck, checkData(m)); err != nil {
		return nil, fmt.Errorf("key %s does not open this generation: the keyring holds another key under its id", m.KeyID)
	}
	return aead, nil
}

func (s *Store) sealer(m *meta) (cipher.AEAD, error) {
	if s.opt.Keys == nil {
		return nil, errors.New("generation is sealed and no keyring was given")
	}
	return s.opt.Keys.Sealer(m.KeyID, m.SealSalt)
}

// recordAD appends the additional data of the record under key in
// generation id: ids have a fixed length, so the two parts cannot run
// into each other.
func recordAD(dst []byte, id string, key []byte) []byte {
	return append(append(dst, id...), key...)
}

// checkData binds the key check to its generation.
func checkData(m *meta) []byte { return []byte("kycmatch generation " + m.ID) }

// errOpen is what a record that fails authentication reports: never its
// bytes, and never which of key, record or lookup key is at fault.
var errOpen = errors.New("record does not authenticate: the generation is damaged or was altered")
