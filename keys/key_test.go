package keys_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kycmatch/kycmatch/keys"
)

// openFixed opens a hand-written keyring whose only secret is fixedSecret.
func openFixed(t *testing.T) *keys.Keyring {
	t.Helper()
	id := keyID(t, fixedSecret)
	path := filepath.Join(t.TempDir(), "keyring.json")
	writeFile(t, path, []byte(keyringJSON(id, keyJSON(1, id, fixedSecret))), 0o600)
	return MustOpen(t, path, plainOptions())
}

// TestDerivation_Vectors recomputes every documented derivation from the
// secret, so another implementation can be checked against the package
// comment, and pins the results as golden values so a changed label
// cannot go unnoticed.
func TestDerivation_Vectors(t *testing.T) {
	k := openFixed(t).Active()

	if want := keyID(t, fixedSecret); k.ID() != want {
		t.Errorf("ID() = %s, want HKDF(secret, %q)[:8] = %s", k.ID(), "kycmatch/v1/key-id", want)
	}
	if want := "6ac77a5e801bc7fc"; k.ID() != want {
		t.Errorf("ID() = %s, want golden %s", k.ID(), want)
	}

	wantMAC := hmac.New(sha256.New, hkdfKey(t, fixedSecret, "kycmatch/v1/mac/email", 32))
	wantMAC.Write([]byte("a@example.com"))
	if got := mac(k, "email", "a@example.com"); !bytes.Equal(got, wantMAC.Sum(nil)) {
		t.Errorf("NewMAC(email) = %x, want HMAC keyed with HKDF(secret, kycmatch/v1/mac/email) = %x", got, wantMAC.Sum(nil))
	}
	if got, want := hex.EncodeToString(mac(k, "email", "a@example.com")), "8e18635fbb2ada6ed6ceb37fe3e687f7f9e07bc4c63ffcc10ffdc3ead9fb9c02"; got != want {
		t.Errorf("NewMAC(email) = %s, want golden %s", got, want)
	}

	wantAuth := hmac.New(sha256.New, hkdfKey(t, fixedSecret, "kycmatch/v1/auth/generation", 32))
	wantAuth.Write([]byte("meta"))
	gotAuth := k.NewAuthMAC("generation")
	gotAuth.Write([]byte("meta"))
	if !bytes.Equal(gotAuth.Sum(nil), wantAuth.Sum(nil)) {
		t.Errorf("NewAuthMAC(generation) is not HMAC keyed with HKDF(secret, kycmatch/v1/auth/generation)")
	}

	blockKey := hkdfKey(t, fixedSecret, "kycmatch/v1/block/dob", 32)
	want, _ := aes.NewCipher(blockKey)
	in := []byte("0123456789abcdef")
	gotOut, wantOut := make([]byte, 16), make([]byte, 16)
	k.NewBlock("dob").Encrypt(gotOut, in)
	want.Encrypt(wantOut, in)
	if !bytes.Equal(gotOut, wantOut) {
		t.Errorf("NewBlock(dob) encrypts to %x, want AES-256 keyed with HKDF(secret, kycmatch/v1/block/dob) = %x", gotOut, wantOut)
	}

	if got, want := k.StorageKey("badger"), hkdfKey(t, fixedSecret, "kycmatch/v1/storage/badger", 32); !bytes.Equal(got, want) {
		t.Errorf("StorageKey(badger) = %x, want %x", got, want)
	}

	salt := []byte("generation salt")
	sealed := k.NewAEAD("records", salt).Seal(nil, nil, []byte("record"), []byte("ad"))
	ref, _ := aes.NewCipher(hkdfSaltedKey(t, fixedSecret, salt, "kycmatch/v1/aead/records"))
	gcm, _ := cipher.NewGCM(ref)
	n := gcm.NonceSize()
	if got, err := gcm.Open(nil, sealed[:n], sealed[n:], []byte("ad")); err != nil || string(got) != "record" {
		t.Errorf("NewAEAD(records, salt) is not AES-256-GCM keyed with HKDF(secret, salt, kycmatch/v1/aead/records) with the nonce first: %v", err)
	}
}

