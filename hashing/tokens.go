package hashing

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"fmt"
)

// Score tokens. Jaro–Winkler only ever compares a rune of the stored value
// with a rune of the submitted one, so the store keeps one token per
// position of a normalised value, and the engine answers eq(i, c), "is the
// stored rune at i equal to the submitted rune c?", from it.
//
//	T_i = F(k_F, rune_i) XOR KS(k_S, salt)[8i+o : 8i+o+8]
//
// F is AES-256 on one block under the field's rune key, truncated to 8
// bytes: a pseudorandom code of a rune, one per field. KS is the AES-256-CTR
// key stream of the line, from a counter block made of its salt; the token
// sections of a record take consecutive stretches of it (o is where a
// section starts), so no two tokens anywhere share key stream. A stored
// token is therefore a one-time-padded code: without the keys it is
// uniformly random, and equal runes give unequal tokens across positions,
// variants, fields and lines. eq(i, c) is T_i XOR KS_i == F(c).
//
// This replaces T_i = AES(salt ‖ i ‖ rune_i), one block cipher call per
// position, which cost a third of an ingest: the key stream of a whole
// record is one bulk CTR call (about 5 ns a block, two positions a block)
// and F is one call per distinct rune, cached. Against someone holding the
// data directory the two are the same (random tokens); against someone
// holding the keyring too, both are reversible position by position (F over
// the alphabet), which is why the keyring is what matters
// (docs/PRIVACY.md). While scoring, the server unmasks the F codes of one
// stored value: a keyed substitution code of it, never the value.
//
// Tokens are 8 bytes: a false eq needs a 2^-64 coincidence, and a request
// asks a few hundred, so scores stay exact.
//
// Section layout: [padded/8 (1 byte)] then, under key stream, [length (2
// bytes)] [padded × 8 bytes]. Lengths are padded to multiples of
// tokenBucket with random tokens and the true length is under key stream
// too, so the store shows a value's length only to within eight runes.

const (
	tokenBucket  = 8
	tokenHdrSize = 3
)

// TokenStream returns the key stream of a record's token sections,
// positioned at byte off of it.
func (h *Hasher) TokenStream(salt *Salt, off int) cipher.Stream {
	var iv [aes.BlockSize]byte
	copy(iv[:], salt[:])
	binary.BigEndian.PutUint32(iv[12:], uint32(off/aes.BlockSize))
	st := cipher.NewCTR(h.s.stream, iv[:])
	if skip := off % aes.BlockSize; skip > 0 {
		st.XORKeyStream(h.blk[:skip], h.blk[:skip])
	}
	return st
}

// runeCode is F(rune), cached: a value has few distinct runes, and a
// field's codes never change under one scheme.
func (h *Hasher) runeCode(field int, r rune) uint64 {
	e := &h.codes[field][uint32(r)%codeCacheSize]
	if e.ok && e.r == r {
		return e.code
	}
	binary.BigEndian.PutUint32(h.blk[12:16], uint32(r))
	clear(h.blk[:12])
	h.s.rblocks[field].Encrypt(h.blk[16:], h.blk[:16])
	*e = codeEntry{r: r, code: binary.LittleEndian.Uint64(h.blk[16:24]), ok: true}
	return e.code
}

const codeCacheSize = 128

type codeEntry struct {
	r    rune
	code uint64
	ok   bool
}

// AppendTokenSection appends the token section of a normalised value with
// its bytes after the first still in the clear; the record's encoder then
// runs TokenStream over every section, in record order.
func (h *Hasher) AppendTokenSection(dst []byte, field int, value []rune) []byte {
	if len(value) > MaxRunes {
		panic("hashing: value longer than MaxRunes reached AppendTokenSection")
	}
	padded := (len(value) + tokenBucket - 1) / tokenBucket * tokenBucket
	dst = append(dst, byte(padded/tokenBucket))
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(value)))
	for _, r := range value {
		dst = binary.LittleEndian.AppendUint64(dst, h.runeCode(field, r))
	}
	// Padding only needs to look like tokens: random codes under key
	// stream are random.
	return h.AppendPadding(dst, (padded-len(value))*TokenSize)
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
	h     *Hasher
	field int
	codes []uint64
}

// OpenTokens reads a token section (as sized by TokenSectionSize) whose
// second byte sits at byte off of the record's token stream. The TokenSeq
// uses the Hasher's scratch space: it belongs to the Hasher's goroutine and
// lasts until the next OpenTokens.
func (h *Hasher) OpenTokens(field int, salt *Salt, sec []byte, off int) (TokenSeq, error) {
	size, err := TokenSectionSize(sec)
	if err != nil || size != len(sec) {
		return TokenSeq{}, ErrTokens
	}
	padded := int(sec[0]) * tokenBucket
	buf := append(h.src[:0], sec[1:]...)
	h.TokenStream(salt, off).XORKeyStream(buf, buf)
	h.src = buf
	n := int(binary.BigEndian.Uint16(buf))
	if n > padded || n == 0 || padded-n >= tokenBucket {
		return TokenSeq{}, fmt.Errorf("%w: length does not fit its bucket (wrong key?)", ErrTokens)
	}
	codes := h.seq[:0]
	for i := 0; i < n; i++ {
		codes = append(codes, binary.LittleEndian.Uint64(buf[2+i*TokenSize:]))
	}
	h.seq = codes
	return TokenSeq{h: h, field: field, codes: codes}, nil
}

// Len returns the number of runes of the stored value.
func (t *TokenSeq) Len() int { return len(t.codes) }

// Eq reports whether the stored rune at pos is r.
func (t *TokenSeq) Eq(pos int, r rune) bool {
	if pos < 0 || pos >= len(t.codes) || r < 0 || r > 0x10FFFF {
		return false
	}
	return t.codes[pos] == t.h.runeCode(t.field, r)
}
