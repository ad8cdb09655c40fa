package engine

import "github.com/kycmatch/kycmatch/hashing"

// WriteFormat makes e write records of format f, an older format of the
// same layout, with rune codes of book c, for tests of reading older
// generations.
func WriteFormat(e *Encoder, f int, c hashing.Codes) { e.format, e.codes = byte(f), c }

// TrackStates makes m keep every match state it creates in *states, for
// tests of what pooled state holds after a match.
func TrackStates(m *Matcher, states *[]any) {
	next := m.states.New
	m.states.New = func() any {
		st := next()
		*states = append(*states, st)
		return st
	}
}
