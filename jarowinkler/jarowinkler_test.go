package jarowinkler_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/kycmatch/kycmatch/jarowinkler"
)

// reference is a line-by-line transcription of Commons Text's
// JaroWinklerSimilarity.apply and matches, over runes, with both strings in
// the clear. It is the oracle the callback-driven implementation must equal
// bit for bit, so it deliberately keeps Commons' structure and operation order.
func reference(first, second []rune) float64 {
	if string(first) == string(second) {
		return 1
	}
	matches, halfTranspositions, prefix := referenceMatches(first, second)
	m := float64(matches)
	if m == 0 {
		return 0
	}
	j := (m/float64(len(first)) + m/float64(len(second)) + (m-float64(halfTranspositions)/2)/m) / 3
	if j < 0.7 {
		return j
	}
	return j + float64(0.1*float64(prefix)*(1-j))
}

func referenceMatches(first, second []rune) (matches, halfTranspositions, prefix int) {
	maxS, minS := second, first
	if len(first) > len(second) {
		maxS, minS = first, second
	}
	rng := max(len(maxS)/2-1, 0)
	matchIndexes := make([]int, len(minS))
	for i := range matchIndexes {
		matchIndexes[i] = -1
	}
	matchFlags := make([]bool, len(maxS))
	for mi := 0; mi < len(minS); mi++ {
		c1 := minS[mi]
		for xi, xn := max(mi-rng, 0), min(mi+rng+1, len(maxS)); xi < xn; xi++ {
			if !matchFlags[xi] && c1 == maxS[xi] {
				matchIndexes[mi] = xi
				matchFlags[xi] = true
				matches++
				break
			}
		}
	}
	ms1 := make([]rune, 0, matches)
	ms2 := make([]rune, 0, matches)
	for i := range minS {
		if matchIndexes[i] != -1 {
			ms1 = append(ms1, minS[i])
		}
	}
	for i := range maxS {
		if matchFlags[i] {
			ms2 = append(ms2, maxS[i])
		}
	}
	for mi := range ms1 {
		if ms1[mi] != ms2[mi] {
			halfTranspositions++
		}
	}
	for mi := 0; mi < min(4, len(minS)); mi++ {
		if first[mi] != second[mi] {
			break
		}
		prefix++
	}
	return matches, halfTranspositions, prefix
}

// probe plays the store: it answers eq for a stored string, counts the
// questions and records any question outside the package's contract (an
// index out of range, a rune not in submitted) or asked twice.
type probe struct {
	stored, submitted []rune
	calls             int
	asked             map[question]bool
	violation         string
}

type question struct {
	i int
	c rune
}

func newProbe(stored, submitted []rune) *probe {
	return &probe{stored: stored, submitted: submitted, asked: map[question]bool{}}
}

func (p *probe) eq(i int, c rune) bool {
	p.calls++
	switch q := (question{i, c}); {
	case i < 0 || i >= len(p.stored):
		p.violation = fmt.Sprintf("eq(%d, %q) out of range", i, c)
	case !containsRune(p.submitted, c):
		p.violation = fmt.Sprintf("eq(%d, %q) with a rune not in submitted", i, c)
	case p.asked[q]:
		p.violation = fmt.Sprintf("eq(%d, %q) asked twice", i, c)
	default:
		p.asked[q] = true
		return p.stored[i] == c
	}
	return false
}

func containsRune(rs []rune, c rune) bool {
	for _, r := range rs {
		if r == c {
			return true
		}
	}
	return false
}

// check asserts Similarity(stored, submitted) equals the oracle in both
// argument orders, exactly.
func check(t *testing.T, stored, submitted []rune) {
	t.Helper()
	p := newProbe(stored, submitted)
	got := jarowinkler.Similarity(len(stored), submitted, p.eq)
	if p.violation != "" {
		t.Fatalf("stored %q, submitted %q: %s", string(stored), string(submitted), p.violation)
	}
	if naive := naiveQuestions(stored, submitted); p.calls > naive {
		t.Fatalf("stored %q, submitted %q: %d eq calls, more than the %d of a direct transcription",
			string(stored), string(submitted), p.calls, naive)
	}
	want := reference(stored, submitted)
	if got != want {
		t.Fatalf("Similarity(stored %q, submitted %q) = %v, oracle %v", string(stored), string(submitted), got, want)
	}
	if swapped := reference(submitted, stored); got != swapped {
		t.Fatalf("Similarity(stored %q, submitted %q) = %v, oracle with arguments swapped %v (contract's symmetry claim fails)",
			string(stored), string(submitted), got, swapped)
	}
}

