package server_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/server"
)

// writeSelfSigned writes a self-signed certificate for name and its key
// to certFile and keyFile, and returns the certificate.
func writeSelfSigned(t *testing.T, name, certFile, keyFile string) *x509.Certificate {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: name},
		DNSNames:     []string{name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return cert
}

// filesTLS returns the TLS of mode "files" for base, with a self-signed
// certificate for its host in files it also returns.
func filesTLS(t *testing.T, base string) (tlsm *server.TLS, certFile, keyFile string, cert *x509.Certificate) {
	t.Helper()
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	cert = writeSelfSigned(t, "feeds.example", certFile, keyFile)
	cfg := config.Default()
	cfg.Site.BaseURL = base
	cfg.TLS = config.TLS{Mode: config.TLSFiles, CertFile: certFile, KeyFile: keyFile}
	tlsm, err := server.NewTLS(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return tlsm, certFile, keyFile, cert
}

// TestTLSFilesReload serves HTTPS from cert_file and key_file: Reload
// picks up new files, and keeps the certificate it has when the new files
// are not a valid pair.
func TestTLSFilesReload(t *testing.T) {
	tlsm, certFile, keyFile, first := filesTLS(t, "https://feeds.example/")
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.TLS = tlsm.Config()
	srv.StartTLS()
	defer srv.Close()
	served := func() *x509.Certificate {
		conn, err := tls.Dial("tcp", srv.Listener.Addr().String(), &tls.Config{InsecureSkipVerify: true, ServerName: "feeds.example"})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		return conn.ConnectionState().PeerCertificates[0]
	}
	if !served().Equal(first) {
		t.Fatal("not serving cert_file")
	}
	second := writeSelfSigned(t, "feeds.example", certFile, keyFile)
	if err := tlsm.Reload(); err != nil {
		t.Fatal(err)
	}
	if !served().Equal(second) {
		t.Error("Reload did not pick up the new cert_file")
	}
	if err := os.WriteFile(keyFile, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := tlsm.Reload(); err == nil {
		t.Error("Reload of a broken key_file returned no error")
	}
	if !served().Equal(second) {
		t.Error("a broken key_file replaced the certificate served")
	}
}

// TestHTTPRedirectsToBaseURL: plain HTTP redirects with 308 to the same
// path and query under base_url's origin, whatever Host the request
// names (a redirect built from Host could be pointed anywhere).
func TestHTTPRedirectsToBaseURL(t *testing.T) {
	tlsm, _, _, _ := filesTLS(t, "https://feeds.example:8443/")
	srv := httptest.NewServer(tlsm.HTTPHandler())
	defer srv.Close()
	resp, _ := rawRequest(t, srv.Listener.Addr().String(), "/rss.xml?a=1") // Host: test
	if want := "https://feeds.example:8443/rss.xml?a=1"; resp.StatusCode != http.StatusPermanentRedirect || resp.Header.Get("Location") != want {
		t.Errorf("redirect %d to %q, want 308 to %q", resp.StatusCode, resp.Header.Get("Location"), want)
	}
}
