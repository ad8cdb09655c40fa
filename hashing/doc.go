// Package hashing owns what kycmatch stores in place of a subscriber's
// values. A Scheme, under one key version of the keyring, turns a line's
// E.164 number into its lookup key, each normalised value into a salted,
// keyed digest, and each scored value into keyed score tokens, from which
// the matcher computes Jaro–Winkler against a submitted value without the
// stored one (tokens.go).
//
// Everything stored is keyed: without the keyring a record is random bytes,
// and a guessed value cannot be checked against it offline. Each field has
// its own derived key and tokens have keys of their own, so digests of two
// attributes, or a digest and a token, can never be compared. Digest and
// LookupKey compare in constant time and never print their bytes.
//
// The package holds no key bytes: package keys hands it MACs and block
// ciphers, never the key they come from.
package hashing
