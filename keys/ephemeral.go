package keys

import "crypto/rand"

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