func hkdfSaltedKey(t *testing.T, secret, salt []byte, info string) []byte {
	t.Helper()
	k, err := hkdf.Key(sha256.New, secret, salt, info, 32)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestDerivation_Independence(t *testing.T) {
	kr, path := MustCreate(t, plainOptions())
	k := kr.Active()
	reopened := MustOpen(t, path, plainOptions()).Active()
	other, _ := MustCreate(t, plainOptions())
	otherKey := other.Active()

	block := func(k *keys.Key, label string) string {
		out := make([]byte, aes.BlockSize)
		k.NewBlock(label).Encrypt(out, []byte("0123456789abcdef"))
		return hex.EncodeToString(out)
	}
	macHex := func(k *keys.Key, label string) string { return hex.EncodeToString(mac(k, label, "0123456789abcdef")) }
	storage := func(k *keys.Key, label string) string { return hex.EncodeToString(k.StorageKey(label)) }
	auth := func(k *keys.Key, label string) string {
		h := k.NewAuthMAC(label)
		h.Write([]byte("0123456789abcdef"))
		return hex.EncodeToString(h.Sum(nil))
	}

	for _, d := range []struct {
		name   string
		derive func(*keys.Key, string) string
	}{
		{"NewMAC", macHex},
		{"NewBlock", block},
		{"StorageKey", storage},
		{"NewAuthMAC", auth},
	} {
		t.Run(d.name, func(t *testing.T) {
			base := d.derive(k, "email")
			if d.derive(k, "email") != base || d.derive(reopened, "email") != base {
				t.Error("same key and label gave different output (or different after Open)")
			}
			if d.derive(k, "phone") == base {
				t.Error("different labels gave the same output")
			}
			if d.derive(k, "emai") == base || d.derive(k, "email/") == base {
				t.Error("labels that differ by a character gave the same output")
			}
			if d.derive(otherKey, "email") == base {
				t.Error("different keyrings gave the same output")
			}
		})
	}

	// Purposes are separated too: the MAC key for a label is not the
	// storage key for it.
	macKey := hmac.New(sha256.New, k.StorageKey("email"))
	macKey.Write([]byte("0123456789abcdef"))
	if hex.EncodeToString(macKey.Sum(nil)) == macHex(k, "email") {
		t.Error("NewMAC(label) is keyed with StorageKey(label)")
	}
	if auth(k, "email") == macHex(k, "email") {
		t.Error("NewAuthMAC(label) is keyed as NewMAC(label)")
	}
	if n := len(k.StorageKey("x")); n != 32 {
		t.Errorf("len(StorageKey) = %d, want 32", n)
	}
}

func TestNewMAC_IndependentInstances(t *testing.T) {
	k := openFixed(t).Active()
	a, b := k.NewMAC("l"), k.NewMAC("l")
	a.Write([]byte("extra"))
	b.Write([]byte("m"))
	if !bytes.Equal(b.Sum(nil), mac(k, "l", "m")) {
		t.Error("writing to one MAC affected another")
	}
	a.Reset()
	a.Write([]byte("m"))
	if !bytes.Equal(a.Sum(nil), mac(k, "l", "m")) {
		t.Error("Reset does not restore the keyed initial state")
	}
}

func TestEmptyLabelPanics(t *testing.T) {
	k := openFixed(t).Active()
	for name, f := range map[string]func(){
		"NewMAC":     func() { k.NewMAC("") },
		"NewBlock":   func() { k.NewBlock("") },
		"StorageKey": func() { k.StorageKey("") },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil {
					t.Fatal("no panic on an empty label")
				}
				if s := fmt.Sprint(r); strings.Contains(s, hex.EncodeToString(fixedSecret)) {
					t.Errorf("panic value leaks the secret: %s", s)
				}
			}()
			f()
		})
	}
}

