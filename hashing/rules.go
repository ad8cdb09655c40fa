package hashing

import "github.com/kycmatch/kycmatch/normalize"

// A scheme hashes values as package normalize leaves them; these names let
// the scheme's code say so without importing it everywhere.
type Profile = normalize.Profile

// MaxRunes is normalize's bound on a value, which token positions rely on.
const MaxRunes = normalize.MaxRunes
