package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/feedpub/feedpub/internal/syncbuf"
)

// TestACMEWithPebble serves HTTPS with a certificate from a real ACME
// server: a feed over HTTP/2 with a certificate for the site's name,
// plain HTTP answering the HTTP-01 challenge and redirecting everything
// else, and a restart serving the stored certificate with the CA gone.
func TestACMEWithPebble(t *testing.T) {
	httpsAddr, httpAddr := freeAddr(t), freeAddr(t)
	ca, path, base := acmeProject(t, httpsAddr, httpAddr)

	logs := &syncbuf.Buffer{}
	stop := serveInBackground(t, path, logs)
	client := siteClient(ca.issuingRoot(t))
	resp := waitHTTPS(t, client, base+"rss.xml")
	if resp.ProtoMajor != 2 {
		t.Errorf("protocol %s, want HTTP/2", resp.Proto)
	}
	if err := resp.TLS.PeerCertificates[0].VerifyHostname("feedpub.test"); err != nil {
		t.Errorf("certificate: %v", err)
	}
	if got := resp.Header.Get("Strict-Transport-Security"); got != "max-age=60" {
		t.Errorf("Strict-Transport-Security %q, want max-age=60", got)
	}
	if !strings.Contains(logs.String(), "served key authentication") {
		t.Errorf("no HTTP-01 challenge answered on http_listen; logs:\n%s", logs.String())
	}

	plain := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := plain.Get("http://" + httpAddr + "/atom.xml?x=1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if want := base + "atom.xml?x=1"; resp.StatusCode != http.StatusPermanentRedirect || resp.Header.Get("Location") != want {
		t.Errorf("plain HTTP: %d to %q, want 308 to %q", resp.StatusCode, resp.Header.Get("Location"), want)
	}
	stop()

	// Restarted without the CA, feedpub serves the certificate it stored.
	ca.stop()
	obtained := strings.Count(logs.String(), "certificate obtained successfully")
	stop = serveInBackground(t, path, logs)
	defer stop()
	resp = waitHTTPS(t, client, base+"feed.json")
	if resp.StatusCode != http.StatusOK || resp.ProtoMajor != 2 {
		t.Errorf("after a restart: %d over %s, want 200 over HTTP/2", resp.StatusCode, resp.Proto)
	}
	if n := strings.Count(logs.String(), "certificate obtained successfully"); n != obtained {
		t.Errorf("the restart obtained a new certificate")
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(path), ".feedpub", "tls")); err != nil {
		t.Errorf("no certificate storage beside the state file: %v", err)
	}
}

// acmeProject starts Pebble and writes the config of a site on httpsAddr
// (and plain HTTP on httpAddr, "" for none) taking its certificate from
// it, for feedpub.test. It returns the CA, the config path and the base
// URL.
func acmeProject(t *testing.T, httpsAddr, httpAddr string) (ca *pebble, path, base string) {
	t.Helper()
	_, httpsPort, _ := net.SplitHostPort(httpsAddr)
	httpPort := "5002" // Pebble's default; nothing answers there
	if httpAddr != "" {
		_, httpPort, _ = net.SplitHostPort(httpAddr)
	}
	ca = startPebble(t, httpPort, httpsPort)
	path = project(t, map[string]string{"a.txt": seedArticle(t)})
	base = "https://feedpub.test:" + httpsPort + "/"
	conf := "[site]\ntitle = \"TLS test\"\nbase_url = \"" + base + "\"\n" +
		"[server]\nlisten = \"" + httpsAddr + "\"\n" +
		"[tls]\nmode = \"acme\"\nacme_email = \"ops@feedpub.test\"\nacme_ca = \"" + ca.dir + "\"\nacme_ca_root = \"" + ca.caFile + "\"\n" +
		"http_listen = \"" + httpAddr + "\"\nhsts = \"max-age=60\"\n"
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return ca, path, base
}

// TestACMEWithoutPlainHTTP: with http_listen = "", the CA validates with
// TLS-ALPN-01 on the HTTPS port, and the feed is served over HTTP/2.
func TestACMEWithoutPlainHTTP(t *testing.T) {
	ca, path, base := acmeProject(t, freeAddr(t), "")
	logs := &syncbuf.Buffer{}
	serveInBackground(t, path, logs)
	resp := waitHTTPS(t, siteClient(ca.issuingRoot(t)), base+"atom.xml")
	if resp.ProtoMajor != 2 {
		t.Errorf("protocol %s, want HTTP/2", resp.Proto)
	}
	if !strings.Contains(logs.String(), "served key authentication certificate") || strings.Contains(logs.String(), "challenge=http-01") {
		t.Errorf("not validated by TLS-ALPN-01 alone; logs:\n%s", logs.String())
	}
}

// serveInBackground runs feedpub serve on the config at path, logging to
// logs, until the returned stop is called (or the test ends).
func serveInBackground(t *testing.T, path string, logs *syncbuf.Buffer) (stop func()) {
	t.Helper()
	e := &env{configPath: path, stdout: logs, stderr: logs, logger: slog.New(slog.NewTextHandler(logs, nil))}
	cfg, err := e.loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, e, cfg) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve returned %v, want nil", err)
		}
	}
	t.Cleanup(stop)
	return stop
}

// siteClient trusts roots and finds every host at 127.0.0.1, as a reader
// would find feedpub.test by DNS.
func siteClient(roots *x509.CertPool) *http.Client {
	dialer := &net.Dialer{}
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: roots},
		ForceAttemptHTTP2: true,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			_, port, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			return dialer.DialContext(ctx, network, net.JoinHostPort("127.0.0.1", port))
		},
	}}
}

// waitHTTPS fetches url until it answers 200 over TLS: the certificate
// arrives in the background.
func waitHTTPS(t *testing.T, client *http.Client, url string) *http.Response {
	t.Helper()
	var resp *http.Response
	waitFor(t, url+" over TLS", func() error {
		r, err := client.Get(url)
		if err != nil {
			return err
		}
		r.Body.Close()
		if r.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", r.StatusCode)
		}
		resp = r
		return nil
	})
	return resp
}
