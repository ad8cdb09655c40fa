package keys_test

import (
	"bytes"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"
	"filippo.io/age/armor"
	"github.com/google/go-cmp/cmp"

	"github.com/kycmatch/kycmatch/keys"
)

// testWorkFactor keeps scrypt at about a millisecond; the default 18
// would make each sealed test take seconds.
const testWorkFactor = 10

var testPassphrase = []byte("correct horse battery staple")

func plainOptions() keys.Options { return keys.Options{} }

func sealedOptions() keys.Options {
	return keys.Options{Passphrase: testPassphrase, ScryptWorkFactor: testWorkFactor}
}

var sealings = []struct {
	name string
	opts keys.Options
}{
	{"Plain", plainOptions()},
	{"Sealed", sealedOptions()},
}

func tempPath(tb testing.TB) string {
	tb.Helper()
	return filepath.Join(tb.TempDir(), "keyring.json")
}

// MustCreate creates a keyring at a fresh path and returns both.
func MustCreate(tb testing.TB, o keys.Options) (*keys.Keyring, string) {
	tb.Helper()
	path := tempPath(tb)
	kr, err := keys.Create(path, o)
	if err != nil {
		tb.Fatalf("Create: %v", err)
	}
	return kr, path
}

func MustOpen(tb testing.TB, path string, o keys.Options) *keys.Keyring {
	tb.Helper()
	kr, err := keys.Open(path, o)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	return kr
}

func writeFile(tb testing.TB, path string, data []byte, mode fs.FileMode) {
	tb.Helper()
	if err := os.WriteFile(path, data, mode); err != nil {
		tb.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // WriteFile's mode is filtered by the umask
		tb.Fatal(err)
	}
}

