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
	p, err := ProfileOf(info)
	if err != nil {
		return nil, err
	}
	return hashing.NewScheme(k, p, FieldNames()).WithLookupSalt(info.LookupSalt), nil
}

// ProfileOf returns the normalisation profile info records: its definition,
// or, in a generation from before definitions were recorded, the built-in
// it names.
func ProfileOf(info GenerationInfo) (*normalize.Profile, error) {
	if len(info.ProfileDefinition) == 0 {
		p, err := normalize.Builtin(info.Profile)
		if err != nil {
			return nil, fmt.Errorf("generation %s: %w", info.ID, err)
		}
		return p, nil
	}
	p, err := normalize.ParseProfile(info.ProfileDefinition)
	if err != nil {
		return nil, fmt.Errorf("generation %s: recorded profile: %w", info.ID, err)
	}
	if p.Name() != info.Profile {
		return nil, fmt.Errorf("generation %s: names profile %s but records the definition of %s", info.ID, info.Profile, p.Name())
	}
	return p, nil
}