// TestFormatting_NoSecret prints keys and keyrings every way a caller or a
// logger might, and looks for the secret in every encoding.
func TestFormatting_NoSecret(t *testing.T) {
	kr, path := MustCreate(t, plainOptions())
	if _, err := kr.Rotate(); err != nil {
		t.Fatal(err)
	}
	secrets := fileSecrets(t, path)
	if len(secrets) != 2 {
		t.Fatalf("file holds %d secrets, want 2", len(secrets))
	}
	var forbidden []string
	for _, s := range secrets {
		forbidden = append(forbidden,
			base64.StdEncoding.EncodeToString(s), base64.RawURLEncoding.EncodeToString(s),
			hex.EncodeToString(s), strings.ToUpper(hex.EncodeToString(s)),
			string(s), fmt.Sprint(s), fmt.Sprintf("%v", [32]byte(s)), fmt.Sprintf("%#v", s))
	}

	k := kr.Active()
	values := map[string]any{"*Key": k, "Key": *k, "*Keyring": kr, "[]*Key": []*keys.Key{k}, "Versions": kr.Versions()}
	var out strings.Builder
	for name, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%08b"} {
			fmt.Fprintf(&out, "%s %s: "+verb+"\n", name, verb, v)
		}
	}
	slog.New(slog.NewTextHandler(&out, nil)).Info("keys", "key", k, "keyValue", *k, "keyring", kr)
	slog.New(slog.NewJSONHandler(&out, nil)).Info("keys", "key", k, "keyValue", *k, "keyring", kr)

	for _, f := range forbidden {
		if strings.Contains(out.String(), f) {
			t.Fatalf("formatted output contains the secret (%.12s...):\n%s", f, out.String())
		}
	}
	if want := "key " + k.ID(); !strings.Contains(out.String(), "*Key %#v: "+want+"\n") {
		t.Errorf("%%#v of *Key is not %q:\n%s", want, out.String())
	}
}

func BenchmarkMACReuse(b *testing.B) {
	_, path := MustCreate(b, plainOptions())
	mac := MustOpen(b, path, plainOptions()).Active().NewMAC("bench")
	msg := bytes.Repeat([]byte{'x'}, 32)
	sum := make([]byte, 0, sha256.Size)
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		mac.Reset()
		mac.Write(msg)
		sum = mac.Sum(sum[:0])
	}
}

// TestAEAD_Independence: a sealed record opens only under the key version,
// label, salt and additional data it was sealed with.
func TestAEAD_Independence(t *testing.T) {
	kr, _ := MustCreate(t, plainOptions())
	other, _ := MustCreate(t, plainOptions())
	k := kr.Active()
	sealed := k.NewAEAD("records", []byte("salt-1")).Seal(nil, nil, []byte("record"), []byte("key-1"))
	if got, err := k.NewAEAD("records", []byte("salt-1")).Open(nil, nil, sealed, []byte("key-1")); err != nil || string(got) != "record" {
		t.Fatalf("same key, label, salt and data: %q, %v", got, err)
	}
	for _, c := range []struct {
		name  string
		aead  cipher.AEAD
		extra string
	}{
		{"other key version", other.Active().NewAEAD("records", []byte("salt-1")), "key-1"},
		{"other label", k.NewAEAD("record", []byte("salt-1")), "key-1"},
		{"other salt", k.NewAEAD("records", []byte("salt-2")), "key-1"},
		{"no salt", k.NewAEAD("records", nil), "key-1"},
		{"other additional data", k.NewAEAD("records", []byte("salt-1")), "key-2"},
	} {
		if _, err := c.aead.Open(nil, nil, sealed, []byte(c.extra)); err == nil {
			t.Errorf("%s opened the record", c.name)
		}
	}
	again := k.NewAEAD("records", []byte("salt-1")).Seal(nil, nil, []byte("record"), []byte("key-1"))
	if bytes.Equal(again, sealed) {
		t.Error("two seals of one record are equal: the nonce is not fresh")
	}
}
