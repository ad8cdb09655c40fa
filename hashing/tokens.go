package hashing

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"fmt"
	"slices"
	"unicode"
	"unicode/utf8"
)

// Score tokens. Jaro–Winkler only ever compares a rune of the stored value
// with a rune of the submitted one, so the store keeps, for every position
// of a normalised value, something that answers eq(i, c), "is the stored
// rune at i equal to the submitted rune c?", and nothing else.
//
// F_s(r) is 6 bytes of one AES-256 block under the line-code key, of the
// line's salt s (its first 12 bytes) and ⌊r/2⌋, a block holding the codes
// of two neighbouring runes: a pseudorandom code of a rune, and a code book
// of the line's own (LineCodes), so equal runes in two lines give unrelated
// codes and neither a heap leak of one line's codes nor frequency analysis
// over many lines yields a code book of the store. Record formats before 5 used one code book per key
// version, F(r) = AES-256 under the rune key of 0^12 ‖ r (SchemeCodes),
// which is still read. A record's scored values use few distinct runes
// (about forty for a complete line against two hundred positions), so a
// record keeps its codes once, in a dictionary, and each position the
// index of its rune's code:
//
//	dictionary  D_j = F_s(r_j)          for the record's distinct runes r_j
//	position    P_i = j such that r_j is the rune at i
//
// and all of it, lengths included, sits under the line's key stream KS: the
// AES-256-CTR stream under the token-stream key, from a counter block made
// of the first 12 bytes of the line's salt and a 32-bit big-endian block
// number, running through the record's whole token block past its clear
// size header. So every stored byte after that header is one-time padded:
// without the keyring it is uniformly random, and equal runes give
// unrelated stored bytes across positions, values, fields and lines.
// eq(i, c) is D[P_i] == F_s(c) after removing KS; the matcher has the salt
// from the record it has just read, so it computes the codes of the
// submitted runes in the same pass.
//
// Why not one PRF token per position, T_i = PRF(salt ‖ field ‖ i ‖ rune_i)?
// Against someone holding the data directory both are random bytes;
// against someone holding the keyring too, both are reversible (F over the
// alphabet), which is why the keyring is what matters (docs/PRIVACY.md);
// while scoring, the server sees the codes of one stored record, a keyed
// substitution code of that line only, never its runes, and forgets them
// when the request ends (Clear). But token bytes are what an ingest mostly
// moves (sorted, spilled, encrypted again and written by the store):
// per-position 8-byte tokens made a complete line's record 2.8 KB and
// halved ingest throughput; the dictionary makes it about 1 KB. And F_s is
// at most one AES call per distinct rune of the record, where a
// per-position PRF is one per position.
//
// Codes are 6 bytes (TokenSize). A false eq(i, c) needs F_s(c) = F_s(r_i)
// for two different runes: over the whole of Unicode (1.1 million code
// points) the expected number of such pairs in 48 bits is 0.002 per line,
// and over the few thousand runes real names and addresses use, about
// 10^-8 per line. So scores are exact but for a vanishing share of lines.
//
// Block layout (little-endian). The sizes come first, in the clear, so a
// block can be parsed without keys; everything after them is under key
// stream, in one stretch:
//
//	[2]  dictionary size in buckets of dictBucket entries
//	[1]  per scored value, in record order: padded length / tokenBucket
//	under key stream:
//	[2]  number of dictionary entries
//	[buckets × dictBucket × 6] codes
//	per scored value: [2] length, [padded × w] indices,
//	                  w = 1 byte, or 2 past maxNarrow entries
//
// Lengths and the dictionary are padded with random bytes, so the block
// shows each value's length to within tokenBucket runes and the number of
// distinct runes to within dictBucket.

const (
	tokenBucket = 4
	dictBucket  = 8
	maxNarrow   = 256 // dictionaries up to this size use one-byte indices
	codeMask    = 1<<(8*TokenSize) - 1
)

// TokenStream returns the key stream of a record's token block, positioned
// at byte off of it.
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

// Codes names the code book of a token block's dictionary.
type Codes uint8

const (
	// SchemeCodes is F(r) = AES-256 under the rune key of 0^12 ‖ r: one
	// code book for every line of a key version, as record formats 2 to 4
	// store it.
	SchemeCodes Codes = iota
	// LineCodes is F_s(r), s the line's salt: a code book per line. The
	// AES-256 block under the line-code key of s[:12] ‖ ⌊r/2⌋ holds the
	// codes of 2⌊r/2⌋ and 2⌊r/2⌋+1, in its first and second 6 bytes.
	LineCodes
)

