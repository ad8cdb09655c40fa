package store

import (
	"context"

	"github.com/kycmatch/kycmatch/engine"
)

// SetWriteStreams makes new generations have n shards, as on a machine
// with n cores, until the returned function restores the default.
func SetWriteStreams(n int) (restore func()) {
	old := writeStreams
	writeStreams = n
	return func() { writeStreams = old }
}

// RawScan calls fn with every line of g as stored: sealed, unless the
// store is plaintext.
func RawScan(g engine.Generation, fn func(key, v []byte) error) error {
	for _, sh := range g.(*Generation).shards {
		if err := sh.scan(context.Background(), nil, nil, fn); err != nil {
			return err
		}
	}
	return nil
}

// OpenRaw opens a stored record as Get does for key.
func OpenRaw(g engine.Generation, key, v []byte) ([]byte, error) {
	return g.(*Generation).open(nil, key, v)
}

// SetFreeSpace makes writers see free bytes on their disk until the
// returned function restores the real figure.
func SetFreeSpace(free int64) (restore func()) {
	old := freeSpace
	freeSpace = func(string) (int64, error) { return free, nil }
	return func() { freeSpace = old }
}
