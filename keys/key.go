package keys

// Rule for this file: a Key's secret and every subkey derived from it stay
// inside this file, except the bytes StorageKey returns. Nothing here may
// format, log or return them in an error.

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"log/slog"
)

const (
	secretSize = 32 // 256-bit root secrets: as strong as the 256-bit subkeys derived from them
	idSize     = 8  // bytes of HKDF output in a key id: 64 bits make accidental collisions in one keyring negligible

	labelKeyID   = "kycmatch/v1/key-id"
	labelMAC     = "kycmatch/v1/mac/"
	labelBlock   = "kycmatch/v1/block/"
	labelStorage = "kycmatch/v1/storage/"
	labelAEAD    = "kycmatch/v1/aead/"
	labelAuth    = "kycmatch/v1/auth/"
	labelLine    = "kycmatch/v1/line-pseudonym"
)

// Key is one version of the keyring's secret. It exposes operations keyed
// with labelled subkeys, never the secret. A Key is immutable and safe for
// concurrent use; the hash.Hash and cipher.Block it returns are not.
type Key struct {
	_      [0]func() // not comparable: comparing keys with == would be a (non constant-time) secret comparison
	id     string
	secret [secretSize]byte
}

// newKey copies secret, so the caller can zero its buffer.
func newKey(secret []byte) *Key {
	k := &Key{}
	copy(k.secret[:], secret)
	k.id = hex.EncodeToString(k.derive(nil, labelKeyID, idSize))
	return k
}

// ID returns the key's public id: 16 lowercase hex characters derived one
// way from the secret.
func (k *Key) ID() string { return k.id }

// NewMAC returns a fresh HMAC-SHA-256 keyed with the 32-byte subkey
// HKDF-SHA-256(secret, salt=nil, info="kycmatch/v1/mac/"+label). Different
// labels give independent keys; use one per attribute and purpose. Reuse
// the returned hash with Reset rather than calling NewMAC per message: the
// derivation costs several SHA-256 blocks. It panics if label is empty.
func (k *Key) NewMAC(label string) hash.Hash {
	sub := k.derive(nil, labelMAC+checkLabel(label), 32)
	defer clear(sub)
	// hmac.New precomputes its padded keys, so sub can be zeroed afterwards.
	return hmac.New(sha256.New, sub)
}

// NewAuthMAC returns a fresh HMAC-SHA-256 keyed with the 32-byte subkey
// HKDF-SHA-256(secret, salt=nil, info="kycmatch/v1/auth/"+label), for
// authenticating what the program wrote itself (a generation's metadata).
// Its labels live apart from NewMAC's, which name attributes, so no label
// chosen for a digest can ever give the key of an authenticator. It panics
// if label is empty.
func (k *Key) NewAuthMAC(label string) hash.Hash {
	sub := k.derive(nil, labelAuth+checkLabel(label), 32)
	defer clear(sub)
	return hmac.New(sha256.New, sub)
}

// NewLineMAC returns a fresh HMAC-SHA-256 keyed with the 32-byte subkey
// HKDF-SHA-256(secret, salt=nil, info="kycmatch/v1/line-pseudonym"), the
// key of audit pseudonyms ([LineIDs]). It has a label of its own, outside
// NewMAC's, so that no attribute label can give a key whose digests could
// be joined with the audit log.
func (k *Key) NewLineMAC() hash.Hash {
	sub := k.derive(nil, labelLine, 32)
	defer clear(sub)
	return hmac.New(sha256.New, sub)
}

// NewBlock returns AES-256 keyed with the subkey
// HKDF-SHA-256(secret, salt=nil, info="kycmatch/v1/block/"+label), for
// use as a fast pseudorandom function on single 16-byte blocks. It panics
// if label is empty.
func (k *Key) NewBlock(label string) cipher.Block {
	sub := k.derive(nil, labelBlock+checkLabel(label), 32)
	defer clear(sub)
	b, err := aes.NewCipher(sub) // copies the key schedule
	if err != nil {
		panic("keys: aes.NewCipher rejected a 32-byte key") // unreachable
	}
	return b
}

// NewAEAD returns AES-256-GCM keyed with the subkey
// HKDF-SHA-256(secret, salt, info="kycmatch/v1/aead/"+label), in the
// standard library's random-nonce form: Seal draws a fresh 96-bit nonce and
// prepends it, so a caller cannot reuse one by mistake. The salt lets one
// key version give every generation a key of its own, so ciphertexts of two
// generations never share a key however many records each holds. It panics
// if label is empty.
func (k *Key) NewAEAD(label string, salt []byte) cipher.AEAD {
	sub := k.derive(salt, labelAEAD+checkLabel(label), 32)
	defer clear(sub)
	b, err := aes.NewCipher(sub)
	if err != nil {
		panic("keys: aes.NewCipher rejected a 32-byte key") // unreachable
	}
	a, err := cipher.NewGCMWithRandomNonce(b)
	if err != nil {
		panic("keys: NewGCMWithRandomNonce rejected AES") // unreachable
	}
	return a
}

// StorageKey returns the 32 bytes HKDF-SHA-256(secret, salt=nil,
// info="kycmatch/v1/storage/"+label).
//
// This is the one place key-derived bytes leave the package: Badger's
// encryption at rest takes its key as raw bytes, so an operation cannot be
// handed over instead. The bytes are a subkey, not the secret, and are
// independent of every other label's. The caller owns the returned slice
// and should zero it once the store has been opened. It panics if label
// is empty.
func (k *Key) StorageKey(label string) []byte {
	return k.derive(nil, labelStorage+checkLabel(label), 32)
}

// derive uses crypto/hkdf from the standard library rather than
// golang.org/x/crypto/hkdf: it is the same RFC 5869 construction, is
// covered by the Go FIPS 140-3 module, and keeps this package's crypto on
// the standard library's release cycle.
func (k *Key) derive(salt []byte, info string, n int) []byte {
	out, err := hkdf.Key(sha256.New, k.secret[:], salt, info, n)
	if err != nil {
		panic("keys: hkdf.Key failed for a short output") // unreachable: only output lengths over 255*32 fail
	}
	return out
}

func checkLabel(label string) string {
	if label == "" {
		panic("keys: empty derivation label")
	}
	return label
}

// String, GoString, Format and LogValue have value receivers so that even
// a dereferenced Key, printed with any verb or logged with slog, shows
// only its id.

// String returns "key <id>".
func (k Key) String() string { return "key " + k.id }

// GoString returns the same as String, so %#v cannot print the secret.
func (k Key) GoString() string { return k.String() }

// Format prints String for every verb and flag, so %x, %+v, %q and the
// like cannot print the secret either.
func (k Key) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(k.String())) }

// LogValue makes slog record the key as its String.
func (k Key) LogValue() slog.Value { return slog.StringValue(k.String()) }