// useCodes selects the code book that code and cachedCode answer from, and
// empties the cache, whose codes belong to the book before.
func (h *Hasher) useCodes(c Codes, salt *Salt) {
	h.book, h.paired = h.s.runes, false
	clear(h.codeBlk[:12])
	if c == LineCodes {
		h.book, h.paired = h.s.lineRunes, true
		copy(h.codeBlk[:12], salt[:12])
	}
	clear(h.codes[:])
}

// code is the code of r in the book useCodes selected. A line-code block
// holds the codes of two neighbouring runes, 2k and 2k+1, in its first and
// second 6 bytes: a line's runes are mostly letters of one alphabet, so
// many blocks serve two of them, and ingest pays these calls per line.
func (h *Hasher) code(r rune) uint64 {
	in := uint32(r)
	if h.paired {
		in >>= 1
	}
	binary.BigEndian.PutUint32(h.codeBlk[12:16], in)
	h.book.Encrypt(h.codeBlk[16:], h.codeBlk[:16])
	return h.blockCode(r)
}

// blockCode reads the code of r from the block code computed last.
func (h *Hasher) blockCode(r rune) uint64 {
	off := 16
	if h.paired && r&1 == 1 {
		off += TokenSize
	}
	return binary.LittleEndian.Uint64(h.codeBlk[off:off+8]) & codeMask
}

// cachedCode is code, cached: scoring asks for the code of one submitted
// rune many times, and a line code's block gives its neighbour's too.
func (h *Hasher) cachedCode(r rune) uint64 {
	e := &h.codes[uint32(r)%codeCacheSize]
	if e.ok && e.r == r {
		return e.code
	}
	*e = codeEntry{r: r, code: h.code(r), ok: true}
	if n := r ^ 1; h.paired && n <= unicode.MaxRune {
		h.codes[uint32(n)%codeCacheSize] = codeEntry{r: n, code: h.blockCode(n), ok: true}
	}
	return e.code
}

// codeCacheSize holds the submitted runes of a request: the ASCII ones
// each in a slot of their own.
const codeCacheSize = 128

type codeEntry struct {
	r    rune
	ok   bool
	code uint64
}

// AppendTokenBlock appends the token block of a record whose scored values,
// normalised (so valid UTF-8) and in record order, are values, with the
// codes of book c.
func (h *Hasher) AppendTokenBlock(dst []byte, salt *Salt, values [][]byte, c Codes) []byte {
	idx, lens := h.indexRunes(values)
	h.useCodes(c, salt)
	d := &h.dict
	buckets := roundUp(len(d.runes), dictBucket) / dictBucket
	w := indexWidth(buckets)
	dst = binary.LittleEndian.AppendUint16(dst, uint16(buckets))
	for _, n := range lens {
		dst = append(dst, byte(roundUp(n, tokenBucket)/tokenBucket))
	}
	start := len(dst)
	dst = binary.LittleEndian.AppendUint16(dst, uint16(len(d.runes)))
	for _, r := range d.runes {
		dst = appendCode(dst, h.cachedCode(r))
	}
	dst = h.AppendPadding(dst, (buckets*dictBucket-len(d.runes))*TokenSize)
	for _, n := range lens {
		dst = binary.LittleEndian.AppendUint16(dst, uint16(n))
		dst = appendIndices(dst, idx[:n], w)
		idx = idx[n:]
		dst = h.AppendPadding(dst, (roundUp(n, tokenBucket)-n)*w)
	}
	h.TokenStream(salt, 0).XORKeyStream(dst[start:], dst[start:])
	return dst
}

// indexRunes numbers the distinct runes of values in h.dict and returns
// the number of every position, and every value's length in runes.
func (h *Hasher) indexRunes(values [][]byte) (idx []uint16, lens []int) {
	d := &h.dict
	d.reset()
	idx, lens = h.idx[:0], h.lens[:0]
	for _, v := range values {
		start := len(idx)
		for i := 0; i < len(v); {
			if c := v[i]; c < utf8.RuneSelf {
				idx = append(idx, d.smallIndex(rune(c)))
				i++
				continue
			}
			r, size := utf8.DecodeRune(v[i:])
			idx = append(idx, d.index(r))
			i += size
		}
		if len(idx)-start > MaxRunes {
			panic("hashing: value longer than MaxRunes reached AppendTokenBlock")
		}
		lens = append(lens, len(idx)-start)
	}
	h.idx, h.lens = idx, lens
	return idx, lens
}

