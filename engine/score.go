package engine

import (
	"github.com/kycmatch/kycmatch/hashing"
	"github.com/kycmatch/kycmatch/jarowinkler"
)

// score computes ⌊100 × Jaro–Winkler⌋ between the submitted value and the
// stored one without the stored one: every comparison Jaro–Winkler makes is
// "stored rune i against submitted rune c", which the stored tokens answer
// (hashing.TokenSeq). For a composed value the best variant counts.
func (m *Matcher) score(st *matchState, v *recordView, a Attribute) int8 {
	st.runes = appendRunes(st.runes[:0], st.norm[a])
	av := &v.attrs[a]
	best := int8(NoScore)
	for i := 0; i < av.n; i++ {
		seq, err := st.h.OpenTokens(int(a), &v.salt, i, av.tokens[i])
		if err != nil {
			// A section this key cannot read gives no score rather than a
			// wrong one; the contract lets scores be absent.
			continue
		}
		if s := int8(scoreTokens(st, &seq, st.runes)); s > best {
			best = s
		}
	}
	return best
}

// scoreTokens memoises eq: Jaro–Winkler asks some (position, rune) pairs
// more than once, and each answer costs a PRF call.
func scoreTokens(st *matchState, seq *hashing.TokenSeq, sub []rune) int {
	n := seq.Len()
	distinct := distinctRunes(sub)
	if cap(st.memo) < n*len(distinct) {
		st.memo = make([]int8, n*len(distinct))
	}
	memo := st.memo[:n*len(distinct)]
	clear(memo)
	eq := func(i int, c rune) bool {
		j := indexRune(distinct, c)
		if j < 0 {
			return false
		}
		slot := &memo[i*len(distinct)+j]
		if *slot == 0 {
			*slot = 2
			if seq.Eq(i, c) {
				*slot = 1
			}
		}
		return *slot == 1
	}
	return jarowinkler.Score(n, sub, eq)
}

func distinctRunes(sub []rune) []rune {
	out := make([]rune, 0, 32)
	for _, r := range sub {
		if indexRune(out, r) < 0 {
			out = append(out, r)
		}
	}
	return out
}

func indexRune(rs []rune, r rune) int {
	for i, x := range rs {
		if x == r {
			return i
		}
	}
	return -1
}