func similarity(stored, submitted string) float64 {
	s := []rune(stored)
	return jarowinkler.Similarity(len(s), []rune(submitted), func(i int, c rune) bool { return s[i] == c })
}

func TestPublishedVectors(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
		tol  float64
	}{
		// Winkler's classic examples, as quoted by Wikipedia.
		{"MARTHA", "MARHTA", 0.961, 5e-4},
		{"DWAYNE", "DUANE", 0.840, 5e-4},
		{"DIXON", "DICKSONX", 0.813, 5e-4},
		// Commons Text's JaroWinklerSimilarityTest, with its values and
		// its 1e-5 tolerance. Its Javadoc table shows older, two-decimal
		// values (e.g. 0.91 for "ABC Corporation"); the test is
		// authoritative.
		{"", "", 1, 1e-5},
		{"foo", "foo", 1, 1e-5},
		{"foo", "foo ", 0.94166, 1e-5},
		{"foo", "foo  ", 0.90666, 1e-5},
		{"foo", " foo ", 0.86666, 1e-5},
		{"foo", "  foo", 0.51111, 1e-5},
		{"frog", "fog", 0.92499, 1e-5},
		{"fly", "ant", 0, 0},
		{"elephant", "hippo", 0.44166, 1e-5},
		{"ABC Corporation", "ABC Corp", 0.90666, 1e-5},
		{"D N H Enterprises Inc", "D & H Enterprises, Inc.", 0.95251, 1e-5},
		{"My Gym Children's Fitness Center", "My Gym. Childrens Fitness", 0.942, 1e-5},
		{"PENNSYLVANIA", "PENNCISYLVNIA", 0.898018, 1e-5},
		{"/opt/software1", "/opt/software2", 0.971428, 1e-5},
		{"aaabcd", "aaacdb", 0.941666, 1e-5},
		{"John Horn", "John Hopkins", 0.911111, 1e-5},
		// From the Commons Javadoc, where the value is exact enough.
		{"hippo", "elephant", 0.44166, 1e-5},
		{"hippo", "zzzzzzzz", 0, 0},
		{"hello", "hallo", 0.88, 1e-5},
		{"", "a", 0, 0},
		{"aaapppp", "", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.a+"|"+tt.b, func(t *testing.T) {
			for _, pair := range [][2]string{{tt.a, tt.b}, {tt.b, tt.a}} {
				got := similarity(pair[0], pair[1])
				if math.Abs(got-tt.want) > tt.tol {
					t.Errorf("Similarity(%q, %q) = %.6f, want %.6f ± %g", pair[0], pair[1], got, tt.want, tt.tol)
				}
				check(t, []rune(pair[0]), []rune(pair[1]))
			}
		})
	}
}

// TestExhaustiveSmall covers every pair of strings over {a, b, c} up to
// length 5, which includes every equal-length tie-break the contract claims
// is order-independent.
func TestExhaustiveSmall(t *testing.T) {
	var all [][]rune
	var gen func(prefix []rune)
	gen = func(prefix []rune) {
		all = append(all, append([]rune(nil), prefix...))
		if len(prefix) < 5 {
			for _, c := range "abc" {
				gen(append(prefix, c))
			}
		}
	}
	gen(nil)
	for _, a := range all {
		for _, b := range all {
			check(t, a, b)
		}
	}
}

func TestRandomPairs(t *testing.T) {
	alphabets := [][]rune{
		[]rune("ab"),
		[]rune("abc"),
		[]rune("abcde "),
		[]rune("aéガσ"),
		[]rune("éeガカσςΣ"),
		[]rune("abcdefghijklmnopqrstuvwxyz"),
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		alpha := alphabets[r.IntN(len(alphabets))]
		a := randomRunes(r, alpha, r.IntN(41))
		b := randomRunes(r, alpha, r.IntN(41))
		if r.IntN(4) == 0 {
			// Near-duplicates exercise the prefix and high-score paths.
			b = mutate(r, alpha, a)
		}
		check(t, a, b)
	}
}

