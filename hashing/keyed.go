package hashing

import (
	"bytes"
	"crypto/cipher"
	crand "crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"math/rand/v2"

	"github.com/kycmatch/kycmatch/keys"
)

// Sizes of what is stored. 128 bits keep digests and lookup keys far from
// any collision among billions of values; tokens are shorter (see Token).
const (
	SaltSize      = 16
	DigestSize    = 16
	LookupKeySize = 16
	TokenSize     = 6
)

// incomparable stops == on types whose equality must be constant-time.
type incomparable [0]func()

// Salt is a subscriber line's random salt. It is stored in the clear beside
// the line's digests: without the keyring it is just random bytes, and it is
// what makes two lines with the same birthdate share no stored byte.
type Salt [SaltSize]byte

// Digest is the keyed, salted digest of one normalised value.
type Digest struct {
	_ incomparable
	b [DigestSize]byte
}

// DigestFromBytes copies a stored digest.
func DigestFromBytes(b []byte) (Digest, error) {
	var d Digest
	if len(b) != DigestSize {
		return d, fmt.Errorf("digest: got %d bytes, want %d", len(b), DigestSize)
	}
	copy(d.b[:], b)
	return d, nil
}

// Equal compares in constant time, so a partner cannot time how many bytes
// of a guess were right.
func (d *Digest) Equal(o *Digest) bool { return subtle.ConstantTimeCompare(d.b[:], o.b[:]) == 1 }

// EqualBytes compares d with a stored digest in constant time.
func (d *Digest) EqualBytes(b []byte) bool { return subtle.ConstantTimeCompare(d.b[:], b) == 1 }

// AppendBinary appends the digest's bytes.
func (d *Digest) AppendBinary(b []byte) []byte { return append(b, d.b[:]...) }

// String never prints the bytes: digests are not secret, but nothing should
// encourage logging them next to requests.
func (d Digest) String() string { return "digest" }

// LookupKey is the keyed digest of an E.164 phone number, the one stored
// value that can be found without knowing a line first. It is not salted
// per line, only per generation (Scheme.WithLookupSalt).
type LookupKey struct {
	_ incomparable
	b [LookupKeySize]byte
}

// Bytes returns a copy of the key's bytes, the store's key.
func (k *LookupKey) Bytes() []byte { return append([]byte(nil), k.b[:]...) }

// AppendBinary appends the key's bytes.
func (k *LookupKey) AppendBinary(b []byte) []byte { return append(b, k.b[:]...) }

// String names the type without printing bytes.
func (k LookupKey) String() string { return "lookup-key" }

// Labels of the derived keys. Every field gets its own digest key, so
// values of different attributes can never be compared with each other;
// tokens have their own keys, so a digest and a token never can either.
const (
	labelLookup      = "lookup/phoneNumber"
	labelDigest      = "digest/"
	labelTokenStream = "token-stream"
	labelRune        = "token-rune"
	labelLineRune    = "token-rune/line"
)

// Message tags inside the MACs: a second layer of separation beside the
// per-field keys, so a future label mix-up still cannot make two kinds of
// input collide.
const (
	tagLookup       byte = 'L'
	tagLookupSalted byte = 'K'
	tagDigest       byte = 'D'
)

// Scheme hashes the values of one generation under one key version. It is
// safe for concurrent use; each goroutine takes its own Hasher.
type Scheme struct {
	key     *keys.Key
	profile *Profile
	fields  []string
	stream  cipher.Block // token key stream of records; AES blocks are safe to share
	runes   cipher.Block // token rune codes of SchemeCodes
	// lineRunes keys LineCodes: a key of its own, so no line's code book
	// is ever the scheme's.
	lineRunes cipher.Block
	// lookupSalt makes one generation's lookup keys its own (see
	// WithLookupSalt); empty gives the unsalted keys of older generations.
	lookupSalt []byte
}

// WithLookupSalt returns a copy of s whose lookup keys also depend on salt.
// A full ingest draws a new salt, so two generations built from the same
// export share no stored key and nobody holding the data directory can
// link a line across them or count the lines that came and went. A delta
// keeps its base's salt: it must find the base's lines.
func (s *Scheme) WithLookupSalt(salt []byte) *Scheme {
	c := *s
	c.lookupSalt = bytes.Clone(salt)
	return &c
}

// LookupSalt returns the salt of the scheme's lookup keys.
func (s *Scheme) LookupSalt() []byte { return s.lookupSalt }

// NewScheme prepares the derived keys of every field. fields names them (the
// CAMARA attribute names); field numbers are indices into it.
func NewScheme(k *keys.Key, p *Profile, fields []string) *Scheme {
	s := &Scheme{key: k, profile: p, fields: append([]string(nil), fields...)}
	s.stream = k.NewBlock(labelTokenStream)
	s.runes = k.NewBlock(labelRune)
	s.lineRunes = k.NewBlock(labelLineRune)
	return s
}

// KeyID names the key version the scheme hashes with.
func (s *Scheme) KeyID() string { return s.key.ID() }

