package keys

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"

	"github.com/kycmatch/kycmatch/internal/atomicfile"
)

// errTooLarge is returned by readInto when the reader holds more than the
// buffer's last byte, which readers reserve as a sentinel.
var errTooLarge = errors.New("too large")

// readPrivate reads at most limit bytes of a regular file that only its
// owner can access. Permissions are checked on the open descriptor, before
// any byte is read, so a too-open secret file is never loaded. The caller
// zeroes the result.
func readPrivate(path string, limit int) ([]byte, error) {
	// Stat before opening: opening a FIFO would block until a writer came.
	if fi, err := os.Stat(path); err != nil {
		return nil, unwrapPath(err)
	} else if !fi.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, unwrapPath(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, unwrapPath(err)
	}
	if err := checkPrivate(path, fi); err != nil {
		return nil, err
	}
	// Size the buffer from the file so that it never grows (growing would
	// leave unzeroed copies); one byte more detects files over the limit
	// or that grew since Stat.
	buf := make([]byte, min(fi.Size(), int64(limit))+1)
	n, err := readInto(f, buf)
	switch {
	case errors.Is(err, errTooLarge):
		clear(buf)
		return nil, sizeError{limit}
	case err != nil:
		clear(buf)
		return nil, unwrapPath(err)
	}
	return buf[:n], nil
}

// sizeError reports a file over readPrivate's limit.
type sizeError struct{ limit int }

func (e sizeError) Error() string {
	return "file is larger than " + sizeString(e.limit) + " or changed while being read"
}

func checkPrivate(path string, fi fs.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return errors.New("not a regular file")
	}
	// Windows reports 0666 for every writable file; its ACLs are not
	// mode bits, so there is nothing meaningful to check there.
	if perm := fi.Mode().Perm(); runtime.GOOS != "windows" && perm&0o077 != 0 {
		return fmt.Errorf("%w (mode %04o); run chmod 600 %s", ErrPermissions, perm, path)
	}
	return nil
}

// readInto reads r to EOF into buf and returns the byte count. Filling buf
// entirely is errTooLarge: callers allocate one byte more than they accept.
func readInto(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
	return n, errTooLarge
}

// writeNew creates path with O_EXCL, so an existing keyring is never
// touched, and mode 0600 from the first moment.
func writeNew(path string, data []byte) error {
	err := atomicfile.Create(path, data)
	if errors.Is(err, fs.ErrExist) {
		return ErrExists
	}
	return unwrapPath(err)
}

// replaceFile swaps data in for path atomically: a crash leaves either the
// old file or the new one.
func replaceFile(path string, data []byte) error {
	return unwrapPath(atomicfile.WriteFile(path, data))
}

// unwrapPath drops the *fs.PathError layer, whose operation and path the
// callers' own "keys: open PATH:" prefix already gives; errors.Is still
// sees the underlying errno.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func sizeString(n int) string {
	switch {
	case n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