// TestLongStrings covers the heap fallback, including more than 64 distinct
// submitted runes.
func TestLongStrings(t *testing.T) {
	var wide []rune
	for c := rune(0x4e00); c < 0x4e00+200; c++ {
		wide = append(wide, c)
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 300 {
		alpha := wide[:2+r.IntN(len(wide)-2)]
		a := randomRunes(r, alpha, r.IntN(200))
		b := mutate(r, alpha, a)
		if r.IntN(3) == 0 {
			b = randomRunes(r, alpha, r.IntN(200))
		}
		check(t, a, b)
	}
}

func randomRunes(r *rand.Rand, alpha []rune, n int) []rune {
	s := make([]rune, n)
	for i := range s {
		s[i] = alpha[r.IntN(len(alpha))]
	}
	return s
}

// mutate applies a few typos: substitution, insertion, deletion or swap.
func mutate(r *rand.Rand, alpha []rune, s []rune) []rune {
	out := append([]rune(nil), s...)
	for range r.IntN(4) {
		i := r.IntN(len(out) + 1)
		switch r.IntN(4) {
		case 0:
			if i < len(out) {
				out[i] = alpha[r.IntN(len(alpha))]
			}
		case 1:
			out = append(out[:i], append([]rune{alpha[r.IntN(len(alpha))]}, out[i:]...)...)
		case 2:
			if i < len(out) {
				out = append(out[:i], out[i+1:]...)
			}
		case 3:
			if i+1 < len(out) {
				out[i], out[i+1] = out[i+1], out[i]
			}
		}
	}
	return out
}

func TestScore(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"MARTHA", "MARHTA", 96},  // 0.9611…: floor, not round
		{"DIXON", "DICKSONX", 81}, // 0.8133…
		{"foo", "  foo", 51},      // below 0.7: no prefix bonus
		{"fly", "ant", 0},         // no matches
		{"", "abc", 0},            // empty side
		{"foo", "foo", 99},        // equal: clamped, never 100
		{"", "", 99},              // equal empties: clamped too
		// JW is 0.95999999999999996; the product 100 × JW rounds to exactly
		// 96 in float64, so the floor is taken of the rounded product.
		{"abcdefghij", "abcdefghik", 96},
	}
	for _, tt := range tests {
		s := []rune(tt.a)
		got := jarowinkler.Score(len(s), []rune(tt.b), func(i int, c rune) bool { return s[i] == c })
		if got != tt.want {
			t.Errorf("Score(%q, %q) = %d, want %d (similarity %v)", tt.a, tt.b, got, tt.want, similarity(tt.a, tt.b))
		}
		if want := int(math.Floor(100 * reference(s, []rune(tt.b)))); got != min(want, 99) {
			t.Errorf("Score(%q, %q) = %d, floor of oracle %d", tt.a, tt.b, got, want)
		}
	}
}

func TestNoAllocations(t *testing.T) {
	stored := []rune("ÉLISABETH MARGARETHA VAN DER BERG-OLDENBARNEVELT ŠŤASTNÁ 12 ガ")
	submitted := []rune("ELISABETH MARGRETHA VAN DEN BERG OLDENBARNEVELDT STASTNA 12 カ")
	if len(stored) > 64 || len(submitted) > 64 {
		t.Fatalf("test strings too long: %d, %d", len(stored), len(submitted))
	}
	eq := func(i int, c rune) bool { return stored[i] == c }
	allocs := testing.AllocsPerRun(100, func() {
		jarowinkler.Similarity(len(stored), submitted, eq)
	})
	if allocs != 0 {
		t.Errorf("Similarity allocated %v times per call, want 0", allocs)
	}
}

func TestNegativeLengthPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Similarity(-1, …) did not panic")
		}
	}()
	jarowinkler.Similarity(-1, []rune("a"), func(int, rune) bool { return false })
}

