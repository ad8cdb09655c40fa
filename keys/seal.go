package keys

// Rule for this file: age's and armor's error texts can quote the file
// ("invalid first line: %q"), so they are never passed on; every failure is
// reported with this package's own words.

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"filippo.io/age"
	"filippo.io/age/armor"
)

const (
	// maxScryptWorkFactor caps the scrypt work (2^22, about 15 s) a sealed
	// file can demand from Open; it is age's own default cap.
	maxScryptWorkFactor = 22
	ageIntro            = "age-encryption.org/"
)

// sealing holds what Rotate needs to seal the rewritten file as it was.
// Keyring refers to it through a pointer so that printing a dereferenced
// Keyring shows an address, not the passphrase.
type sealing struct {
	passphrase []byte
	workFactor int // 0: age's default
}

// isSealed reports whether data is an age file, armored (what Create
// writes) or binary (what "age -p" writes by default). Leading whitespace
// is skipped as armor.NewReader does.
func isSealed(data []byte) (sealed, armored bool) {
	if bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte(armor.Header)) {
		return true, true
	}
	return bytes.HasPrefix(data, []byte(ageIntro)), false
}

func seal(plain []byte, s *sealing) ([]byte, error) {
	r, err := age.NewScryptRecipient(string(s.passphrase))
	if err != nil {
		return nil, errors.New("cannot seal with an empty passphrase")
	}
	if s.workFactor != 0 {
		r.SetWorkFactor(s.workFactor)
	}
	var out bytes.Buffer
	aw := armor.NewWriter(&out)
	w, err := age.Encrypt(aw, r)
	if err != nil {
		return nil, fmt.Errorf("seal keyring: %w", err) // age's Encrypt errors describe recipients, not data
	}
	if _, err := w.Write(plain); err != nil {
		return nil, fmt.Errorf("seal keyring: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("seal keyring: %w", err)
	}
	if err := aw.Close(); err != nil {
		return nil, fmt.Errorf("seal keyring: %w", err)
	}
	return out.Bytes(), nil
}

// unseal decrypts a sealed keyring. The caller zeroes the returned
// plaintext.
func unseal(data []byte, armored bool, passphrase []byte) ([]byte, error) {
	id, err := age.NewScryptIdentity(string(passphrase))
	if err != nil {
		return nil, ErrSealed
	}
	id.SetMaxWorkFactor(maxScryptWorkFactor)
	var src io.Reader = bytes.NewReader(data)
	if armored {
		src = armor.NewReader(src)
	}
	r, err := age.Decrypt(src, id)
	var noMatch *age.NoIdentityMatchError
	switch {
	case errors.As(err, &noMatch):
		return nil, ErrPassphrase
	case err != nil:
		return nil, fmt.Errorf("%w: sealed file is corrupt or needs scrypt work above 2^%d", ErrMalformed, maxScryptWorkFactor)
	}
	// age's payload is never longer than its ciphertext, so len(data)
	// bounds the plaintext and no buffer ever has to grow (and leave an
	// unzeroed copy behind).
	plain := make([]byte, len(data)+1)
	n, err := readInto(r, plain)
	if err != nil {
		clear(plain)
		return nil, fmt.Errorf("%w: sealed file is corrupt", ErrMalformed)
	}
	return plain[:n], nil
}
