package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"

	"github.com/caddyserver/certmagic"

	"github.com/feedpub/feedpub/internal/config"
)

// TLS provides the certificates of the HTTPS server and the plain HTTP
// handler beside it. In mode "acme" certmagic obtains a certificate for
// base_url's host from the ACME CA, keeps it with the account under the
// state file's directory, and renews it (and staples OCSP) in the
// background: a handshake never waits for the CA, and a restart serves
// the stored certificate without asking it. In mode "files" the
// certificate comes from cert_file and key_file, read again by Reload.
type TLS struct {
	mode   string
	domain string
	// origin is base_url's scheme and host, where plain HTTP redirects to.
	origin string
	logger *slog.Logger

	// For mode "acme":
	magic  *certmagic.Config
	cache  *certmagic.Cache
	issuer *certmagic.ACMEIssuer

	// For mode "files":
	certFile, keyFile string
	cert              atomic.Pointer[tls.Certificate]
}

// StorageDir is where mode "acme" keeps the ACME account, certificates
// and keys: a directory "tls" beside the state file.
func StorageDir(cfg config.Config) string {
	return filepath.Join(filepath.Dir(cfg.State.File), "tls")
}

// NewTLS prepares the certificates of cfg, whose [tls] mode must not be
// "off". In mode "files" it reads them; in mode "acme" nothing is asked
// of the CA before Start.
func NewTLS(cfg config.Config, logger *slog.Logger) (*TLS, error) {
	base, err := url.Parse(cfg.Site.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("site.base_url: %w", err)
	}
	t := &TLS{mode: cfg.TLS.Mode, domain: base.Hostname(), origin: "https://" + base.Host, logger: logger}
	switch cfg.TLS.Mode {
	case config.TLSFiles:
		t.certFile, t.keyFile = cfg.TLS.CertFile, cfg.TLS.KeyFile
		if err := t.Reload(); err != nil {
			return nil, err
		}
	case config.TLSACME:
		if err := t.setUpACME(cfg); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("tls.mode %q serves no HTTPS", cfg.TLS.Mode)
	}
	return t, nil
}

// setUpACME makes the certmagic config. With http_listen, the CA checks
// control of the domain by HTTP-01 on it; without, by TLS-ALPN-01 on the
// HTTPS port: one challenge each way, so the ports the CA must reach are
// known.
func (t *TLS) setUpACME(cfg config.Config) error {
	roots, err := trustedRoots(cfg.TLS.ACMECARoot)
	if err != nil {
		return err
	}
	zl := zapLogger(t.logger)
	var magic *certmagic.Config
	cache := certmagic.NewCache(certmagic.CacheOptions{
		GetConfigForCert: func(certmagic.Certificate) (*certmagic.Config, error) { return magic, nil },
		Logger:           zl,
	})
	magic = certmagic.New(cache, certmagic.Config{
		Storage: &certmagic.FileStorage{Path: StorageDir(cfg)},
		Logger:  zl,
	})
	host, httpsPort, err := hostPort(cfg.Server.Listen)
	if err != nil {
		return fmt.Errorf("server.listen: %w", err)
	}
	iss := certmagic.ACMEIssuer{
		CA:                      cfg.TLS.ACMECA,
		Email:                   cfg.TLS.ACMEEmail,
		Agreed:                  true,
		TrustedRoots:            roots,
		ListenHost:              host,
		AltTLSALPNPort:          httpsPort,
		DisableHTTPChallenge:    cfg.TLS.HTTPListen == "",
		DisableTLSALPNChallenge: cfg.TLS.HTTPListen != "",
		Logger:                  zl,
	}
	if cfg.TLS.HTTPListen != "" {
		if iss.ListenHost, iss.AltHTTPPort, err = hostPort(cfg.TLS.HTTPListen); err != nil {
			return fmt.Errorf("tls.http_listen: %w", err)
		}
	}
	t.issuer = certmagic.NewACMEIssuer(magic, iss)
	magic.Issuers = []certmagic.Issuer{t.issuer}
	t.magic, t.cache = magic, cache
	return nil
}

// hostPort splits a listen address into its host and numeric port.
func hostPort(addr string) (string, int, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	n, err := strconv.Atoi(port)
	return host, n, err
}

// trustedRoots returns the system's roots plus those of the PEM file at
// path, or nil (the system's) when path is "".
func trustedRoots(path string) (*x509.CertPool, error) {
	if path == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tls.acme_ca_root: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("tls.acme_ca_root: %s holds no PEM certificate", path)
	}
	return pool, nil
}

// Start begins managing the certificate: in mode "acme" it loads the
// stored one, or obtains one, and renews it until ctx ends, all in the
// background; handshakes before the first certificate fail. Call Stop
// when done.
func (t *TLS) Start(ctx context.Context) error {
	if t.magic == nil {
		return nil
	}
	if err := t.magic.ManageAsync(ctx, []string{t.domain}); err != nil {
		return fmt.Errorf("managing the certificate of %s: %w", t.domain, err)
	}
	return nil
}

// Stop ends the background renewals, if any.
func (t *TLS) Stop() {
	if t.cache != nil {
		t.cache.Stop()
	}
}

// Reload reads cert_file and key_file again in mode "files", keeping the
// certificate served so far when they do not make a valid pair. In mode
// "acme" it does nothing: renewal is automatic.
func (t *TLS) Reload() error {
	if t.mode != config.TLSFiles {
		return nil
	}
	cert, err := tls.LoadX509KeyPair(t.certFile, t.keyFile)
	if err != nil {
		return fmt.Errorf("loading tls.cert_file %s and tls.key_file %s: %w", t.certFile, t.keyFile, err)
	}
	t.cert.Store(&cert)
	return nil
}

// Config is the TLS configuration of the HTTPS server: HTTP/2 and
// HTTP/1.1 by ALPN (and ACME's TLS-ALPN-01), TLS 1.2 at least.
func (t *TLS) Config() *tls.Config {
	c := &tls.Config{MinVersion: tls.VersionTLS12, NextProtos: []string{"h2", "http/1.1"}}
	if t.magic != nil {
		mc := t.magic.TLSConfig()
		c.GetCertificate = mc.GetCertificate
		c.NextProtos = append(c.NextProtos, mc.NextProtos...)
		return c
	}
	c.GetCertificate = func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
		if cert := t.cert.Load(); cert != nil {
			return cert, nil
		}
		return nil, errors.New("no certificate loaded")
	}
	return c
}

// HTTPHandler answers plain HTTP: ACME HTTP-01 challenges, and a permanent
// redirect (308, which keeps the method) to the same path and query under
// base_url's https origin for everything else. The target comes from
// base_url, never from the request's Host, so the redirect cannot be
// pointed elsewhere.
func (t *TLS) HTTPHandler() http.Handler {
	redirect := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Cache-Control"] = noStore
		http.Redirect(w, r, t.origin+r.URL.RequestURI(), http.StatusPermanentRedirect)
	})
	if t.issuer == nil {
		return redirect
	}
	return t.issuer.HTTPChallengeHandler(redirect)
}