func FuzzSimilarity(f *testing.F) {
	f.Add("MARTHA", "MARHTA")
	f.Add("aaabcd", "aaacdb")
	f.Add("", "")
	f.Add("foo", "  foo")
	f.Add("éガσ", "σガé")
	f.Fuzz(func(t *testing.T, a, b string) {
		ra, rb := []rune(a), []rune(b)
		p := newProbe(ra, rb)
		got := jarowinkler.Similarity(len(ra), rb, p.eq)
		if p.violation != "" {
			t.Fatal(p.violation)
		}
		if got < 0 || got > 1 || math.IsNaN(got) {
			t.Fatalf("Similarity(%q, %q) = %v outside [0, 1]", a, b, got)
		}
		if want := reference(ra, rb); got != want {
			t.Fatalf("Similarity(%q, %q) = %v, oracle %v", a, b, got, want)
		}
		if swapped := similarity(b, a); got != swapped {
			t.Fatalf("Similarity(%q, %q) = %v but swapped %v", a, b, got, swapped)
		}
	})
}

// benchStored and benchSubmitted are a 20-rune name pair with a dropped
// letter and an added one, typical of the values the engine scores.
var (
	benchStored    = []rune("MARGARETHA VAN DIJKE")
	benchSubmitted = []rune("MARGARETA VAN DIJKEN")
)

func BenchmarkSimilarity20(b *testing.B) {
	if len(benchStored) != 20 || len(benchSubmitted) != 20 {
		b.Fatal("benchmark strings must be 20 runes")
	}
	calls := 0
	eq := func(i int, c rune) bool {
		calls++
		return benchStored[i] == c
	}
	b.ReportAllocs()
	for b.Loop() {
		jarowinkler.Similarity(len(benchStored), benchSubmitted, eq)
	}
	b.ReportMetric(float64(calls)/float64(b.N), "eq/op")
	b.ReportMetric(float64(naiveQuestions(benchStored, benchSubmitted)), "naive-eq/op")
}

// BenchmarkReference20 times the plaintext oracle on the same pair, as a
// yardstick for the cost of working through eq on a loaded machine.
func BenchmarkReference20(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		reference(benchStored, benchSubmitted)
	}
}

func BenchmarkSimilarity64(b *testing.B) {
	stored := []rune("ÉLISABETH MARGARETHA VAN DER BERG-OLDENBARNEVELT ŠŤASTNÁ 12 ガ")
	submitted := []rune("ELISABETH MARGRETHA VAN DEN BERG OLDENBARNEVELDT STASTNA 12 カ")
	calls := 0
	eq := func(i int, c rune) bool {
		calls++
		return stored[i] == c
	}
	b.ReportAllocs()
	for b.Loop() {
		jarowinkler.Similarity(len(stored), submitted, eq)
	}
	b.ReportMetric(float64(calls)/float64(b.N), "eq/op")
	b.ReportMetric(float64(naiveQuestions(stored, submitted)), "naive-eq/op")
}

// naiveQuestions counts the stored-rune comparisons a direct transcription
// of Commons would turn into eq calls: the equality check, every window
// probe, every transposition pair and the prefix. It is the baseline the
// benchmark's eq/op is measured against.
func naiveQuestions(stored, submitted []rune) int {
	q := 0
	if len(stored) == len(submitted) {
		for k := range stored {
			q++
			if stored[k] != submitted[k] {
				break
			}
		}
	}
	maxS, minS := submitted, stored
	if len(stored) > len(submitted) {
		maxS, minS = stored, submitted
	}
	rng := max(len(maxS)/2-1, 0)
	flags := make([]bool, len(maxS))
	m := 0
	for mi := range minS {
		for xi, xn := max(mi-rng, 0), min(mi+rng+1, len(maxS)); xi < xn; xi++ {
			if !flags[xi] {
				q++
				if minS[mi] == maxS[xi] {
					flags[xi] = true
					m++
					break
				}
			}
		}
	}
	q += m
	for k := range min(4, len(minS)) {
		q++
		if stored[k] != submitted[k] {
			break
		}
	}
	return q
}

func ExampleScore() {
	// The store would answer eq from keyed tokens; here a plain slice stands in.
	stored := []rune("MARTHA")
	eq := func(i int, c rune) bool { return stored[i] == c }

	fmt.Println(jarowinkler.Score(len(stored), []rune("MARHTA"), eq))
	fmt.Println(jarowinkler.Score(len(stored), []rune("MARTHA"), eq))
	fmt.Println(jarowinkler.Score(len(stored), []rune("XYZ"), eq))
	// Output:
	// 96
	// 99
	// 0
}
