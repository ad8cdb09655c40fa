package engine

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/kycmatch/kycmatch/hashing"
)

// RecordFormat is the version of the stored record layout:
//
//	[0]      format version
//	[1]      flags (bit 0: eligible)
//	[2:18]   salt
//	[18:22]  attributes held, a little-endian AttrSet
//	then, for every attribute held, in Attribute order:
//	  [1]      number of variants (1, or 2 for a composed name or address)
//	  16 bytes digest per variant
//	then the token block (see hashing): the score tokens of every variant
//	  of every scored attribute held, in the same order
//	then random padding up to a multiple of recordPad bytes
//
// Nothing in it is a value or part of one: lengths appear only bucketed in
// the token block, and the record's own length, which Badger's value log
// keeps in the clear, only to within recordPad bytes.
//
// Format 3 has the layout of format 2; it marks generations whose lookup
// keys are salted and whose records the store seals, which a build that
// reads only format 2 would answer from wrongly (every number not found),
// so such a build refuses them and keeps serving its current generation.
// Format 4 has the layout of format 3; it marks generations whose
// metadata the store authenticates and whose records it seals to their
// generation as well as their lookup key: a build that reads format 3 at
// most would open them and then fail every record it reads, so it refuses
// them instead and keeps serving its current generation.
// Format 5 has the layout of format 4; its token blocks hold every line's
// rune codes in a code book of the line's own (hashing.LineCodes), where
// older formats hold one book per key version (hashing.SchemeCodes): a
// build that reads format 4 at most would score against the wrong book,
// so it refuses them instead.
// Formats 2 to 4 are still read here; the store decides whether an
// older generation, whose metadata nothing authenticates, may be opened.
const RecordFormat = 5

// lineCodesFormat is the first record format of hashing.LineCodes.
const lineCodesFormat = 5

// codesOf is the code book of records of format f.
func codesOf(f byte) hashing.Codes {
	if f >= lineCodesFormat {
		return hashing.LineCodes
	}
	return hashing.SchemeCodes
}

// oldestFormat is the oldest record format this build reads.
const oldestFormat = 2

// ReadableFormats lists, oldest first, the record formats this build reads.
func ReadableFormats() []int {
	fs := make([]int, 0, RecordFormat-oldestFormat+1)
	for f := oldestFormat; f <= RecordFormat; f++ {
		fs = append(fs, f)
	}
	return fs
}

// readableFormat reports whether this build reads records of format f.
func readableFormat(f int) bool { return f >= oldestFormat && f <= RecordFormat }

const (
	recHeader    = 2 + hashing.SaltSize + 4
	maxVariants  = 2
	flagEligible = 1
	recordPad    = 256
)

var errRecord = errors.New("malformed record")

// recordView reads a stored record in place, without copying.
type recordView struct {
	eligible bool
	salt     hashing.Salt
	held     AttrSet
	attrs    [NumAttributes]attrView
	tokens   []byte        // the token block
	values   int           // scored values in it
	codes    hashing.Codes // its code book, by the record's format
}

type attrView struct {
	n       int    // variants
	digests []byte // n × DigestSize
	value   int    // the token block's value of the first variant, if scored
}

// parseRecord indexes rec into v. rec must outlive v.
func parseRecord(v *recordView, rec []byte) error {
	if len(rec) < recHeader || !readableFormat(int(rec[0])) {
		return fmt.Errorf("%w: bad header", errRecord)
	}
	v.codes = codesOf(rec[0])
	v.eligible = rec[1]&flagEligible != 0
	copy(v.salt[:], rec[2:2+hashing.SaltSize])
	v.held = AttrSet(binary.LittleEndian.Uint32(rec[2+hashing.SaltSize:]))
	p := rec[recHeader:]
	v.values = 0
	for a := Attribute(1); a < NumAttributes; a++ {
		v.attrs[a] = attrView{}
		if !v.held.Has(a) {
			continue
		}
		var err error
		if p, err = parseAttr(&v.attrs[a], p); err != nil {
			return fmt.Errorf("%w: %s: %v", errRecord, a, err)
		}
		if a.Scored() {
			v.attrs[a].value = v.values
			v.values += v.attrs[a].n
		}
	}
	size, err := hashing.TokenBlockSize(p, v.values)
	if err != nil {
		return fmt.Errorf("%w: %v", errRecord, err)
	}
	v.tokens, p = p[:size], p[size:]
	if len(p) >= recordPad || len(rec)%recordPad != 0 {
		return fmt.Errorf("%w: %d bytes of padding in %d", errRecord, len(p), len(rec))
	}
	return nil
}

func parseAttr(av *attrView, p []byte) ([]byte, error) {
	if len(p) < 1 || p[0] < 1 || p[0] > maxVariants {
		return nil, errors.New("bad variant count")
	}
	av.n = int(p[0])
	p = p[1:]
	if len(p) < av.n*hashing.DigestSize {
		return nil, errors.New("short digests")
	}
	av.digests, p = p[:av.n*hashing.DigestSize], p[av.n*hashing.DigestSize:]
	return p, nil
}

func (av *attrView) digest(i int) []byte {
	return av.digests[i*hashing.DigestSize : (i+1)*hashing.DigestSize]
}
