package synth

import (
	"math/rand/v2"
	"strconv"
)

// rng is the per-row random source. It wraps a PCG by value so that a row
// costs no allocation, and math/rand/v2's PCG is a fixed algorithm, so the
// same (seed, row) gives the same row on every Go release and platform.
type rng struct{ pcg rand.PCG }

// newRowRNG seeds a stream for one row. Both PCG words go through splitmix64
// so that neighbouring rows and neighbouring seeds start far apart.
func newRowRNG(seed int64, row uint64) rng {
	var r rng
	s := splitmix(uint64(seed))
	r.pcg.Seed(s, splitmix(s^splitmix(row+0x632be59bd9b4e019)))
	return r
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// n returns a value in [0, k). The modulo bias is below 2^-50 for the small
// k used here, far below anything a test or a reader could notice.
func (r *rng) n(k int) int { return int(r.pcg.Uint64() % uint64(k)) }

// between returns a value in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.n(hi-lo+1) }

// pct reports true with probability p/100.
func (r *rng) pct(p int) bool { return r.n(100) < p }

func pick[T any](r *rng, list []T) T { return list[r.n(len(list))] }

// digits appends k random decimal digits.
func (r *rng) digits(b []byte, k int) []byte {
	for range k {
		b = append(b, byte('0'+r.n(10)))
	}
	return b
}

// from appends k characters drawn from alphabet (ASCII only).
func (r *rng) from(b []byte, alphabet string, k int) []byte {
	for range k {
		b = append(b, alphabet[r.n(len(alphabet))])
	}
	return b
}

// fromRunes appends k runes drawn from alphabet, for non-ASCII alphabets
// such as the Greek capitals on Greek identity cards.
func (r *rng) fromRunes(b []byte, alphabet []rune, k int) []byte {
	for range k {
		b = append(b, string(alphabet[r.n(len(alphabet))])...)
	}
	return b
}

// date is a proleptic Gregorian calendar date.
type date struct{ y, m, d int }

// dayNumber and fromDayNumber convert between dates and days since
// 1970-01-01 (Howard Hinnant's civil algorithms). They let us draw a uniform
// day in a range and always land on a real calendar date, without time.Time
// formatting on the hot path.
func dayNumber(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func fromDayNumber(z int) date {
	z += 719468
	era := z / 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	y := yoe + era*400
	if m <= 2 {
		y++
	}
	return date{y, m, d}
}

// dateBetween draws a uniform date from 1 January of fromYear to
// 31 December of toYear.
func (r *rng) dateBetween(fromYear, toYear int) date {
	lo := dayNumber(fromYear, 1, 1)
	hi := dayNumber(toYear, 12, 31)
	return fromDayNumber(lo + r.n(hi-lo+1))
}

// appendISO appends the date as YYYY-MM-DD.
func (d date) appendISO(b []byte) []byte {
	b = pad(b, d.y, 4)
	b = append(b, '-')
	b = pad(b, d.m, 2)
	b = append(b, '-')
	return pad(b, d.d, 2)
}

// pad appends v in decimal, left-padded with zeros to width.
func pad(b []byte, v, width int) []byte {
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], int64(v), 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}
