package main

import (
	"context"
	"crypto/cipher"
	"fmt"
	"hash"
	"sync/atomic"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/keys"
	"github.com/kycmatch/kycmatch/store"
)

// liveKeyring is the keyring a running serve reads, re-read from its file
// when a new generation names a key it lacks and on SIGHUP. The store
// (Badger's encryption, record sealing) and the matchers take their keys
// from it, so both see a rotated key at once.
type liveKeyring struct {
	path, passphraseFile string
	kr                   atomic.Pointer[keys.Keyring]
}

var (
	_ engine.KeyReloader = (*liveKeyring)(nil)
	_ store.Keys         = (*liveKeyring)(nil)
)

func newLiveKeyring(kr *keys.Keyring, path, passphraseFile string) *liveKeyring {
	lk := &liveKeyring{path: path, passphraseFile: passphraseFile}
	lk.kr.Store(kr)
	return lk
}

func (lk *liveKeyring) Key(id string) (*keys.Key, error) { return lk.kr.Load().Key(id) }

func (lk *liveKeyring) Sealer(id string, salt []byte) (cipher.AEAD, error) {
	return store.KeyringKeys(lk.kr.Load()).Sealer(id, salt)
}

func (lk *liveKeyring) MetaMAC(id string) (hash.Hash, error) {
	return store.KeyringKeys(lk.kr.Load()).MetaMAC(id)
}

func (lk *liveKeyring) BadgerKey(id string) ([]byte, error) {
	return store.KeyringKeys(lk.kr.Load()).BadgerKey(id)
}

// ReloadKeys re-reads the keyring file, and the passphrase file with it
// (an operator may have replaced both); on error the keys already read stay.
func (lk *liveKeyring) ReloadKeys() error {
	if lk.path == "" {
		return nil
	}
	var o keys.Options
	if lk.passphraseFile != "" {
		p, err := keys.ReadPassphraseFile(lk.passphraseFile)
		if err != nil {
			return fmt.Errorf("re-read the keyring: %w", err)
		}
		defer clear(p)
		o.Passphrase = p
	}
	kr, err := keys.Open(lk.path, o)
	if err != nil {
		return fmt.Errorf("re-read the keyring: %w", err)
	}
	lk.kr.Store(kr)
	return nil
}

// reload is SIGHUP: the keyring, then the JWKS file, each keeping what it
// had when its re-read fails; both failures are logged by what failed.
func (s *server) reload(ctx context.Context) {
	s.cfg.logger.Info("SIGHUP: re-reading the keyring and the signing keys")
	s.live.Reload(ctx)
	if s.cfg.reloadAuth != nil {
		if err := s.cfg.reloadAuth(ctx); err != nil {
			s.cfg.logger.Error("cannot re-read the signing keys; keeping the previous ones", "err", err)
		}
	}
}
