// Package jarowinkler computes the Jaro–Winkler similarity between a stored
// value the engine cannot read and a plaintext submitted value.
//
// The variant is exactly Apache Commons Text's JaroWinklerSimilarity (the
// one CONTRACT.md §5 "Results" names), applied to Unicode code points instead
// of UTF-16 units: greedy matching of the shorter string against the longer
// within a window of max(⌊|longer|/2⌋−1, 0), real-valued transpositions
// (halfTranspositions/2), a common prefix of at most four runes, scaling
// factor 0.1 applied only when Jaro ≥ 0.7, and 1 for equal strings. The
// floating-point operations are performed in the same order as Java's, so
// results are bit-identical to Commons Text, not merely close.
//
// The stored value is never held in the clear: the store keeps one keyed
// token per position, so the only question the engine can ask about it is
// eq(i, c), "is stored rune i equal to the plaintext rune c?". Jaro–Winkler
// never compares two stored runes with each other, which is why it can be
// evaluated through that callback alone. Every answer is costly (a keyed
// hash, tens to hundreds of nanoseconds), so this package remembers what each
// answer taught it about the stored runes and never asks a question whose
// answer it can already deduce.
package jarowinkler

import "math"

// stackRunes bounds the string lengths handled without heap allocation;
// names and addresses are almost always shorter.
const stackRunes = 64

// Similarity returns the Jaro–Winkler similarity of a stored string of n runes,
// known only through eq, and the plaintext submitted runes.
//
// eq(i, c) must report whether stored rune i (0 ≤ i < n) equals c; it is only
// called with c taken from submitted. The result is bit for bit the float64
// Commons Text returns for apply(stored, submitted). It is also the value of
// apply(submitted, stored): Commons picks the first argument as the scanned
// side when the lengths are equal, and this package follows that order
// (stored first), but the greedy matching yields the same matches, half
// transpositions and prefix either way, as the tests check exhaustively on
// small alphabets and randomly on larger ones.
func Similarity(n int, submitted []rune, eq func(i int, c rune) bool) float64 {
	if n < 0 {
		panic("jarowinkler: negative stored length")
	}
	if n == 0 || len(submitted) == 0 {
		// An empty side has no matches; two empty strings are equal.
		if n == len(submitted) {
			return 1
		}
		return 0
	}

	var buf scratch
	o := newOracle(&buf, n, submitted, eq)
	m := o.match()
	if m == 0 {
		return 0
	}
	if o.identical(m) {
		return 1
	}

	fm := float64(m)
	half := o.halfTranspositions()
	j := (fm/float64(n) + fm/float64(len(submitted)) + (fm-float64(half)/2)/fm) / 3
	if j < 0.7 {
		// The prefix cannot change the result: skip the eq calls it needs.
		return j
	}
	// The explicit conversion forbids fusing into an FMA, which would round
	// differently from Java's separate multiply and add.
	return j + float64(0.1*float64(o.prefix())*(1-j))
}

// Score returns ⌊100 × Similarity⌋ clamped to 0..99.
//
// The clamp keeps the contract's promise that a non-match never scores 100:
// callers only score values already known to differ, and clamping makes that
// hold even if they pass equal ones.
func Score(n int, submitted []rune, eq func(i int, c rune) bool) int {
	s := int(math.Floor(100 * Similarity(n, submitted, eq)))
	return min(max(s, 0), 99)
}

// scratch is the stack-resident backing store for an oracle over strings of
// at most stackRunes runes, so the common case allocates nothing.
type scratch struct {
	class      [stackRunes]int32
	known      [stackRunes]int32
	refuted    [stackRunes]uint64
	minMatched [stackRunes]bool
	maxMatched [stackRunes]bool
}

// oracle answers "stored rune i = submitted rune x?" with as few eq calls as
// possible, and runs the Commons matching on top of those answers.
type oracle struct {
	eq  func(int, rune) bool
	sub []rune
	n   int

	// storedIsMin says which side Commons scans: the shorter one, or the
	// first argument (stored) when both are equally long.
	storedIsMin bool

	// class[x] names the rune sub[x] by the index of its first occurrence in
	// sub, so everything learnt about one occurrence applies to all of them.
	class []int32
	// known[i] is 1 + the class of stored rune i once eq has confirmed it,
	// 0 while unknown. A stored rune outside submitted never gets one.
	known []int32
	// refuted holds, per stored rune, a bitset of classes eq has denied;
	// words is the number of uint64 per stored rune.
	refuted []uint64
	words   int

	minMatched []bool // Commons' matchIndexes[mi] != -1
	maxMatched []bool // Commons' matchFlags
}

