package keys

import (
	"crypto/rand"
	"fmt"
)

// Ephemeral returns a fresh key that exists only in this process and in no
// keyring, for work whose digests are thrown away: kycmatch check encodes
// an export exactly as ingest would, to find the same rejects, without the
// operator's keyring.
func Ephemeral() *Key {
	var secret [secretSize]byte
	rand.Read(secret[:]) // never fails (crypto/rand since Go 1.24)
	defer clear(secret[:])
	return newKey(secret[:])
}

// InMemory returns a keyring of one fresh version that exists only in this
// process and in no file, for generations thrown away with the process:
// the partner sandbox's, built from synthetic data. Rotate fails on it, as
// there is no file to rewrite.
func InMemory() (*Keyring, error) {
	e, err := newEntry(1)
	if err != nil {
		return nil, fmt.Errorf("keys: in-memory keyring: %w", err)
	}
	return &Keyring{entries: []entry{e}, active: e.key}, nil
}
