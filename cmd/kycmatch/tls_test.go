package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kycmatch/kycmatch/internal/kyctest"
)

// testCert is a self-signed ECDSA certificate for 127.0.0.1, in PEM.
type testCert struct {
	cert            *x509.Certificate
	certPEM, keyPEM []byte
}

func newTestCert(t *testing.T, serial int64) testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "kycmatch serve test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return testCert{cert: cert, certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyPEM: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})}
}

// TestServeTLS: with a certificate pair, the public listener speaks TLS
// (1.2 at least) and answers a real client; a renewed pair on disk is served
// to the next handshake without a restart, and a broken one leaves the
// previous certificate in use, logged once.
func TestServeTLS(t *testing.T) {
	e := newServeEnv(t)
	e.ingest(t, e.kr)
	first, second := newTestCert(t, 1), newTestCert(t, 2)
	certFile, keyFile := filepath.Join(e.dir, "tls.crt"), filepath.Join(e.dir, "tls.key")
	install := func(c testCert) {
		kyctest.WriteFileAtomic(t, certFile, c.certPEM)
		kyctest.WriteFileAtomic(t, keyFile, c.keyPEM)
	}
	install(first)
	cfg := e.config(t)
	cfg.tls = &certReloader{certFile: certFile, keyFile: keyFile, every: 10 * time.Millisecond, log: cfg.logger}
	if err := cfg.tls.load(); err != nil {
		t.Fatal(err)
	}
	srv, err := startServer(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	roots := x509.NewCertPool()
	roots.AddCert(first.cert)
	roots.AddCert(second.cert)
	// served returns the serial of the certificate a fresh handshake gets.
	served := func() int64 {
		t.Helper()
		time.Sleep(20 * time.Millisecond) // past the check interval
		conn, err := tls.Dial("tcp", srv.Addr(), &tls.Config{RootCAs: roots})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		return conn.ConnectionState().PeerCertificates[0].SerialNumber.Int64()
	}

	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	req, _ := http.NewRequest(http.MethodPost, "https://"+srv.Addr()+"/kyc-match/v0.4/match",
		strings.NewReader(`{"phoneNumber":"`+servePhone+`","name":"Marta Serrano Vela"}`))
	req.Header.Set("Authorization", "Bearer "+e.token(t))
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != `{"nameMatch":"true"}` || resp.TLS == nil {
		t.Fatalf("match over TLS: %d %s", resp.StatusCode, body)
	}
	for name, c := range map[string]*tls.Config{
		"TLS 1.1":          {MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11},
		"TLS 1.2 with CBC": {MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA}},
	} {
		c.RootCAs = roots
		if conn, err := tls.Dial("tcp", srv.Addr(), c); err == nil {
			conn.Close()
			t.Errorf("a %s handshake succeeded", name)
		}
	}
	if got := served(); got != 1 {
		t.Fatalf("serial %d served, want 1", got)
	}

	kyctest.WriteFileAtomic(t, keyFile, []byte("-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n"))
	if got := served(); got != 1 {
		t.Fatalf("after a broken key: serial %d served, want the previous 1", got)
	}
	served()
	if n := strings.Count(e.logs.String(), "does not load"); n != 1 {
		t.Errorf("the broken pair was logged %d times, want once:\n%s", n, e.logs.String())
	}

	install(second)
	if got := served(); got != 2 {
		t.Fatalf("after renewal: serial %d served, want 2", got)
	}
	if !strings.Contains(e.logs.String(), "TLS certificate reloaded") {
		t.Error("no log line for the reload")
	}
}
