package engine

import (
	"github.com/kycmatch/kycmatch/jarowinkler"
)

// score computes ⌊100 × Jaro–Winkler⌋ between the submitted value and the
// stored one without the stored one: every comparison Jaro–Winkler makes is
// "stored rune i against submitted rune c", which the stored tokens answer
// (hashing.TokenSeq). For a composed value the best variant counts.
func (m *Matcher) score(st *matchState, v *recordView, a Attribute) int8 {
	if !st.opened {
		st.tokens, st.tokensErr = st.h.OpenTokenBlock(&v.salt, v.tokens, v.values, v.codes)
		st.opened = true
	}
	if st.tokensErr != nil {
		return NoScore
	}
	st.runes = appendRunes(st.runes[:0], st.norm[a])
	av := &v.attrs[a]
	best := int8(NoScore)
	for i := 0; i < av.n; i++ {
		seq, err := st.tokens.Seq(av.value + i)
		if err != nil {
			// A section this key cannot read gives no score rather than a
			// wrong one; the contract lets scores be absent.
			continue
		}
		if s := int8(jarowinkler.Score(seq.Len(), st.runes, seq.Eq)); s > best {
			best = s
		}
	}
	return best
}
