package auth

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// checkKeyFile refuses a JWKS file that someone other than its owner could
// change: anyone who can write a key into it mints tokens. That is the file
// itself being group- or other-writable, or its directory (the one named,
// and the one a symbolic link leads to) being so, since whoever can write a
// directory can replace the file in it by a rename. A directory is accepted
// nevertheless when it has the sticky bit (then only an entry's owner may
// rename or remove it, as in /tmp) or sits on a read-only file system (a
// Kubernetes ConfigMap volume shows 0777 but nobody can write it). The
// file's owner is trusted, as the keyring's is.
func checkKeyFile(path string, info os.FileInfo) error {
	if info.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("JWKS file %s is writable by group or others; remove that permission (chmod go-w)", path)
	}
	dirs := []string{filepath.Dir(path)}
	if real, err := filepath.EvalSymlinks(path); err == nil && filepath.Dir(real) != dirs[0] {
		dirs = append(dirs, filepath.Dir(real))
	}
	for _, dir := range dirs {
		fi, err := os.Stat(dir)
		if err != nil {
			return fmt.Errorf("JWKS file directory: %w", err)
		}
		m := fi.Mode()
		if m.Perm()&0o022 == 0 || m&os.ModeSticky != 0 || readOnlyFS(dir) {
			continue
		}
		return fmt.Errorf("JWKS file directory %s is writable by group or others, who could replace the file; remove that permission (chmod go-w) or set the sticky bit", dir)
	}
	return nil
}

// readOnlyFS reports whether dir is on a file system mounted read-only:
// access(2) answers EROFS for a write check there, whoever asks.
func readOnlyFS(dir string) bool {
	return errors.Is(unix.Access(dir, unix.W_OK), unix.EROFS)
}
