// Package atomicfile owns how kycmatch writes the small files that must
// survive a crash whole: keyrings, a data directory's CURRENT pointer, a
// generation's metadata, and the files tests swap under a watcher. A reader
// sees the old content or the new, never a mix, and once a call returns,
// the content and its directory entry are on disk. Every file is private
// (mode 0600): most of them hold or protect key material.
package atomicfile

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// tempInfix marks WriteFile's temporary files: "." + base + tempInfix +
// os.CreateTemp's random digits.
const tempInfix = ".tmp-"

// WriteFile replaces the file at path with data, or creates it, through a
// synced temporary file in the same directory and a rename. On error the
// file at path is unchanged and no temporary file is left.
func WriteFile(path string, data []byte) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	// os.CreateTemp opens with O_EXCL and mode 0600; the same directory
	// keeps the rename on one file system.
	f, err := os.CreateTemp(dir, "."+base+tempInfix+"*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if err := writeSyncClose(f, data); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return SyncDir(dir)
}

// Create writes data to a new file at path. An existing file is never
// touched: the error then wraps fs.ErrExist. On any other error nothing is
// left at path, so a retry is not blocked by half a file.
func Create(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if err := writeSyncClose(f, data); err != nil {
		os.Remove(path) // ours: O_EXCL created it above
		return err
	}
	return SyncDir(filepath.Dir(path))
}

func writeSyncClose(f *os.File, data []byte) error {
	// Chmod makes the mode exactly 0600 even under an unusual umask that
	// also removed owner bits.
	err := f.Chmod(0o600)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// SyncDir makes the entries created, renamed or removed in dir durable: a
// file's own fsync does not cover its name.
func SyncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil // directories cannot be opened for syncing there
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// IsTemp reports whether name, a directory entry's name, is a temporary
// file of WriteFile's, which only a process that died mid-write leaves
// behind. Whoever owns the directory may remove it.
func IsTemp(name string) bool {
	i := strings.LastIndex(name, tempInfix)
	if i < 2 || name[0] != '.' {
		return false
	}
	digits := name[i+len(tempInfix):]
	return digits != "" && strings.Trim(digits, "0123456789") == ""
}
