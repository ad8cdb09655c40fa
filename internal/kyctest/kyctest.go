// Package kyctest holds what the packages' tests share: keyrings and stores
// in temporary directories, and a plaintext oracle of the contract's match
// rules (§5) to hold the engine's answers to. Only tests import it.
package kyctest

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/jarowinkler"
	"github.com/kycmatch/kycmatch/keys"
	"github.com/kycmatch/kycmatch/normalize"
	"github.com/kycmatch/kycmatch/store"
)

// Keyring creates a keyring in a temporary directory.
func Keyring(tb testing.TB) *keys.Keyring {
	tb.Helper()
	kr, err := keys.Create(filepath.Join(tb.TempDir(), "keyring"), keys.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return kr
}

// Store opens a store in dir whose generations are encrypted with kr's
// keys, or not, when plaintext.
func Store(tb testing.TB, dir string, kr *keys.Keyring, plaintext bool) *store.Store {
	tb.Helper()
	st, err := store.Open(dir, store.Options{Plaintext: plaintext, AllowUnsealed: plaintext, Keys: store.KeyringKeys(kr)})
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

// Join joins the non-empty parts with single spaces, as compositions do.
func Join(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}

// Held returns the raw values a line answers attribute a from: its own
// value, or for name and address the compositions of the parts it holds
// (contract §5), or nothing.
func Held(vals *[engine.NumAttributes]string, a engine.Attribute) []string {
	switch {
	case vals[a] != "":
		return []string{vals[a]}
	case a == engine.Name && vals[engine.GivenName] != "" && vals[engine.FamilyName] != "":
		return []string{Join(vals[engine.GivenName], vals[engine.MiddleNames], vals[engine.FamilyName]),
			Join(vals[engine.FamilyName], vals[engine.GivenName])}
	case a == engine.Address && vals[engine.StreetName] != "" && vals[engine.StreetNumber] != "":
		return []string{Join(vals[engine.StreetName], vals[engine.StreetNumber], vals[engine.HouseNumberExtension]),
			Join(vals[engine.StreetNumber], vals[engine.StreetName], vals[engine.HouseNumberExtension])}
	}
	return nil
}

// Oracle answers attribute a of a line from its plaintext: the verdict, and
// the score (engine.NoScore where none is due).
func Oracle(tb testing.TB, vals *[engine.NumAttributes]string, a engine.Attribute, submitted string) (engine.Verdict, int) {
	tb.Helper()
	held := Held(vals, a)
	if held == nil {
		return engine.NotAvailable, engine.NoScore
	}
	// A composition is normalised as the text of a, which a is.
	sub := normalized(tb, a.Field(), submitted)
	best := engine.NoScore
	for _, h := range held {
		n := normalized(tb, a.Field(), h)
		if n == sub {
			return engine.True, engine.NoScore
		}
		if a.Scored() {
			best = max(best, PlainScore(n, sub))
		}
	}
	return engine.False, best
}

func normalized(tb testing.TB, f normalize.Field, v string) string {
	tb.Helper()
	n, err := normalize.DefaultProfile.Normalize(f, v)
	if err != nil {
		tb.Fatalf("normalise %q: %v", v, err)
	}
	return n
}

// PlainScore is ⌊100 × Jaro–Winkler⌋ of two normalised values, both known.
func PlainScore(stored, submitted string) int {
	st, sub := []rune(stored), []rune(submitted)
	return jarowinkler.Score(len(st), sub, func(i int, c rune) bool { return st[i] == c })
}
