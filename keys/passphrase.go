package keys

import (
	"bytes"
	"errors"
	"fmt"
)

// maxPassphraseSize bounds what ReadPassphraseFile reads: no passphrase is
// anywhere near that long, so a larger file is the wrong file.
const maxPassphraseSize = 1 << 10

// ReadPassphraseFile reads a passphrase from path: at most 1 KiB, with one
// trailing "\n" or "\r\n" removed (the line end editors and echo add). It
// refuses an empty passphrase, and a file group or others can access
// (ErrPermissions), before reading it. Errors never include the content.
// The caller should zero the result when done with it.
func ReadPassphraseFile(path string) ([]byte, error) {
	p, err := readPassphrase(path)
	if err != nil {
		return nil, fmt.Errorf("keys: read passphrase file %s: %w", path, err)
	}
	return p, nil
}

func readPassphrase(path string) ([]byte, error) {
	raw, err := readPrivate(path, maxPassphraseSize)
	if err != nil {
		return nil, err
	}
	defer clear(raw)
	p := trimLineEnd(raw)
	if len(p) == 0 {
		return nil, errors.New("passphrase is empty")
	}
	return bytes.Clone(p), nil
}

func trimLineEnd(b []byte) []byte {
	if t, ok := bytes.CutSuffix(b, []byte("\r\n")); ok {
		return t
	}
	t, _ := bytes.CutSuffix(b, []byte("\n"))
	return t
}