// newOracle backs the oracle with buf when both strings fit in it, else with
// heap slices. It returns a value: storing buf's slices through a pointer
// would make the compiler move buf to the heap.
func newOracle(buf *scratch, n int, sub []rune, eq func(int, rune) bool) oracle {
	o := oracle{eq: eq, sub: sub, n: n, storedIsMin: n <= len(sub)}
	minLen, maxLen := n, len(sub)
	if !o.storedIsMin {
		minLen, maxLen = maxLen, minLen
	}
	o.words = (len(sub) + 63) / 64
	if n <= stackRunes && len(sub) <= stackRunes {
		o.class = buf.class[:len(sub)]
		o.known = buf.known[:n]
		o.refuted = buf.refuted[:n]
		o.minMatched = buf.minMatched[:minLen]
		o.maxMatched = buf.maxMatched[:maxLen]
	} else {
		o.class = make([]int32, len(sub))
		o.known = make([]int32, n)
		o.refuted = make([]uint64, n*o.words)
		o.minMatched = make([]bool, minLen)
		o.maxMatched = make([]bool, maxLen)
	}
	o.classify()
	return o
}

// classify names each submitted rune by its first occurrence. Quadratic, but
// plaintext comparisons cost far less than one eq call.
func (o *oracle) classify() {
	for x, c := range o.sub {
		o.class[x] = int32(x)
		for y := range x {
			if o.sub[y] == c {
				o.class[x] = int32(y)
				break
			}
		}
	}
}

// same reports whether stored rune i equals submitted rune x, calling eq only
// when neither a confirmation nor a denial for that rune is on record.
func (o *oracle) same(i, x int) bool {
	c := o.class[x]
	if k := o.known[i]; k != 0 {
		return k-1 == c
	}
	w := &o.refuted[i*o.words+int(c>>6)]
	bit := uint64(1) << (c & 63)
	if *w&bit != 0 {
		return false
	}
	if o.eq(i, o.sub[x]) {
		o.known[i] = c + 1
		return true
	}
	*w |= bit
	return false
}

// sameMinMax is same with Commons' (min index, max index) orientation.
func (o *oracle) sameMinMax(mi, xi int) bool {
	if o.storedIsMin {
		return o.same(mi, xi)
	}
	return o.same(xi, mi)
}

// match performs Commons' greedy matching and returns the number of matches.
func (o *oracle) match() int {
	minLen, maxLen := len(o.minMatched), len(o.maxMatched)
	window := max(maxLen/2-1, 0)
	m := 0
	for mi := range minLen {
		for xi, xn := max(mi-window, 0), min(mi+window+1, maxLen); xi < xn; xi++ {
			if !o.maxMatched[xi] && o.sameMinMax(mi, xi) {
				o.minMatched[mi] = true
				o.maxMatched[xi] = true
				m++
				break
			}
		}
	}
	return m
}

// storedMatched reports whether stored rune i took part in a match.
func (o *oracle) storedMatched(i int) bool {
	if o.storedIsMin {
		return o.minMatched[i]
	}
	return o.maxMatched[i]
}

// submittedMatched reports whether submitted rune x took part in a match.
func (o *oracle) submittedMatched(x int) bool {
	if o.storedIsMin {
		return o.maxMatched[x]
	}
	return o.minMatched[x]
}

// identical reports whether stored equals submitted, without any eq call.
// Identical strings always match every rune to its own position (within one
// rune class the greedy scan pairs the k-th occurrence with the k-th), so
// m < n rules equality out, and when m == n every stored rune is known.
func (o *oracle) identical(m int) bool {
	if o.n != len(o.sub) || m != o.n {
		return false
	}
	for i, k := range o.known {
		if k-1 != o.class[i] {
			return false
		}
	}
	return true
}

// halfTranspositions pairs the k-th matched stored rune with the k-th matched
// submitted rune. Every matched stored rune was confirmed by eq, so its class
// is known and this needs no eq call. Which side Commons calls ms1 does not
// matter: the count of unequal pairs is the same.
func (o *oracle) halfTranspositions() int {
	half, x := 0, 0
	for i := range o.n {
		if !o.storedMatched(i) {
			continue
		}
		for !o.submittedMatched(x) {
			x++
		}
		if o.known[i]-1 != o.class[x] {
			half++
		}
		x++
	}
	return half
}

// prefix returns the common prefix length, capped at four runes.
func (o *oracle) prefix() int {
	limit := min(4, o.n, len(o.sub))
	for k := range limit {
		if !o.same(k, k) {
			return k
		}
	}
	return limit
}