// fileSecrets returns the raw secrets of a plain keyring file, by version.
func fileSecrets(tb testing.TB, path string) map[int][]byte {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var doc struct {
		Keys []struct {
			Version int    `json:"version"`
			Secret  []byte `json:"secret"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		tb.Fatalf("keyring file is not JSON: %v", err)
	}
	m := make(map[int][]byte)
	for _, k := range doc.Keys {
		m[k.Version] = k.Secret
	}
	return m
}

func mac(k *keys.Key, label, msg string) []byte {
	h := k.NewMAC(label)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

func checkMode(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode(); got != 0o600 {
		t.Errorf("mode of %s = %v, want -rw-------", path, got)
	}
}

func TestCreateOpen(t *testing.T) {
	for _, s := range sealings {
		t.Run(s.name, func(t *testing.T) {
			before := time.Now().UTC().Truncate(time.Second)
			kr, path := MustCreate(t, s.opts)
			checkMode(t, path)

			vs := kr.Versions()
			if len(vs) != 1 {
				t.Fatalf("Versions() = %v, want one version", vs)
			}
			v := vs[0]
			if v.Number != 1 || !v.Active {
				t.Errorf("version = %+v, want number 1, active", v)
			}
			if len(v.ID) != 16 || strings.Trim(v.ID, "0123456789abcdef") != "" {
				t.Errorf("ID = %q, want 16 lowercase hex characters", v.ID)
			}
			if v.Created.Location() != time.UTC || !v.Created.Equal(v.Created.Truncate(time.Second)) ||
				v.Created.Before(before) || v.Created.After(time.Now()) {
				t.Errorf("Created = %v, want now in UTC at second precision", v.Created)
			}
			if got := kr.Active().ID(); got != v.ID {
				t.Errorf("Active().ID() = %s, want %s", got, v.ID)
			}

			opened := MustOpen(t, path, s.opts)
			if diff := cmp.Diff(vs, opened.Versions()); diff != "" {
				t.Errorf("Versions after Open (-created +opened):\n%s", diff)
			}
			if !bytes.Equal(mac(kr.Active(), "l", "m"), mac(opened.Active(), "l", "m")) {
				t.Error("the opened key computes a different MAC than the created one")
			}
			k, err := opened.Key(v.ID)
			if err != nil || k.ID() != v.ID {
				t.Errorf("Key(%s) = %v, %v", v.ID, k, err)
			}
		})
	}
}

func TestCreate_SealedFile(t *testing.T) {
	_, path := MustCreate(t, sealedOptions())
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte(armor.Header+"\n")) {
		t.Errorf("sealed file does not start with the age armor header:\n%.80s", data)
	}
	if bytes.Contains(data, []byte("kycmatch_keyring")) {
		t.Error("sealed file contains plaintext JSON")
	}
}

func TestCreate_ErrExists(t *testing.T) {
	for _, existing := range []struct {
		name string
		data []byte
		mode fs.FileMode
	}{
		{"OtherFile", []byte("not a keyring, keep me"), 0o644},
		{"Empty", nil, 0o600},
		{"Keyring", []byte(`{"kycmatch_keyring":1}`), 0o400},
	} {
		t.Run(existing.name, func(t *testing.T) {
			path := tempPath(t)
			writeFile(t, path, existing.data, existing.mode)
			before, _ := os.Stat(path)

			_, err := keys.Create(path, plainOptions())
			if !errors.Is(err, keys.ErrExists) {
				t.Fatalf("Create over an existing file: err = %v, want ErrExists", err)
			}
			got, _ := os.ReadFile(path)
			after, _ := os.Stat(path)
			if !bytes.Equal(got, existing.data) || after.Mode() != before.Mode() || !after.ModTime().Equal(before.ModTime()) {
				t.Error("Create modified the existing file")
			}
		})
	}
}

func TestCreate_MissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "keyring.json")
	if _, err := keys.Create(path, plainOptions()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err = %v, want fs.ErrNotExist", err)
	}
}

func TestOptions_WorkFactorOutOfRange(t *testing.T) {
	for _, wf := range []int{-1, 23, 31} {
		t.Run(fmt.Sprint(wf), func(t *testing.T) {
			path := tempPath(t)
			_, err := keys.Create(path, keys.Options{Passphrase: testPassphrase, ScryptWorkFactor: wf})
			if err == nil {
				t.Fatal("Create accepted the work factor")
			}
			if _, statErr := os.Stat(path); !errors.Is(statErr, fs.ErrNotExist) {
				t.Error("Create left a file behind")
			}
		})
	}
}

func TestOpen_ErrPermissions(t *testing.T) {
	for _, mode := range []fs.FileMode{0o640, 0o604, 0o644, 0o660, 0o620, 0o602, 0o700 | 0o007} {
		t.Run(fmt.Sprintf("%04o", mode), func(t *testing.T) {
			_, path := MustCreate(t, plainOptions())
			if err := os.Chmod(path, mode); err != nil {
				t.Fatal(err)
			}
			_, err := keys.Open(path, plainOptions())
			if !errors.Is(err, keys.ErrPermissions) {
				t.Fatalf("err = %v, want ErrPermissions", err)
			}
			for _, want := range []string{fmt.Sprintf("%04o", mode), "chmod 600 " + path} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}

func TestOpen_OwnerOnlyModes(t *testing.T) {
	for _, mode := range []fs.FileMode{0o400, 0o600, 0o700} {
		t.Run(fmt.Sprintf("%04o", mode), func(t *testing.T) {
			_, path := MustCreate(t, plainOptions())
			if err := os.Chmod(path, mode); err != nil {
				t.Fatal(err)
			}
			MustOpen(t, path, plainOptions())
		})
	}
}

func TestOpen_NotRegularFile(t *testing.T) {
	if _, err := keys.Open(t.TempDir(), plainOptions()); err == nil {
		t.Error("Open accepted a directory")
	}
}

func TestOpen_Sealed(t *testing.T) {
	_, path := MustCreate(t, sealedOptions())
	for _, tc := range []struct {
		name       string
		passphrase []byte
		want       error
	}{
		{"ErrSealed", nil, keys.ErrSealed},
		{"ErrSealedEmpty", []byte{}, keys.ErrSealed},
		{"ErrPassphrase", []byte("wrong horse battery staple"), keys.ErrPassphrase},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := keys.Open(path, keys.Options{Passphrase: tc.passphrase})
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if bytes.Contains([]byte(err.Error()), testPassphrase) {
				t.Error("error contains the passphrase")
			}
		})
	}
}

// TestOpen_SealedByAge checks the documented way to seal an existing plain
// keyring (age -p, armored or not) gives a file Open accepts.
func TestOpen_SealedByAge(t *testing.T) {
	for _, armored := range []bool{true, false} {
		t.Run(fmt.Sprintf("armored=%v", armored), func(t *testing.T) {
			kr, path := MustCreate(t, plainOptions())
			plain, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			sealedPath := path + ".age"
			writeFile(t, sealedPath, ageSeal(t, plain, armored), 0o600)

			opened := MustOpen(t, sealedPath, sealedOptions())
			if diff := cmp.Diff(kr.Versions(), opened.Versions()); diff != "" {
				t.Errorf("Versions (-plain +sealed):\n%s", diff)
			}
			if _, err := keys.Open(sealedPath, plainOptions()); !errors.Is(err, keys.ErrSealed) {
				t.Errorf("Open without passphrase: err = %v, want ErrSealed", err)
			}
		})
	}
}

func ageSeal(t *testing.T, plain []byte, armored bool) []byte {
	t.Helper()
	r, err := age.NewScryptRecipient(string(testPassphrase))
	if err != nil {
		t.Fatal(err)
	}
	r.SetWorkFactor(testWorkFactor)
	var out bytes.Buffer
	var dst interface {
		Write([]byte) (int, error)
		Close() error
	} = nopCloser{&out}
	if armored {
		dst = armor.NewWriter(&out)
	}
	w, err := age.Encrypt(dst, r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(plain); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

type nopCloser struct{ *bytes.Buffer }

func (nopCloser) Close() error { return nil }

func TestOpen_SealedCorrupt(t *testing.T) {
	_, path := MustCreate(t, sealedOptions())
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	for _, tc := range []struct {
		name string
		data string
	}{
		{"BadArmorLine", strings.Join(append([]string{lines[0], "MARKER-not-base64!"}, lines[2:]...), "\n")},
		{"Truncated", strings.Join(lines[:len(lines)/2], "\n") + "\nMARKER\n"},
		{"NoHeader", armor.Header + "\nTUFSS0VSLU1BUktFUg==\n" + armor.Footer + "\n"},
		{"BinaryGarbage", "age-encryption.org/v1\n-> MARKER MARKER\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "sealed")
			writeFile(t, p, []byte(tc.data), 0o600)
			_, err := keys.Open(p, sealedOptions())
			if !errors.Is(err, keys.ErrMalformed) {
				t.Fatalf("err = %v, want ErrMalformed", err)
			}
			if strings.Contains(err.Error(), "MARKER") {
				t.Errorf("error echoes the file: %v", err)
			}
		})
	}
}

func TestRotate(t *testing.T) {
	for _, s := range sealings {
		t.Run(s.name, func(t *testing.T) {
			kr, path := MustCreate(t, s.opts)
			v1 := kr.Versions()[0]
			mac1 := mac(kr.Active(), "email", "a@example.com")
			fiBefore, _ := os.Stat(path)

			v2, err := kr.Rotate()
			if err != nil {
				t.Fatalf("Rotate: %v", err)
			}
			if v2.Number != 2 || !v2.Active || v2.ID == v1.ID {
				t.Errorf("Rotate() = %+v, want active version 2 with a new id", v2)
			}
			v1.Active = false
			if diff := cmp.Diff([]keys.Version{v1, v2}, kr.Versions()); diff != "" {
				t.Errorf("Versions (-want +got):\n%s", diff)
			}
			if kr.Active().ID() != v2.ID {
				t.Errorf("Active() = %v, want %s", kr.Active(), v2.ID)
			}
			old, err := kr.Key(v1.ID)
			if err != nil {
				t.Fatalf("Key(old id): %v", err)
			}
			if !bytes.Equal(mac(old, "email", "a@example.com"), mac1) {
				t.Error("the old version's MAC changed with rotation")
			}

			checkMode(t, path)
			fiAfter, _ := os.Stat(path)
			if os.SameFile(fiBefore, fiAfter) {
				t.Error("Rotate rewrote the file in place instead of replacing it")
			}
			checkOnlyFile(t, path)

			reopened := MustOpen(t, path, s.opts)
			if diff := cmp.Diff(kr.Versions(), reopened.Versions()); diff != "" {
				t.Errorf("Versions after reopening (-rotated +reopened):\n%s", diff)
			}
			if len(s.opts.Passphrase) > 0 {
				if _, err := keys.Open(path, plainOptions()); !errors.Is(err, keys.ErrSealed) {
					t.Errorf("rotated sealed keyring opened without passphrase: err = %v", err)
				}
			}
			if v3, err := reopened.Rotate(); err != nil || v3.Number != 3 {
				t.Errorf("second Rotate after reopening = %+v, %v; want version 3", v3, err)
			}
		})
	}
}

// checkOnlyFile fails if path's directory holds anything else, such as a
// temporary file Rotate left behind.
func checkOnlyFile(t *testing.T, path string) {
	t.Helper()
	des, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(des) != 1 || des[0].Name() != filepath.Base(path) {
		var names []string
		for _, de := range des {
			names = append(names, de.Name())
		}
		t.Errorf("directory holds %v, want only %s", names, filepath.Base(path))
	}
}

func TestRotate_PlainOpenedWithPassphraseStaysPlain(t *testing.T) {
	_, path := MustCreate(t, plainOptions())
	kr := MustOpen(t, path, sealedOptions())
	if _, err := kr.Rotate(); err != nil {
		t.Fatal(err)
	}
	if got := len(fileSecrets(t, path)); got != 2 {
		t.Errorf("plain file after Rotate holds %d secrets, want 2", got)
	}
}

func TestRotate_ChangedOnDisk(t *testing.T) {
	_, path := MustCreate(t, plainOptions())
	first := MustOpen(t, path, plainOptions())
	second := MustOpen(t, path, plainOptions())
	won, err := first.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := second.Rotate(); err == nil {
		t.Fatal("Rotate on a stale keyring succeeded, dropping the other version")
	}
	if got := second.Versions(); len(got) != 1 {
		t.Errorf("failed Rotate changed the keyring: %v", got)
	}
	if _, err := MustOpen(t, path, plainOptions()).Key(won.ID); err != nil {
		t.Errorf("the first rotation's version is gone from the file: %v", err)
	}
}

func TestRotate_ErrPermissions(t *testing.T) {
	kr, path := MustCreate(t, plainOptions())
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := kr.Rotate(); !errors.Is(err, keys.ErrPermissions) {
		t.Errorf("err = %v, want ErrPermissions", err)
	}
}

func TestKey_ErrUnknownKey(t *testing.T) {
	kr, _ := MustCreate(t, plainOptions())
	for _, tc := range []struct {
		name, id string
		echoed   bool
	}{
		{"WellFormed", "0123456789abcdef", true},
		{"Malformed", "MARKER not an id", false},
		{"Empty", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := kr.Key(tc.id)
			if !errors.Is(err, keys.ErrUnknownKey) || k != nil {
				t.Fatalf("Key(%q) = %v, %v; want ErrUnknownKey", tc.id, k, err)
			}
			if tc.id != "" && strings.Contains(err.Error(), tc.id) != tc.echoed {
				t.Errorf("error %q: id echoed = %v, want %v", err, !tc.echoed, tc.echoed)
			}
		})
	}
}

// TestConcurrentUse is for the race detector: readers run while Rotate
// swaps the active key.
func TestConcurrentUse(t *testing.T) {
	kr, _ := MustCreate(t, plainOptions())
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				_ = mac(kr.Active(), "l", "m")
				_ = kr.Versions()
				_ = kr.String()
			}
		})
	}
	for range 3 {
		if _, err := kr.Rotate(); err != nil {
			t.Error(err)
		}
	}
	wg.Wait()
	if n := len(kr.Versions()); n != 4 {
		t.Errorf("%d versions, want 4", n)
	}
}

// fixedSecret is the secret of the derivation vectors below.
var fixedSecret = func() []byte {
	b := make([]byte, 32)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}()

func hkdfKey(t testing.TB, secret []byte, info string, n int) []byte {
	t.Helper()
	k, err := hkdf.Key(sha256.New, secret, nil, info, n)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// keyringJSON renders a keyring document for hand-made test files.
func keyringJSON(active string, entries ...string) string {
	return `{"kycmatch_keyring":1,"active":"` + active + `","keys":[` + "\n" + strings.Join(entries, ",\n") + "\n]}\n"
}

func keyJSON(version int, id string, secret []byte) string {
	return fmt.Sprintf(`{"version":%d,"id":"%s","created":"2026-11-25T10:00:00Z","secret":"%s"}`,
		version, id, base64.StdEncoding.EncodeToString(secret))
}

func keyID(t testing.TB, secret []byte) string {
	return hex.EncodeToString(hkdfKey(t, secret, "kycmatch/v1/key-id", 8))
}
