package hashing_test

import (
	"testing"

	"github.com/kycmatch/kycmatch/hashing"
)

// TestLookupSalt: a salted scheme's lookup keys depend on the salt, and an
// unsalted scheme (generations made before salts) keeps its keys.
func TestLookupSalt(t *testing.T) {
	s := testScheme(t)
	const phone = "+34600000001"
	key := func(s *hashing.Scheme, phone string) string {
		k := s.NewHasher().LookupKey(phone)
		return string(k.Bytes())
	}
	plain := key(s, phone)
	a := key(s.WithLookupSalt([]byte("salt-a")), phone)
	a2 := key(s.WithLookupSalt([]byte("salt-a")), phone)
	b := key(s.WithLookupSalt([]byte("salt-b")), phone)
	if a != a2 {
		t.Error("one salt gave two keys")
	}
	if a == b || a == plain || b == plain {
		t.Error("salts do not separate lookup keys")
	}
	if key(s, phone) != plain || s.LookupSalt() != nil {
		t.Error("WithLookupSalt changed the scheme it was called on")
	}
	if key(s.WithLookupSalt([]byte{}), phone) != plain {
		t.Error("an empty salt is not the unsalted key of older generations")
	}
	if key(s, "+34600000002") == plain {
		t.Error("two numbers share a key")
	}
}
