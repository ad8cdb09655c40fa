package keys

import (
	"encoding/hex"
	"hash"
	"sync"
)

// lineIDSize is the bytes of HMAC output in an audit pseudonym: 64 bits
// keep two lines of one operator from sharing a pseudonym by accident
// (a collision among 10⁸ lines is about one in 3 500), and are too few to
// serve as a digest that anything else could be joined with.
const lineIDSize = 8

// LineIDs gives the audit pseudonyms of subscriber lines under one key
// version: 16 lowercase hex characters, the first 8 bytes of
// HMAC-SHA-256 of the line's E.164 number under [Key.NewLineMAC]'s key.
// One number has one pseudonym for as long as its key version is
// active, whatever generation answers; without the keyring a pseudonym
// cannot be computed from a number, nor a number from it. It is safe for
// concurrent use.
type LineIDs struct {
	keyID string
	macs  sync.Pool // of hash.Hash, each keyed once: the derivation costs more than the MAC
}

// LineIDs returns the pseudonyms under k.
func (k *Key) LineIDs() *LineIDs {
	return &LineIDs{keyID: k.id, macs: sync.Pool{New: func() any { return k.NewLineMAC() }}}
}

// KeyID is the id of the key version the pseudonyms are made under.
func (l *LineIDs) KeyID() string { return l.keyID }

// Append appends the pseudonym of the line with the E.164 number phone to
// dst. The caller normalises the number: "+34612345678" and
// "tel:+34612345678" have different pseudonyms.
func (l *LineIDs) Append(dst []byte, phone string) []byte {
	mac := l.macs.Get().(hash.Hash)
	defer l.macs.Put(mac)
	mac.Reset()
	mac.Write([]byte(phone))
	var sum [32]byte
	var out [2 * lineIDSize]byte
	hex.Encode(out[:], mac.Sum(sum[:0])[:lineIDSize])
	return append(dst, out[:]...)
}

// Of returns the pseudonym of the line with the E.164 number phone.
func (l *LineIDs) Of(phone string) string { return string(l.Append(nil, phone)) }
