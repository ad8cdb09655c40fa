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
// 21 bits, positions in 10 (MaxRunes < 1024); rune values above 0x10FFFF
// name the length mask and padding, so they can never equal a real token.
//
// Tokens keep 8 of the 16 bytes: a false eq needs a 2^-64 coincidence, and a
// request asks a few hundred, so scores stay exact while the store halves.
//
// Section layout: [padded/8 (1 byte)] [length XOR mask (2 bytes)] [padded × 8
// bytes]. Lengths are padded to multiples of tokenBucket with tokens of a
// rune that does not exist, and the true length is masked with the PRF, so
// the store shows a value's length only to within eight runes.

const (
	tokenBucket  = 8
	runeLenMask  = 0x1FFFFF // block "rune" of the length mask
	runePadding  = 0x1FFFFE // block "rune" of padding tokens
	maxPosition  = 1<<10 - 1
	tokenNonce   = 12
	tokenHdrSize = 3
)

func tokenBlockInput(in *[16]byte, salt *Salt, variant, pos int, r uint32) {
	copy(in[:tokenNonce], salt[:tokenNonce])
	binary.BigEndian.PutUint32(in[tokenNonce:], uint32(variant&1)<<31|uint32(pos&maxPosition)<<21|r)
}

// AppendTokens appends the token section of a normalised value.
func (s *Scheme) AppendTokens(dst []byte, field int, salt *Salt, variant int, value []rune) []byte {
	if len(value) > MaxRunes {
		panic("hashing: value longer than MaxRunes reached AppendTokens")
	}
	padded := (len(value) + tokenBucket - 1) / tokenBucket * tokenBucket
	blk := s.blocks[field]
	var in, out [16]byte
	tokenBlockInput(&in, salt, variant, maxPosition, runeLenMask)
	blk.Encrypt(out[:], in[:])
	dst = append(dst, byte(padded/tokenBucket))
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(value))^binary.BigEndian.Uint16(out[:2]))
	for i := 0; i < padded; i++ {
		r := uint32(runePadding)
		if i < len(value) {
			r = uint32(value[i])
		}
		tokenBlockInput(&in, salt, variant, i, r)
		blk.Encrypt(out[:], in[:])
		dst = append(dst, out[:TokenSize]...)
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
	s       *Scheme
	field   int
	salt    *Salt
	variant int
	n       int
	toks    []byte
}

// OpenTokens reads a token section (as sized by TokenSectionSize). The
// section is not copied: it must outlive the TokenSeq.
func (s *Scheme) OpenTokens(field int, salt *Salt, variant int, sec []byte) (TokenSeq, error) {
	size, err := TokenSectionSize(sec)
	if err != nil || size != len(sec) {
		return TokenSeq{}, ErrTokens
	}
	var in, out [16]byte
	tokenBlockInput(&in, salt, variant, maxPosition, runeLenMask)
	s.blocks[field].Encrypt(out[:], in[:])
	n := int(binary.BigEndian.Uint16(sec[1:3]) ^ binary.BigEndian.Uint16(out[:2]))
	padded := int(sec[0]) * tokenBucket
	if n > padded || n == 0 || padded-n >= tokenBucket {
		return TokenSeq{}, fmt.Errorf("%w: length does not fit its bucket (wrong key?)", ErrTokens)
	}
	return TokenSeq{s: s, field: field, salt: salt, variant: variant, n: n, toks: sec[tokenHdrSize:]}, nil
}

// Len returns the number of runes of the stored value.
func (t *TokenSeq) Len() int { return t.n }

// Eq reports whether the stored rune at pos is r.
func (t *TokenSeq) Eq(pos int, r rune) bool {
	if pos < 0 || pos >= t.n || r < 0 || r > 0x10FFFF {
		return false
	}
	var in, out [16]byte
	tokenBlockInput(&in, t.salt, t.variant, pos, uint32(r))
	t.s.blocks[t.field].Encrypt(out[:], in[:])
	stored := t.toks[pos*TokenSize : (pos+1)*TokenSize]
	return subtle.ConstantTimeCompare(out[:TokenSize], stored) == 1
}
