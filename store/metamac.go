package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kycmatch/kycmatch/internal/atomicfile"
	"github.com/kycmatch/kycmatch/store/sealed"
)

// GENERATION.json is authenticated by GENERATION.mac beside it (see
// sealed.MarshalMeta): a detached file rather than a field inside the
// JSON, so older builds still read GENERATION.json and refuse the record
// format they do not know. Both files are written inside tmp-<id> before
// the directory is renamed into place, so the switch to a new generation
// stays one rename of the directory and one of CURRENT.
const macFile = "GENERATION.mac"

// writeMeta writes m and its authenticator into dir.
func (s *Store) writeMeta(dir string, m *meta) error {
	b, mac, err := sealed.MarshalMeta(s.opt.Keys, m)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, macFile), append(mac, '\n')); err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, metaFile), b)
}

// readVerified reads the metadata of generation id in dir and checks it:
// authenticated by the keyring, naming id, and sealed, unless the store
// allows otherwise. bound reports whether its records are sealed to the
// generation (see sealed.RecordAD): those of every authenticated generation are.
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
		if err := sealed.VerifyMeta(s.opt.Keys, m, b, mac, metaFile); err != nil {
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
