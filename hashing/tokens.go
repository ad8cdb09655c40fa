package hashing

import (
	"crypto/subtle"
	"encoding/binary"
	"fmt"
)

// Score tokens. Jaro–Winkler only ever compares a rune of the stored value
// with a rune of the submitted one, so the store keeps, for each position i
// of a normalised value, T_i = PRF(field key, salt ‖ variant ‖ i ‖ rune_i),
// and the engine asks eq(i, c) by recomputing the PRF for the submitted rune
// c. The PRF is AES-256 on one block under a per-field key derived from the
// keyring: with AES-NI a block costs about 15 ns against 150 ns for an HMAC,
// and a scored field needs hundreds of them. AES is a pseudorandom
// permutation, hence a pseudorandom function up to the birthday bound
// (2^64 blocks per key), far above what one key ever sees.
//
// Block: salt[:12] ‖ uint32(variant<<31 | position<<21 | rune). Runes fit in
// 21 bits, positions in 10 (MaxRunes < 1024); the rune value 0x1FFFFF, above
// any real rune, names the length mask, so it can never equal a token.
//
// The serving process never reconstructs a stored value: it can only test
// the submitted runes against it. (Encrypting the values would be as
// reversible with the keyring, but would put every stored value in the
// server's memory on every scored request.)
//
// Tokens keep 8 of the 16 bytes: a false eq needs a 2^-64 coincidence, and a
// request asks a few hundred, so scores stay exact while the store halves.
//
// Section layout: [padded/8 (1 byte)] [length XOR mask (2 bytes)] [padded × 8
// bytes]. Lengths are padded to multiples of tokenBucket with random
// tokens, and the true length is masked with the PRF, so the store shows a
// value's length only to within eight runes.

const (
	tokenBucket  = 8
	runeLenMask  = 0x1FFFFF // block "rune" of the length mask
	maxPosition  = 1<<10 - 1
	tokenNonce   = 12
	tokenHdrSize = 3
)

func tokenBlockInput(in []byte, salt *Salt, variant, pos int, r uint32) {
	copy(in[:tokenNonce], salt[:tokenNonce])
	binary.BigEndian.PutUint32(in[tokenNonce:16], uint32(variant&1)<<31|uint32(pos&maxPosition)<<21|r)
}

// prf computes the token block of (salt, variant, pos, r) under a field's
// key into h.blk[16:]. The scratch lives in the Hasher because a block
// cipher is called through an interface, which would move stack buffers to
// the heap on every call.
func (h *Hasher) prf(field int, salt *Salt, variant, pos int, r uint32) []byte {
	tokenBlockInput(h.blk[:16], salt, variant, pos, r)
	h.s.blocks[field].Encrypt(h.blk[16:], h.blk[:16])
	return h.blk[16:]
}

// AppendTokens appends the token section of a normalised value.
func (h *Hasher) AppendTokens(dst []byte, field int, salt *Salt, variant int, value []rune) []byte {
	if len(value) > MaxRunes {
		panic("hashing: value longer than MaxRunes reached AppendTokens")
	}
	padded := (len(value) + tokenBucket - 1) / tokenBucket * tokenBucket
	mask := h.prf(field, salt, variant, maxPosition, runeLenMask)
	dst = append(dst, byte(padded/tokenBucket))
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(value))^binary.BigEndian.Uint16(mask[:2]))
	for i, r := range value {
		dst = append(dst, h.prf(field, salt, variant, i, uint32(r))[:TokenSize]...)
	}
	// Padding tokens only need to look like tokens: random bytes from a
	// fast CSPRNG cost a fraction of a PRF call each.
	for i := len(value); i < padded; i++ {
		dst = binary.LittleEndian.AppendUint64(dst, h.pad.Uint64())
	}
	return dst
}

// AppendPadding appends n random bytes, which look like the digests and
// tokens around them.
func (h *Hasher) AppendPadding(dst []byte, n int) []byte {
	for ; n >= 8; n -= 8 {
		dst = binary.LittleEndian.AppendUint64(dst, h.pad.Uint64())
	}
	for ; n > 0; n-- {
		dst = append(dst, byte(h.pad.Uint64()))
	}
	return dst
}

// TokenSectionSize returns the size of the token section at the start of b.
func TokenSectionSize(b []byte) (int, error) {
	if len(b) < tokenHdrSize {
		return 0, ErrTokens
	}
	n := tokenHdrSize + int(b[0])*tokenBucket*TokenSize
	if n > len(b) {
		return 0, ErrTokens
	}
	return n, nil
}

// TokenSeq answers eq(i, c) for one stored value.
type TokenSeq struct {
	h       *Hasher
	field   int
	salt    *Salt
	variant int
	n       int
	toks    []byte
}

// OpenTokens reads a token section (as sized by TokenSectionSize). The
// section is not copied: it must outlive the TokenSeq, which also uses the
// Hasher's scratch space and so belongs to the Hasher's goroutine.
func (h *Hasher) OpenTokens(field int, salt *Salt, variant int, sec []byte) (TokenSeq, error) {
	size, err := TokenSectionSize(sec)
	if err != nil || size != len(sec) {
		return TokenSeq{}, ErrTokens
	}
	mask := h.prf(field, salt, variant, maxPosition, runeLenMask)
	n := int(binary.BigEndian.Uint16(sec[1:3]) ^ binary.BigEndian.Uint16(mask[:2]))
	padded := int(sec[0]) * tokenBucket
	if n > padded || n == 0 || padded-n >= tokenBucket {
		return TokenSeq{}, fmt.Errorf("%w: length does not fit its bucket (wrong key?)", ErrTokens)
	}
	return TokenSeq{h: h, field: field, salt: salt, variant: variant, n: n, toks: sec[tokenHdrSize:]}, nil
}

// Len returns the number of runes of the stored value.
func (t *TokenSeq) Len() int { return t.n }

// Eq reports whether the stored rune at pos is r.
func (t *TokenSeq) Eq(pos int, r rune) bool {
	if pos < 0 || pos >= t.n || r < 0 || r > 0x10FFFF {
		return false
	}
	tok := t.h.prf(t.field, t.salt, t.variant, pos, uint32(r))
	stored := t.toks[pos*TokenSize : (pos+1)*TokenSize]
	return subtle.ConstantTimeCompare(tok[:TokenSize], stored) == 1
}