func appendIndices(dst []byte, idx []uint16, w int) []byte {
	if w == 2 {
		for _, i := range idx {
			dst = binary.LittleEndian.AppendUint16(dst, i)
		}
		return dst
	}
	dst = slices.Grow(dst, len(idx))
	out := dst[len(dst) : len(dst)+len(idx)]
	for k, i := range idx {
		out[k] = byte(i)
	}
	return dst[:len(dst)+len(idx)]
}

// appendCode and readCode store a code in TokenSize = 6 bytes.
func appendCode(dst []byte, c uint64) []byte {
	return append(dst, byte(c), byte(c>>8), byte(c>>16), byte(c>>24), byte(c>>32), byte(c>>40))
}

func readCode(b []byte) uint64 {
	_ = b[TokenSize-1]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 | uint64(b[4])<<32 | uint64(b[5])<<40
}

func roundUp(n, m int) int { return (n + m - 1) / m * m }

func indexWidth(buckets int) int {
	if buckets*dictBucket <= maxNarrow {
		return 1
	}
	return 2
}

// AppendPadding appends n random bytes, which look like the digests and
// tokens around them.
func (h *Hasher) AppendPadding(dst []byte, n int) []byte {
	dst = slices.Grow(dst, n)
	h.pad.Read(dst[len(dst) : len(dst)+n])
	return dst[:len(dst)+n]
}

// tokenLayout reads the clear sizes of the token block of n values at the
// start of b: where its key stream starts, and its size.
func tokenLayout(b []byte, n int) (stream, size int, err error) {
	if n < 0 || len(b) < 2+n {
		return 0, 0, ErrTokens
	}
	buckets := int(binary.LittleEndian.Uint16(b))
	w := indexWidth(buckets)
	size = 2 + n + 2 + buckets*dictBucket*TokenSize
	for _, c := range b[2 : 2+n] {
		size += sectionSize(c, w)
	}
	if size > len(b) {
		return 0, 0, ErrTokens
	}
	return 2 + n, size, nil
}

// sectionSize is the size under key stream of the value whose clear size
// byte is c, in a block with w-byte indices.
func sectionSize(c byte, w int) int { return 2 + int(c)*tokenBucket*w }

// TokenBlockSize returns the size of the token block of n values at the
// start of b.
func TokenBlockSize(b []byte, n int) (int, error) {
	_, size, err := tokenLayout(b, n)
	return size, err
}

// TokenBlock is an opened token block. It uses the Hasher's scratch space:
// it belongs to the Hasher's goroutine and lasts until the next
// OpenTokenBlock.
type TokenBlock struct {
	h *Hasher
}

type tokenSection struct{ lo, padded int }

// OpenTokenBlock removes the key stream from the token block of n values
// (as sized by TokenBlockSize) of the line with salt, whose dictionary
// holds codes of book c.
func (h *Hasher) OpenTokenBlock(salt *Salt, b []byte, n int, c Codes) (TokenBlock, error) {
	h.useCodes(c, salt)
	stream, size, err := tokenLayout(b, n)
	if err != nil || size != len(b) {
		return TokenBlock{}, ErrTokens
	}
	buf := append(h.src[:0], b...)
	h.src = buf
	h.TokenStream(salt, 0).XORKeyStream(buf[stream:], buf[stream:])
	buckets := int(binary.LittleEndian.Uint16(buf))
	count := int(binary.LittleEndian.Uint16(buf[stream:]))
	if count > buckets*dictBucket || buckets*dictBucket-count >= dictBucket {
		return TokenBlock{}, fmt.Errorf("%w: dictionary does not fit its bucket (wrong key?)", ErrTokens)
	}
	p := stream + 2
	h.dictCodes = h.dictCodes[:0]
	for i := 0; i < count; i++ {
		h.dictCodes = append(h.dictCodes, readCode(buf[p+i*TokenSize:]))
	}
	p += buckets * dictBucket * TokenSize
	h.width = indexWidth(buckets)
	h.secs = h.secs[:0]
	for _, c := range buf[2:stream] {
		h.secs = append(h.secs, tokenSection{p, int(c) * tokenBucket})
		p += sectionSize(c, h.width)
	}
	return TokenBlock{h: h}, nil
}

