package main

// TLS on the public listener, for operators without a terminating proxy.
// The admin listener stays plain HTTP: it is meant for loopback or a
// firewalled management network, and carries no partner traffic.

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/urfave/cli/v2"
)

// certCheckEvery bounds how often a handshake looks at the certificate
// files: a stat of two files, at most once per interval.
const certCheckEvery = 5 * time.Second

// tlsCiphers are the TLS 1.2 suites offered: ECDHE key exchange (forward
// secrecy) with an AEAD. Go's default list for 1.2 still has the
// ECDHE-CBC-SHA suites, MAC-then-encrypt constructions kept for old clients;
// every client that speaks TLS 1.2 also speaks one of these. TLS 1.3 suites
// are not configurable in Go and are all AEAD.
var tlsCiphers = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

// tlsFlags reads --tls-cert and --tls-key: both or neither. It loads the
// pair once, so a wrong path or a mismatched key stops serve at startup.
func tlsFlags(c *cli.Context, log *slog.Logger) (*certReloader, error) {
	cert, key := c.String("tls-cert"), c.String("tls-key")
	switch {
	case cert == "" && key == "":
		return nil, nil
	case key == "":
		return nil, usagef("--tls-key is required with --tls-cert")
	case cert == "":
		return nil, usagef("--tls-cert is required with --tls-key")
	}
	r := &certReloader{certFile: cert, keyFile: key, every: certCheckEvery, log: log}
	if err := r.load(); err != nil {
		return nil, fmt.Errorf("TLS certificate: %w", err)
	}
	return r, nil
}

// tlsConfig is the public listener's configuration: TLS 1.2 or later, the
// certificate from r.
func tlsConfig(r *certReloader) *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, CipherSuites: tlsCiphers, GetCertificate: r.get}
}

// certReloader serves a certificate pair from disk and reloads it when either
// file's size or modification time changes, so a renewal (certbot, cert-manager)
// needs no restart. A new pair that does not load (half written, key not
// matching) leaves the old one in use; that is logged once per version of
// the files.
type certReloader struct {
	certFile, keyFile string
	every             time.Duration
	log               *slog.Logger

	mu        sync.Mutex
	cert      *tls.Certificate
	stamp     string // of the files the cert came from
	failed    string // stamp of the files that last failed to load
	checkedAt time.Time
}

func (r *certReloader) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if now := time.Now(); now.Sub(r.checkedAt) >= r.every {
		r.checkedAt = now
		r.reload()
	}
	return r.cert, nil
}

// reload loads the pair if its files changed. Called with mu held.
func (r *certReloader) reload() {
	stamp, err := r.fileStamp()
	if err != nil || stamp == r.stamp || stamp == r.failed {
		if err != nil && r.failed != "stat" {
			r.failed = "stat"
			r.log.Warn("TLS certificate files unreadable; keeping the loaded certificate", "err", err)
		}
		return
	}
	if err := r.load(); err != nil {
		r.failed = stamp
		r.log.Warn("new TLS certificate does not load; keeping the previous one", "err", err)
		return
	}
	r.log.Info("TLS certificate reloaded", "cert", r.certFile)
}

// load reads the pair and makes it current.
func (r *certReloader) load() error {
	stamp, err := r.fileStamp()
	if err != nil {
		return err
	}
	cert, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		return err
	}
	r.cert, r.stamp, r.failed = &cert, stamp, ""
	return nil
}

// fileStamp identifies the current version of both files.
func (r *certReloader) fileStamp() (string, error) {
	var stamp string
	for _, name := range []string{r.certFile, r.keyFile} {
		fi, err := os.Stat(name)
		if err != nil {
			return "", err
		}
		stamp += fmt.Sprintf("%d/%d;", fi.ModTime().UnixNano(), fi.Size())
	}
	return stamp, nil
}