// Profile returns the normalisation rules of the scheme.
func (s *Scheme) Profile() *Profile { return s.profile }

// Hasher computes digests with reusable MAC states: a new HMAC per call
// would allocate and hash the key's padded blocks again for every digest.
// Not safe for concurrent use.
type Hasher struct {
	s      *Scheme
	lookup hash.Hash
	macs   []hash.Hash
	sum    [32]byte
	hdr    [2 + SaltSize + 4]byte
	buf    []byte
	blk    [32]byte // block cipher input and output
	pad    *rand.ChaCha8
	// Rune codes: the book in use, its input block (prefix, rune) and
	// output, and the cache of scoring.
	book    cipher.Block
	paired  bool // two codes a block: LineCodes
	codeBlk [32]byte
	codes   [codeCacheSize]codeEntry
	// Token scratch: the record being built, or the one being scored.
	dict      runeDict
	idx       []uint16
	lens      []int
	src       []byte
	secs      []tokenSection
	width     int // index bytes of the opened block
	dictCodes []uint64
	seq       []uint64
	// dirty has bit f set when field f's MAC has hashed a value since the
	// last Clear, and bit dirtyLookup for the lookup MAC.
	dirty uint64
}

const dirtyLookup = 63

// NewHasher returns a Hasher for one goroutine.
func (s *Scheme) NewHasher() *Hasher {
	var seed [32]byte
	crand.Read(seed[:])
	if len(s.fields) > dirtyLookup {
		panic("hashing: more fields than Hasher.dirty has bits")
	}
	h := &Hasher{s: s, lookup: s.key.NewMAC(labelLookup), macs: make([]hash.Hash, len(s.fields)), pad: rand.NewChaCha8(seed)}
	for i, f := range s.fields {
		h.macs[i] = s.key.NewMAC(labelDigest + f)
	}
	return h
}

// Scheme returns the scheme the hasher belongs to.
func (h *Hasher) Scheme() *Scheme { return h.s }

// LookupKey returns the store key of an E.164 number.
func (h *Hasher) LookupKey(e164 string) LookupKey {
	m := h.lookup
	m.Reset()
	h.dirty |= 1 << dirtyLookup
	// Unsalted: [L][len][e164]; salted: [K][len][salt][len][e164].
	h.hdr[0] = tagLookup
	if salt := h.s.lookupSalt; len(salt) > 0 {
		h.hdr[0] = tagLookupSalted
		binary.BigEndian.PutUint32(h.hdr[1:5], uint32(len(salt)))
		m.Write(h.hdr[:5])
		m.Write(salt)
		binary.BigEndian.PutUint32(h.hdr[1:5], uint32(len(e164)))
		m.Write(h.hdr[1:5])
	} else {
		binary.BigEndian.PutUint32(h.hdr[1:5], uint32(len(e164)))
		m.Write(h.hdr[:5])
	}
	h.buf = append(h.buf[:0], e164...)
	m.Write(h.buf)
	var k LookupKey
	copy(k.b[:], m.Sum(h.sum[:0]))
	return k
}

// Digest returns the salted digest of a normalised value of a field:
// HMAC-SHA-256 under the field's key of tag ‖ field ‖ salt ‖ len ‖ value,
// truncated to 128 bits.
func (h *Hasher) Digest(field int, salt *Salt, value []byte) Digest {
	m := h.macs[field]
	m.Reset()
	h.dirty |= 1 << field
	h.hdr[0] = tagDigest
	h.hdr[1] = byte(field)
	copy(h.hdr[2:2+SaltSize], salt[:])
	binary.BigEndian.PutUint32(h.hdr[2+SaltSize:], uint32(len(value)))
	m.Write(h.hdr[:])
	m.Write(value)
	var d Digest
	copy(d.b[:], m.Sum(h.sum[:0]))
	return d
}

// Clear zeroes what the hasher keeps of the last values it hashed and the
// last token block it built or opened: the phone number and salt it copied,
// the digest it computed, the tail of each message still in its MAC states'
// buffers, the opened block, its codes and the code cache. A pooled Hasher
// is cleared between requests, so a heap disclosure finds nothing of a line
// that is no longer being answered.
func (h *Hasher) Clear() {
	clear(h.buf[:cap(h.buf)])
	h.buf = h.buf[:0]
	clear(h.hdr[:])
	clear(h.sum[:])
	for f := range h.macs {
		if h.dirty&(1<<f) != 0 {
			scrubMAC(h.macs[f])
		}
	}
	if h.dirty&(1<<dirtyLookup) != 0 {
		scrubMAC(h.lookup)
	}
	h.dirty = 0
	h.clearTokens()
}

// scrubMAC drops the tail of an HMAC's last message from its buffer: once
// reset, the standard library's HMAC restores its state after the key
// block, buffer included (TestClear checks it does).
func scrubMAC(m hash.Hash) { m.Reset() }

// ErrTokens reports a stored token section that cannot be read.
var ErrTokens = errors.New("malformed token section")
