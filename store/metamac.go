package store

import (
	"crypto/hmac"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kycmatch/kycmatch/internal/atomicfile"
)

// GENERATION.json is authenticated by GENERATION.mac beside it: the
// HMAC-SHA-256, in hex, of the exact bytes of GENERATION.json under a key
// derived from the generation's key version (Keys.MetaMAC). Every field is
// covered, sealing and salts included, so without the keyring no one can
// strip a generation's sealing, swap its salts or counts, or pass one
// generation's metadata off as another's: the id inside must name the
// directory.
//
// A detached file rather than a field inside the JSON: the bytes
// authenticated are the file as it is, with no canonical form to agree
// on, and older builds still read GENERATION.json and refuse the record
// format they do not know. Both files are written inside tmp-<id> before
// the directory is renamed into place, so the switch to a new generation
// stays one rename of the directory and one of CURRENT.
const macFile = "GENERATION.mac"

// writeMeta writes m and its authenticator into dir.
func (s *Store) writeMeta(dir string, m *meta) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	sum, err := s.metaMAC(m.KeyID, b)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, macFile), []byte(hex.EncodeToString(sum)+"\n")); err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, metaFile), b)
}

func (s *Store) metaMAC(keyID string, b []byte) ([]byte, error) {
	if s.opt.Keys == nil {
		return nil, errors.New("generation metadata cannot be authenticated without a keyring")
	}
	h, err := s.opt.Keys.MetaMAC(keyID)
	if err != nil {
		return nil, err
	}
	h.Write(b)
	return h.Sum(nil), nil
}

// readVerified reads the metadata of generation id in dir and checks it:
// authenticated by the keyring, naming id, and sealed, unless the store
// allows otherwise. bound reports whether its records are sealed to the
// generation (see recordAD): those of every authenticated generation are.
func (s *Store) readVerified(dir, id string) (m *meta, bound bool, err error) {
	m, b, err := readMeta(dir)
	if err != nil {
		return nil, false, err
	}
	mac, err := os.ReadFile(filepath.Join(dir, macFile))
	switch {
	case errors.Is(err, os.ErrNotExist):
		if !s.opt.AllowUnsealed {
			return nil, false, fmt.Errorf("its metadata is not authenticated (it was written by an earlier kycmatch, or %s was removed): run a full ingest, or pass --allow-unsealed to read it anyway", macFile)
		}
	case err != nil:
		return nil, false, err
	default:
		if err := s.verifyMeta(m, b, mac); err != nil {
			return nil, false, err
		}
		bound = true
	}
	if m.ID != id {
		return nil, false, fmt.Errorf("its metadata names generation %q: the directory was renamed or copied", m.ID)
	}
	if m.Sealing == "" && !m.Encrypted && !s.opt.AllowUnsealed {
		return nil, false, fmt.Errorf("its records are not sealed (it was built with --plaintext-store): pass --allow-unsealed to read it")
	}
	return m, bound, nil
}

func (s *Store) verifyMeta(m *meta, b, mac []byte) error {
	want, err := hex.DecodeString(strings.TrimSpace(string(mac)))
	if err != nil {
		want = nil // compares unequal below, with the same message
	}
	got, err := s.metaMAC(m.KeyID, b)
	if err != nil {
		return fmt.Errorf("cannot check its metadata: %w", err)
	}
	if !hmac.Equal(got, want) {
		return fmt.Errorf("%s does not authenticate under key %s: the metadata was altered, or the keyring holds another key under that id", metaFile, m.KeyID)
	}
	return nil
}