// Seq returns the tokens of the block's value j, in record order. The
// TokenSeq lasts until the next Seq.
func (t TokenBlock) Seq(j int) (TokenSeq, error) {
	h := t.h
	if h == nil || j < 0 || j >= len(h.secs) {
		return TokenSeq{}, ErrTokens
	}
	s, w := h.secs[j], h.width
	sec := h.src[s.lo : s.lo+2+s.padded*w]
	n := int(binary.LittleEndian.Uint16(sec))
	if n > s.padded || n == 0 || s.padded-n >= tokenBucket {
		return TokenSeq{}, fmt.Errorf("%w: length does not fit its bucket (wrong key?)", ErrTokens)
	}
	codes := h.seq[:0]
	for i := 0; i < n; i++ {
		idx := int(sec[2+i*w])
		if w == 2 {
			idx = int(binary.LittleEndian.Uint16(sec[2+i*w:]))
		}
		if idx >= len(h.dictCodes) {
			return TokenSeq{}, fmt.Errorf("%w: index outside the dictionary (wrong key?)", ErrTokens)
		}
		codes = append(codes, h.dictCodes[idx])
	}
	h.seq = codes
	return TokenSeq{h: h, codes: codes}, nil
}

// TokenSeq answers eq(i, c) for one stored value.
type TokenSeq struct {
	h     *Hasher
	codes []uint64
}

// Len returns the number of runes of the stored value.
func (t *TokenSeq) Len() int { return len(t.codes) }

// Eq reports whether the stored rune at pos is r.
func (t *TokenSeq) Eq(pos int, r rune) bool {
	if pos < 0 || pos >= len(t.codes) || r < 0 || r > 0x10FFFF {
		return false
	}
	return t.codes[pos] == t.h.cachedCode(r)
}

// clearTokens zeroes the token scratch of Clear, the whole capacity of
// every buffer.
func (h *Hasher) clearTokens() {
	h.book, h.paired = nil, false
	clear(h.codeBlk[:])
	clear(h.codes[:])
	clear(h.blk[:])
	h.src = clearSlice(h.src)
	h.dictCodes = clearSlice(h.dictCodes)
	h.seq = clearSlice(h.seq)
	h.idx = clearSlice(h.idx)
	h.lens = clearSlice(h.lens)
	h.secs = clearSlice(h.secs)
	h.width = 0
	if h.dict.slots != nil {
		// Only records are built with it; a matcher's Hasher never uses it.
		h.dict = runeDict{runes: clearSlice(h.dict.runes)}
	}
}

func clearSlice[T any](s []T) []T {
	clear(s[:cap(s)])
	return s[:0]
}

// runeDict numbers the distinct runes of one record in order of first
// use: a direct table for the runes of one- and two-byte UTF-8 (Latin,
// Greek, Cyrillic and more) and an open-addressed one for the rest, both
// with generation stamps, so resetting it per record costs nothing, where
// clearing a map costs its largest size.
type runeDict struct {
	runes []rune
	small [0x800]smallSlot
	slots []dictSlot // power-of-two length, at most half full
	stamp uint32
}

type smallSlot struct {
	idx   uint16
	stamp uint32
}

type dictSlot struct {
	r     rune
	idx   int32
	stamp uint32
}

func (d *runeDict) reset() {
	d.runes = d.runes[:0]
	if d.stamp++; d.stamp == 0 || d.slots == nil {
		d.slots, d.stamp, d.small = make([]dictSlot, 512), 1, [0x800]smallSlot{}
	}
}

func (d *runeDict) smallIndex(r rune) uint16 {
	s := &d.small[r&0x7ff]
	if s.stamp != d.stamp {
		*s = smallSlot{idx: uint16(len(d.runes)), stamp: d.stamp}
		d.runes = append(d.runes, r)
	}
	return s.idx
}

func (d *runeDict) index(r rune) uint16 {
	if r >= 0 && r < 0x800 {
		return d.smallIndex(r)
	}
	if 2*(len(d.runes)+1) > len(d.slots) {
		d.grow()
	}
	mask := uint32(len(d.slots) - 1)
	for i := (uint32(r) * 0x9E3779B1) >> 7 & mask; ; i = (i + 1) & mask {
		s := &d.slots[i]
		if s.stamp != d.stamp {
			*s = dictSlot{r: r, idx: int32(len(d.runes)), stamp: d.stamp}
			d.runes = append(d.runes, r)
			return uint16(s.idx)
		}
		if s.r == r {
			return uint16(s.idx)
		}
	}
}

// grow doubles the table and re-enters the runes it holds under their own
// numbers.
func (d *runeDict) grow() {
	slots := make([]dictSlot, 2*len(d.slots))
	mask := uint32(len(slots) - 1)
	for _, s := range d.slots {
		if s.stamp != d.stamp {
			continue
		}
		i := (uint32(s.r) * 0x9E3779B1) >> 7 & mask
		for slots[i].stamp == d.stamp {
			i = (i + 1) & mask
		}
		slots[i] = s
	}
	d.slots = slots
}
