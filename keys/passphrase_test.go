package keys_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kycmatch/kycmatch/keys"
)

func TestReadPassphraseFile(t *testing.T) {
	const pw = "MARKER pass phrase"
	for _, tc := range []struct {
		name    string
		content string
		mode    fs.FileMode
		want    string // empty: an error is expected
		wantErr error  // checked with errors.Is when set
	}{
		{"OK/LF", pw + "\n", 0o600, pw, nil},
		{"OK/CRLF", pw + "\r\n", 0o600, pw, nil},
		{"OK/NoLineEnd", pw, 0o400, pw, nil},
		{"OK/OnlyOneLineEndStripped", pw + "\n\n", 0o600, pw + "\n", nil},
		{"OK/SpacesKept", "  " + pw + " \n", 0o600, "  " + pw + " ", nil},
		{"OK/ExactlyOneKiB", strings.Repeat("M", 1024), 0o600, strings.Repeat("M", 1024), nil},
		{"ErrEmpty", "", 0o600, "", nil},
		{"ErrOnlyLineEnd", "\n", 0o600, "", nil},
		{"ErrOnlyCRLF", "\r\n", 0o600, "", nil},
		{"ErrTooLarge", strings.Repeat("MARKER", 200), 0o600, "", nil},
		{"ErrPermissions/0644", pw, 0o644, "", keys.ErrPermissions},
		{"ErrPermissions/0640", pw, 0o640, "", keys.ErrPermissions},
		{"ErrPermissions/0604", pw, 0o604, "", keys.ErrPermissions},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "passphrase")
			writeFile(t, path, []byte(tc.content), tc.mode)
			got, err := keys.ReadPassphraseFile(path)
			if tc.want != "" {
				if err != nil || string(got) != tc.want {
					t.Fatalf("ReadPassphraseFile = %q, %v; want %q", got, err, tc.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("ReadPassphraseFile = %q, want an error", got)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("err = %v, want %v", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "MARKER") {
				t.Errorf("error echoes the file: %v", err)
			}
		})
	}
}

func TestReadPassphraseFile_NotRegular(t *testing.T) {
	if _, err := keys.ReadPassphraseFile(t.TempDir()); err == nil {
		t.Error("read a directory as a passphrase file")
	}
	if _, err := keys.ReadPassphraseFile(filepath.Join(t.TempDir(), "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v, want os.ErrNotExist", err)
	}
}

// TestReadPassphraseFile_Unseals checks the pieces fit: a passphrase file
// written with a trailing newline unseals a keyring sealed without one.
func TestReadPassphraseFile_Unseals(t *testing.T) {
	_, path := MustCreate(t, sealedOptions())
	pwPath := filepath.Join(t.TempDir(), "passphrase")
	writeFile(t, pwPath, append(append([]byte{}, testPassphrase...), '\n'), 0o600)
	pw, err := keys.ReadPassphraseFile(pwPath)
	if err != nil {
		t.Fatal(err)
	}
	MustOpen(t, path, keys.Options{Passphrase: pw})
}
