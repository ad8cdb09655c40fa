package engine

import (
	"fmt"

	"github.com/kycmatch/kycmatch/hashing"
	"github.com/kycmatch/kycmatch/normalize"
)

// SchemeFor returns the scheme that hashes exactly like generation info: its
// key version, its normalisation profile and its lookup salt. The matcher
// reads a generation with it and ingest builds one with it, a delta from its
// base's info and a full build from the info it is about to commit, so the
// two sides cannot drift apart.
func SchemeFor(info GenerationInfo, ks KeySource) (*hashing.Scheme, error) {
	k, err := ks.Key(info.KeyID)
	if err != nil {
		return nil, fmt.Errorf("generation %s was built with key %s, which the keyring does not hold: %w", info.ID, info.KeyID, err)
	}
	p, err := normalize.LookupProfile(info.Profile)
	if err != nil {
		return nil, fmt.Errorf("generation %s: %w", info.ID, err)
	}
	return hashing.NewScheme(k, p, FieldNames()).WithLookupSalt(info.LookupSalt), nil
}
