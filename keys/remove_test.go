package keys_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"testing"

	"github.com/kycmatch/kycmatch/keys"
)

// TestRemove: an old version leaves the file for good; the active one and
// unknown ids are refused and change nothing.
func TestRemove(t *testing.T) {
	for _, s := range sealings {
		t.Run(s.name, func(t *testing.T) {
			kr, path := MustCreate(t, s.opts)
			old := kr.Versions()[0]
			if _, err := kr.Rotate(); err != nil {
				t.Fatal(err)
			}
			active := kr.Active().ID()
			if _, err := kr.Remove(active); !errors.Is(err, keys.ErrActive) {
				t.Errorf("Remove(active) = %v, want ErrActive", err)
			}
			if _, err := kr.Remove("0123456789abcdef"); !errors.Is(err, keys.ErrUnknownKey) {
				t.Errorf("Remove(unknown) = %v, want ErrUnknownKey", err)
			}
			gone, err := kr.Remove(old.ID)
			if err != nil || gone.ID != old.ID || gone.Number != old.Number {
				t.Fatalf("Remove(old) = %+v, %v", gone, err)
			}
			checkMode(t, path)
			for _, k := range []*keys.Keyring{kr, MustOpen(t, path, s.opts)} {
				if _, err := k.Key(old.ID); !errors.Is(err, keys.ErrUnknownKey) {
					t.Errorf("removed key still there: %v", err)
				}
				if vs := k.Versions(); len(vs) != 1 || vs[0].ID != active || !vs[0].Active {
					t.Errorf("versions after removal: %+v", vs)
				}
			}
		})
	}
}

// TestRemove_ChangedOnDisk: like Rotate, Remove does not undo what another
// process wrote.
func TestRemove_ChangedOnDisk(t *testing.T) {
	kr, path := MustCreate(t, plainOptions())
	old := kr.Versions()[0]
	if _, err := kr.Rotate(); err != nil {
		t.Fatal(err)
	}
	if _, err := MustOpen(t, path, plainOptions()).Rotate(); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	if _, err := kr.Remove(old.ID); err == nil {
		t.Fatal("Remove over a file rotated elsewhere succeeded")
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("a refused Remove changed the file")
	}
}

// TestLineIDs: 16 hex digits of HMAC-SHA-256 under the line-pseudonym
// label's subkey, the same for one number and key, different across keys
// and numbers.
func TestLineIDs(t *testing.T) {
	kr, path := MustCreate(t, plainOptions())
	k := kr.Active()
	secret := fileSecrets(t, path)[1]
	h := hmac.New(sha256.New, hkdfKey(t, secret, "kycmatch/v1/line-pseudonym", 32))
	h.Write([]byte("+34612345678"))
	want := hex.EncodeToString(h.Sum(nil)[:8])
	ids := k.LineIDs()
	if got := ids.Of("+34612345678"); got != want {
		t.Errorf("Of = %s, want %s", got, want)
	}
	if got := ids.Of("+34612345678"); got != want {
		t.Errorf("second Of = %s, want %s (a reused MAC must be reset)", got, want)
	}
	if ids.KeyID() != k.ID() {
		t.Errorf("KeyID %s, want %s", ids.KeyID(), k.ID())
	}
	if ids.Of("+34612345679") == want {
		t.Error("two numbers share a pseudonym")
	}
	if hex.EncodeToString(mac(k, "line-pseudonym", "+34612345678")[:8]) == want {
		t.Error("NewMAC(\"line-pseudonym\") gives the pseudonym key")
	}
	v, _ := kr.Rotate()
	other, _ := kr.Key(v.ID)
	if other.LineIDs().Of("+34612345678") == want {
		t.Error("two key versions share a pseudonym")
	}
}
