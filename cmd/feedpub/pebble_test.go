package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/syncbuf"
)

// pebble is Let's Encrypt's test ACME server, with pebble-challtestsrv as
// its DNS server answering 127.0.0.1 for every name: the CA validates
// challenges against feedpub's ports on this machine.
type pebble struct {
	// dir is the ACME directory URL; caFile the PEM root of its own
	// HTTPS certificate.
	dir, caFile string
	// management is the address of the management interface, which
	// gives the issuing root at /roots/0.
	management string
	// https trusts caFile, for talking to Pebble itself.
	https *http.Client
	cmd   *exec.Cmd
}

// toolPath returns the path of a `go tool` binary, building it if
// needed, or skips the test when it cannot (required with CI set).
func toolPath(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "tool", "-n", name).Output()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("go tool %s: %v", name, err)
		}
		t.Skipf("go tool %s unavailable: %v", name, err)
	}
	return strings.TrimSpace(string(out))
}

// startPebble starts challtestsrv and Pebble, which validate HTTP-01 on
// httpPort and TLS-ALPN-01 on tlsPort of 127.0.0.1, and stops them when
// the test ends.
func startPebble(t *testing.T, httpPort, tlsPort string) *pebble {
	t.Helper()
	pebbleBin, challBin := toolPath(t, "pebble"), toolPath(t, "pebble-challtestsrv")
	dir := t.TempDir()
	caFile, certFile, keyFile := writeTestCA(t, dir)

	dns := freeUDPAddr(t)
	start(t, exec.Command(challBin, "-dnsserver", dns, "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "",
		"-management", freeAddr(t), "-http01", "", "-https01", "", "-tlsalpn01", "", "-doh", ""))

	p := &pebble{management: freeAddr(t), caFile: caFile}
	listen := freeAddr(t)
	p.dir = "https://" + listen + "/dir"
	conf := map[string]any{"pebble": map[string]any{
		"listenAddress":                  listen,
		"managementListenAddress":        p.management,
		"certificate":                    certFile,
		"privateKey":                     keyFile,
		"httpPort":                       mustPort(t, httpPort),
		"tlsPort":                        mustPort(t, tlsPort),
		"ocspResponderURL":               "",
		"externalAccountBindingRequired": false,
	}}
	confFile := filepath.Join(dir, "pebble.json")
	data, _ := json.Marshal(conf)
	if err := os.WriteFile(confFile, data, 0o600); err != nil {
		t.Fatal(err)
	}
	p.cmd = exec.Command(pebbleBin, "-config", confFile, "-dnsserver", dns)
	// No random sleeps before validating, and no nonces refused on purpose.
	p.cmd.Env = append(os.Environ(), "PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0")
	start(t, p.cmd)

	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(readBytes(t, caFile))
	p.https = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
	waitFor(t, "Pebble's directory", func() error {
		resp, err := p.https.Get(p.dir)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	})
	return p
}

// issuingRoot returns the root Pebble issues certificates under, which is
// made anew each time Pebble starts.
func (p *pebble) issuingRoot(t *testing.T) *x509.CertPool {
	t.Helper()
	resp, err := p.https.Get("https://" + p.management + "/roots/0")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		t.Fatalf("Pebble's /roots/0 gave no PEM certificate: %.200q", data)
	}
	return pool
}

// stop stops Pebble, the CA; challtestsrv stays until the test ends.
func (p *pebble) stop() {
	p.cmd.Process.Kill()
	p.cmd.Wait()
}

// start starts cmd, its output going to the test log on failure, and
// stops it when the test ends.
func start(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	var out syncbuf.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		if t.Failed() {
			t.Logf("%s said:\n%s", filepath.Base(cmd.Path), out.String())
		}
	})
}

// writeTestCA makes a CA and a certificate for 127.0.0.1 and localhost
// signed by it, for Pebble's own HTTPS, and writes them to dir.
func writeTestCA(t *testing.T, dir string) (caFile, certFile, keyFile string) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "feedpub test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ = x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	caFile, certFile, keyFile = filepath.Join(dir, "ca.pem"), filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writePEM(t, caFile, "CERTIFICATE", caDER)
	writePEM(t, certFile, "CERTIFICATE", leafDER)
	writePEM(t, keyFile, "EC PRIVATE KEY", keyDER)
	return caFile, certFile, keyFile
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// freeUDPAddr returns a free UDP address of 127.0.0.1 (challtestsrv's DNS
// listens on UDP and TCP; the TCP port is then most likely free too).
func freeUDPAddr(t *testing.T) string {
	t.Helper()
	for range 20 {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := c.LocalAddr().String()
		c.Close()
		if ln, err := net.Listen("tcp", addr); err == nil {
			ln.Close()
			if handOut(addr) {
				return addr
			}
		}
	}
	t.Fatal("no port free for both UDP and TCP")
	return ""
}

func mustPort(t *testing.T, port string) int {
	t.Helper()
	n, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// waitFor polls try until it returns nil, failing the test with its
// last error after a minute.
func waitFor(t *testing.T, what string, try func() error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		err := try()
		if err == nil {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("waited a minute for %s; the last try: %v", what, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// errNotYet is what a waitFor try returns while the awaited thing has not
// happened.
var errNotYet = errors.New("not yet")
