package synth

import (
	"math/bits"
	"strconv"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// phonePlan describes the mobile numbers handed out in one country: national
// significant numbers made of one of the prefixes followed by free digits.
// Every prefix is a mobile range of the country in libphonenumber's metadata
// and outside ranges shared with other regions of the same calling code (the
// Channel Islands and the Isle of Man under +44), so each number parses back
// to the row's country. The prefixes were checked against libphonenumber
// 1.8.1 when chosen; TestPhoneNumbersAreValidMobiles keeps checking a sample.
type phonePlan struct {
	cc       int32
	ccText   string
	prefixes []string // all of the same length
	free     int      // digits after the prefix

	layoutsOnce sync.Once
	layouts     map[string]string // prefix → INTERNATIONAL layout
}

// mobile describes a plan: calling code, free digits, prefixes.
func mobile(cc int32, free int, prefixes ...string) *phonePlan {
	return &phonePlan{cc: cc, ccText: strconv.Itoa(int(cc)), prefixes: prefixes, free: free}
}

// capacity is how many distinct numbers the plan holds.
func (p *phonePlan) capacity() uint64 {
	c := uint64(len(p.prefixes))
	for range p.free {
		c *= 10
	}
	return c
}

// number returns the national significant number of row for the seed.
//
// Rows are mapped by an affine permutation x = a·row + b (mod capacity) with
// a coprime to the capacity, so two rows below the capacity never share a
// number: uniqueness is a property of the construction, not of chance. a and b
// depend on the seed and the country so different seeds give different
// numbers, and a row's number does not reveal its index at a glance.
func (p *phonePlan) number(seed int64, row uint64) (prefix string, sub uint64) {
	n := p.capacity()
	h := splitmix(uint64(seed) ^ splitmix(uint64(p.cc)))
	a := h%n | 1
	for gcd(a, n) != 1 {
		a += 2
	}
	b := splitmix(h) % n
	hi, lo := bits.Mul64(a, row%n)
	lo, carry := bits.Add64(lo, b, 0)
	x := bits.Rem64(hi+carry, lo, n)
	div := n / uint64(len(p.prefixes))
	return p.prefixes[x/div], x % div
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// appendPhone appends the row's number, in E.164 or, when international is
// set, in libphonenumber's INTERNATIONAL layout (spaces, and the hyphens some
// countries use), which is how an operator's CRM often prints it.
func (p *phonePlan) appendPhone(b []byte, seed int64, row uint64, international bool) []byte {
	prefix, sub := p.number(seed, row)
	if international {
		return p.appendInternational(b, prefix, sub)
	}
	b = append(b, '+')
	b = append(b, p.ccText...)
	b = append(b, prefix...)
	return pad(b, int(sub), p.free)
}

// appendInternational writes the number into its prefix's layout, digit
// by digit.
func (p *phonePlan) appendInternational(b []byte, prefix string, sub uint64) []byte {
	var tmp [20]byte
	digits := append(tmp[:0], p.ccText...)
	digits = append(digits, prefix...)
	digits = pad(digits, int(sub), p.free)
	next := 0
	for _, c := range []byte(p.layout(prefix)) {
		if c >= '0' && c <= '9' && next < len(digits) {
			c = digits[next]
			next++
		}
		b = append(b, c)
	}
	return b
}

// layout returns libphonenumber's INTERNATIONAL rendering of one number of
// the prefix's range. libphonenumber picks a layout from the leading digits
// and the length, and every number of a plan range has the same length and
// leading digits as long as the range's prefix, so all share it: formatting
// one per prefix and reusing its separators avoids the library's regular
// expressions on the hot path (they cost more than the rest of the row).
// TestPhoneLayouts holds this against the library for random numbers.
func (p *phonePlan) layout(prefix string) string {
	p.layoutsOnce.Do(func() {
		p.layouts = make(map[string]string, len(p.prefixes))
		for _, pre := range p.prefixes {
			p.layouts[pre] = p.formatInternational(pre, 0)
		}
	})
	return p.layouts[prefix]
}

// formatInternational asks libphonenumber for the INTERNATIONAL layout of
// the national number prefix ++ sub, sub written with the plan's free digits.
func (p *phonePlan) formatInternational(prefix string, sub uint64) string {
	var nsn uint64
	for _, c := range []byte(prefix) {
		nsn = nsn*10 + uint64(c-'0')
	}
	for range p.free {
		nsn *= 10
	}
	nsn += sub
	cc := p.cc
	return phonenumbers.Format(&phonenumbers.PhoneNumber{CountryCode: &cc, NationalNumber: &nsn}, phonenumbers.INTERNATIONAL)
}
