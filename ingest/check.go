package ingest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// Check reads and validates an export exactly as Run would, through the
// same readers, mapping, pipeline and rejects report, and stops where Run
// would start writing: nothing is written anywhere, no store is opened and
// no keyring is needed (the records are encoded under a throwaway key, see
// keys.Ephemeral, and dropped). Options.Store, Keyring, TempDir and SortMem
// are not used. A delta's base generation is not read, so a delta is
// checked under the default profile.
func Check(ctx context.Context, o Options) (Summary, error) {
	o.check = true
	b, start, err := o.readAll(ctx)
	if b == nil {
		return Summary{}, err
	}
	defer b.close()
	if err != nil {
		return b.summary(start), err
	}
	lines, dups := b.phones.duplicates()
	if b.o.Delta {
		lines = b.read - b.rep.count
	}
	err = b.verdict(lines, dups)
	return b.summary(start), err
}

// phoneSet finds a full export's duplicate phone numbers for Check, which
// has no sort to meet them in. An E.164 number has at most 15 digits and no
// leading zero, so its digits read as an integer identify it exactly in
// 50 bits: no digest, no key and no false duplicate. With the row that
// gives 12 bytes a line, sorted once at the end; a keyed digest would need
// twice that to make collisions negligible over tens of millions of lines.
// The set lives in memory only, like the cells the readers hold.
type phoneSet struct {
	entries []phoneEntry
}

type phoneEntry struct {
	hi, lo uint32 // the number's digits as an integer
	row    uint32
	line   uint32
}

func (p *phoneSet) add(e *outEntry) error {
	if e.row > math.MaxUint32 || e.line > math.MaxUint32 {
		return errors.New("check handles exports of up to 4 294 967 295 rows and lines")
	}
	p.entries = append(p.entries, phoneEntry{hi: uint32(e.e164 >> 32), lo: uint32(e.e164), row: uint32(e.row), line: uint32(e.line)})
	return nil
}

// duplicates returns how many distinct numbers the set holds and a reject
// for every row that repeats an earlier row's number, as the full build's
// merge reports them.
func (p *phoneSet) duplicates() (int64, []reject) {
	slices.SortFunc(p.entries, func(a, b phoneEntry) int {
		switch {
		case a.hi != b.hi:
			return cmp.Compare(a.hi, b.hi)
		case a.lo != b.lo:
			return cmp.Compare(a.lo, b.lo)
		}
		return cmp.Compare(a.row, b.row)
	})
	var dups []reject
	var lines int64
	var first uint32
	for i := range p.entries {
		e := &p.entries[i]
		if i == 0 || p.entries[i-1].hi != e.hi || p.entries[i-1].lo != e.lo {
			lines, first = lines+1, e.row
			continue
		}
		dups = append(dups, duplicateReject(int64(e.row), int64(e.line), int64(first)))
	}
	return lines, dups
}

// e164Digits reads an E.164 number's digits as an integer.
func e164Digits(phone string) uint64 {
	n, _ := strconv.ParseUint(phone[1:], 10, 64)
	return n
}

// duplicateReject is the reject of a row whose phone number an earlier row
// of a full export already had.
func duplicateReject(row, line, first int64) reject {
	return reject{row: row, line: line, field: "phoneNumber", reason: fmt.Sprintf("repeats the phone number of row %d", first),
		rule: "repeats the phone number of an earlier row"}
}
