package atomicfile_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/kycmatch/kycmatch/internal/atomicfile"
)

func TestWrite(t *testing.T) {
	tests := []struct {
		name    string
		old     string // content already at the path; "" for none
		write   func(string, []byte) error
		want    string // content afterwards
		wantErr error  // nil: success
	}{
		{"WriteFile/New", "", atomicfile.WriteFile, "new", nil},
		{"WriteFile/Replace", "old", atomicfile.WriteFile, "new", nil},
		{"Create/New", "", atomicfile.Create, "new", nil},
		{"Create/Exists", "old", atomicfile.Create, "old", fs.ErrExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "f")
			if tt.old != "" {
				if err := os.WriteFile(path, []byte(tt.old), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			err := tt.write(path, []byte("new"))
			if !errors.Is(err, tt.wantErr) || (err != nil) != (tt.wantErr != nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("content %q, want %q", got, tt.want)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantErr == nil && runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
				t.Errorf("mode %04o, want 0600", fi.Mode().Perm())
			}
			onlyEntry(t, dir, "f")
		})
	}
}

// TestWriteFileFailure: a rename that fails (the path is a non-empty
// directory) leaves the path as it was and no temporary file.
func TestWriteFileFailure(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := os.MkdirAll(filepath.Join(path, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := atomicfile.WriteFile(path, []byte("new")); err == nil {
		t.Fatal("WriteFile over a non-empty directory succeeded")
	}
	onlyEntry(t, dir, "f")
	if err := atomicfile.WriteFile(filepath.Join(dir, "missing", "f"), nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("WriteFile into a missing directory: %v, want fs.ErrNotExist", err)
	}
}

func onlyEntry(t *testing.T, dir, name string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != name {
		t.Errorf("directory holds %v, want only %s", entries, name)
	}
}

func TestIsTemp(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{".CURRENT.tmp-123456", true},
		{".keyring.json.tmp-1", true},
		{"CURRENT.tmp-123", false}, // not hidden: not ours
		{".CURRENT.tmp-", false},
		{".CURRENT.tmp-12a", false},
		{".tmp-123", false}, // no base name
		{"CURRENT", false},
		{"tmp-00000003", false}, // a generation being built is the store's own
	}
	for _, tt := range tests {
		if got := atomicfile.IsTemp(tt.name); got != tt.want {
			t.Errorf("IsTemp(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}
