package keys_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kycmatch/kycmatch/keys"
)

// marker is put in every malformed file; no error may repeat it.
const marker = "MARKER-7f3a"

func TestOpen_ErrMalformed(t *testing.T) {
	secretA := fixedSecret
	secretB := bytes.Repeat([]byte{0xaa}, 32)
	idA, idB := keyID(t, secretA), keyID(t, secretB)
	keyA, keyB := keyJSON(1, idA, secretA), keyJSON(2, idB, secretB)
	valid := keyringJSON(idA, keyA, keyB)
	// withNote hides the marker in a field Open ignores, so that even a
	// structurally valid file carries it.
	withNote := func(doc string) string {
		return strings.Replace(doc, "{", `{"note":"`+marker+`",`, 1)
	}

	for _, tc := range []struct {
		name    string
		content string
		want    string // a substring the error must contain
	}{
		{"Empty", "", "invalid JSON"},
		{"TruncatedJSON", withNote(valid)[:len(withNote(valid))*2/3], "invalid JSON at line"},
		{"SyntaxErrorLine3", withNote(keyringJSON(idA, keyA, `{"version":2,`+marker+`}`)), "line 3"},
		{"TrailingGarbage", valid + marker, "invalid JSON"},
		{"NotAnObject", `["` + marker + `"]`, "not a keyring document"},
		{"Null", "null", "unsupported format"},
		{"UnsupportedFormat", withNote(strings.Replace(valid, `"kycmatch_keyring":1`, `"kycmatch_keyring":2`, 1)), "unsupported format"},
		{"NoKeys", withNote(keyringJSON(idA)), "no keys"},
		{"WrongSecretLength", withNote(keyringJSON(idA, keyJSON(1, idA, append(secretA[:31:31], marker...)))), "secret is 42 bytes"},
		{"ShortSecret", withNote(keyringJSON(idA, keyJSON(1, idA, secretA[:31]))), "secret is 31 bytes"},
		{"BadBase64", withNote(strings.Replace(valid, base64.StdEncoding.EncodeToString(secretB), marker+"!!", 1)), "base64"},
		{"SecretNotString", withNote(strings.Replace(valid, `"`+base64.StdEncoding.EncodeToString(secretB)+`"`, "12345678901", 1)), "wrong type"},
		{"VersionNotNumber", withNote(strings.Replace(valid, `"version":2`, `"version":"`+marker+`"`, 1)), "wrong type"},
		{"VersionZero", withNote(strings.Replace(valid, `"version":2`, `"version":0`, 1)), "key entry 2: version"},
		{"DuplicateVersions", withNote(keyringJSON(idA, keyA, keyJSON(1, idB, secretB))), "same version number"},
		{"DuplicateSecrets", withNote(keyringJSON(idA, keyA, keyJSON(2, idA, secretA))), "same secret"},
		{"ActiveMissing", withNote(keyringJSON("0123456789abcdef", keyA, keyB)), "active key id"},
		{"ActiveEmpty", withNote(keyringJSON("", keyA, keyB)), "active key id"},
		{"IDMismatch", withNote(keyringJSON(idA, keyA, keyJSON(2, idA[:15]+"0", secretB))), "id does not match"},
		{"IDOfOtherSecret", withNote(keyringJSON(idA, keyA, keyJSON(2, idA, secretB))), "id does not match"},
		{"CreatedMissing", withNote(strings.Replace(valid, `"created":"2026-11-25T10:00:00Z",`, "", 1)), "created time missing"},
		{"CreatedInvalid", withNote(strings.Replace(valid, "2026-11-25T10:00:00Z", marker, 1)), "RFC 3339"},
		{"TooLarge", valid + strings.Repeat(" ", 1<<20) + marker, "larger than 1 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "keyring.json")
			writeFile(t, path, []byte(tc.content), 0o600)
			_, err := keys.Open(path, plainOptions())
			if !errors.Is(err, keys.ErrMalformed) {
				t.Fatalf("err = %v, want ErrMalformed", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error %q does not say %q", msg, tc.want)
			}
			for _, leak := range []string{marker, base64.StdEncoding.EncodeToString(secretA), base64.StdEncoding.EncodeToString(secretB)} {
				if strings.Contains(msg, leak) {
					t.Errorf("error %q contains file content %q", msg, leak)
				}
			}
		})
	}
}

// TestOpen_ValidHandWritten pins the documented file format: a file written
// by hand from the package comment's description opens.
func TestOpen_ValidHandWritten(t *testing.T) {
	idA := keyID(t, fixedSecret)
	secretB := bytes.Repeat([]byte{0xaa}, 32)
	idB := keyID(t, secretB)
	path := filepath.Join(t.TempDir(), "keyring.json")
	// Versions out of order, second active, created with an offset and
	// fractional seconds: all allowed.
	writeFile(t, path, []byte(keyringJSON(idB,
		strings.Replace(keyJSON(2, idB, secretB), "2026-11-25T10:00:00Z", "2026-11-25T11:00:00.9+01:00", 1),
		keyJSON(1, idA, fixedSecret))), 0o600)
	kr := MustOpen(t, path, plainOptions())
	vs := kr.Versions()
	if len(vs) != 2 || vs[0].Number != 1 || vs[1].Number != 2 || vs[0].Active || !vs[1].Active {
		t.Fatalf("Versions() = %+v, want 1 inactive then 2 active", vs)
	}
	if vs[0].ID != idA || vs[1].ID != idB {
		t.Errorf("ids = %s, %s; want %s, %s", vs[0].ID, vs[1].ID, idA, idB)
	}
	for _, v := range vs {
		if want := "2026-11-25 10:00:00 +0000 UTC"; v.Created.String() != want {
			t.Errorf("version %d created %v, want %s", v.Number, v.Created, want)
		}
	}
}

func TestOpen_NoSuchFile(t *testing.T) {
	_, err := keys.Open(filepath.Join(t.TempDir(), "missing"), plainOptions())
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v, want os.ErrNotExist", err)
	}
}
