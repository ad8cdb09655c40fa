package main

import (
	"log/slog"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/kycmatch/kycmatch/engine"
	"github.com/kycmatch/kycmatch/keys"
	"github.com/kycmatch/kycmatch/store"
	"github.com/kycmatch/kycmatch/store/postgres"
)

// storeFlag is --store, the PostgreSQL store, in place of --data (contract
// §6). Its URL may carry a password, so no message ever repeats it.
func storeFlag() cli.Flag {
	return stringFlag("store", "PostgreSQL URL (postgres://HOST[,HOST2]/DB?…) holding the generations, in place of --data")
}

// readTimeout is serve's and match's statement_timeout on the PostgreSQL
// store (a URL's own statement_timeout wins): a read is one primary-key
// lookup, and a standby cancelling it beats a request left hanging.
const readTimeout = 2 * time.Second

// storeOpts say how a command uses its store.
type storeOpts struct {
	// plaintext builds generations unsealed (ingest --plaintext-store);
	// allowUnsealed reads them (see allowUnsealedFlag).
	plaintext, allowUnsealed bool
	// statementTimeout bounds the PostgreSQL store's statements; 0 for an
	// ingest, whose index build takes minutes.
	statementTimeout time.Duration
	logger           *slog.Logger
}

// storeTarget reads --data and --store, of which exactly one names the
// store.
func storeTarget(c *cli.Context) (data, url string, err error) {
	data, url = strings.TrimSpace(c.String("data")), strings.TrimSpace(c.String("store"))
	switch {
	case data != "" && url != "":
		return "", "", usagef("--data and --store both name a store: give one of them")
	case data == "" && url == "":
		return "", "", usagef("--data DIR or --store URL is required (or set KYCMATCH_DATA or KYCMATCH_STORE)")
	case url != "" && !strings.HasPrefix(url, "postgres://") && !strings.HasPrefix(url, "postgresql://"):
		return "", "", usagef("--store: want a postgres:// or postgresql:// URL")
	}
	return data, url, nil
}

// openStoreKeyring opens --keyring, which must lie outside a --data
// directory; a database has no such inside.
func openStoreKeyring(c *cli.Context, data string) (*keys.Keyring, error) {
	if data != "" {
		return openDataKeyring(c, data)
	}
	return openKeyring(c)
}

// openStoreFlag opens the store that --data or --store names: the one way
// every command that takes them opens its store. ks may be nil for a
// command that opens no generation (keys remove lists them). close
// releases the store's sessions.
func openStoreFlag(c *cli.Context, ks store.Keys, o storeOpts) (st engine.Store, close func(), err error) {
	data, url, err := storeTarget(c)
	if err != nil {
		return nil, nil, err
	}
	return openStoreAt(data, url, ks, o)
}

// openStoreAt opens the Badger store in data, or the PostgreSQL store at
// url.
func openStoreAt(data, url string, ks store.Keys, o storeOpts) (engine.Store, func(), error) {
	if url == "" {
		st, err := store.Open(data, store.Options{Plaintext: o.plaintext, AllowUnsealed: o.allowUnsealed, Keys: ks, Logger: o.logger})
		return st, func() {}, err
	}
	st, err := postgres.Open(url, postgres.Options{Plaintext: o.plaintext, AllowUnsealed: o.allowUnsealed, Keys: ks,
		StatementTimeout: o.statementTimeout, Logger: o.logger})
	if err != nil {
		return nil, nil, usagef("--store: %v", err)
	}
	return st, st.Close, nil
}
