package store

import (
	"github.com/kycmatch/kycmatch/keys"
	"github.com/kycmatch/kycmatch/store/sealed"
)

// Records are sealed one by one before Badger sees them (see package
// sealed, shared with the PostgreSQL store).
//
// Sealing replaced Badger's encryption at rest, which cost a served
// request an index-cache lookup per binary-search probe and a new AES
// cipher and buffer per value read (README, Performance). Sealing is one
// AEAD open per read and adds what Badger's CTR mode lacked, integrity.

// Keys gives the store the at-rest keys of a key version.
type Keys = sealed.Keys

// KeyringKeys takes the at-rest keys from a keyring.
func KeyringKeys(kr *keys.Keyring) Keys { return sealed.KeyringKeys(kr) }
