package auth_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/kycmatch/kycmatch/api/auth"
	"github.com/kycmatch/kycmatch/internal/kyctest"
)

// TestJWKSFilePermissions: a JWKS file that a group or other users could
// change, directly or by replacing it in its directory, is refused at
// startup, and a change made while it is so is not trusted on re-read.
func TestJWKSFilePermissions(t *testing.T) {
	k := newKey(t, jose.ES256, "k")
	tests := []struct {
		name              string
		fileMode, dirMode os.FileMode
		link              bool // the configured path is a symlink in a 0700 directory
		refusal           string
	}{
		{"OK/OwnerOnly", 0o600, 0o700, false, ""},
		{"OK/ReadableByAll", 0o644, 0o755, false, ""},
		{"OK/StickyDirectory", 0o644, 0o777 | os.ModeSticky, false, ""},
		{"Refused/GroupWritableFile", 0o664, 0o755, false, "chmod go-w"},
		{"Refused/OtherWritableFile", 0o646, 0o755, false, "chmod go-w"},
		{"Refused/GroupWritableDirectory", 0o644, 0o775, false, "directory"},
		{"Refused/OtherWritableDirectory", 0o644, 0o757, false, "directory"},
		{"Refused/LinkIntoWritableDirectory", 0o644, 0o777, true, "directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "keys")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "jwks.json")
			kyctest.WriteFileAtomic(t, path, jwksOf(t, k))
			chmod(t, path, tt.fileMode)
			chmod(t, dir, tt.dirMode)
			if tt.link {
				linkDir := t.TempDir()
				link := filepath.Join(linkDir, "jwks.json")
				if err := os.Symlink(path, link); err != nil {
					t.Fatal(err)
				}
				path = link
			}
			_, err := auth.NewJWT(context.Background(), auth.JWTConfig{JWKSFile: path, Issuer: testIssuer, Audience: testAudience})
			switch {
			case tt.refusal == "" && err != nil:
				t.Fatalf("NewJWT: %v", err)
			case tt.refusal != "" && (err == nil || !strings.Contains(err.Error(), tt.refusal)):
				t.Fatalf("NewJWT: err = %v, want a refusal naming %q", err, tt.refusal)
			}
		})
	}

	t.Run("ReRead", func(t *testing.T) {
		clk := newClock()
		v, path := mustFileVerifier(t, clk, auth.JWTConfig{}, k)
		intruder := newKey(t, jose.EdDSA, "intruder")
		chmod(t, filepath.Dir(path), 0o777)
		kyctest.WriteFileAtomic(t, path, jwksOf(t, k, intruder))
		clk.Advance(1100 * time.Millisecond)
		_, err := v.Verify(context.Background(), sign(t, intruder, claimsAt(clk.Now(), nil), nil))
		checkErr(t, err, auth.ErrUnauthenticated)
		_, err = v.Verify(context.Background(), sign(t, k, claimsAt(clk.Now(), nil), nil))
		checkErr(t, err, nil) // the keys loaded before stay in use
		chmod(t, filepath.Dir(path), 0o700)
		clk.Advance(11 * time.Second)
		_, err = v.Verify(context.Background(), sign(t, intruder, claimsAt(clk.Now(), nil), nil))
		checkErr(t, err, nil) // control: the same file is trusted once the directory is private
	})
}

// chmod sets mode exactly, whatever the umask, and puts 0700 back at the
// end so that the test's temporary directory can be removed.
func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(path, 0o700) })
}
