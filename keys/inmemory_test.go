package keys_test

import (
	"testing"

	"github.com/kycmatch/kycmatch/keys"
)

// TestInMemory: a keyring with one active version that finds its key by id
// and, having no file, refuses to rotate rather than write one.
func TestInMemory(t *testing.T) {
	kr, err := keys.InMemory()
	if err != nil {
		t.Fatal(err)
	}
	vs := kr.Versions()
	if len(vs) != 1 || !vs[0].Active || vs[0].ID != kr.Active().ID() {
		t.Fatalf("versions %+v", vs)
	}
	if k, err := kr.Key(vs[0].ID); err != nil || k != kr.Active() {
		t.Fatalf("Key(active id) = %v, %v", k, err)
	}
	if _, err := kr.Rotate(); err == nil {
		t.Fatal("Rotate of an in-memory keyring succeeded")
	}
	other, err := keys.InMemory()
	if err != nil {
		t.Fatal(err)
	}
	if other.Active().ID() == kr.Active().ID() {
		t.Fatal("two in-memory keyrings share a key")
	}
}
