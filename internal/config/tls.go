package config

import (
	"fmt"
	"net/url"
	"os"
	"strings"
)

// TLS modes, the values of [tls] mode.
const (
	TLSOff   = "off"
	TLSACME  = "acme"
	TLSFiles = "files"
)

// DefaultACMECA is Let's Encrypt's production directory.
const DefaultACMECA = "https://acme-v02.api.letsencrypt.org/directory"

// TLS configures HTTPS. With a mode other than "off", [server] listen is
// the HTTPS address (default ":443"), site.base_url must be https, and
// HTTP/2 is offered by ALPN.
type TLS struct {
	// Mode is "off" (plain HTTP), "acme" (certificates from an ACME CA
	// for the host of base_url, obtained and renewed in the background,
	// kept under the state file's directory) or "files" (cert_file and
	// key_file, read again on SIGHUP). Default "off".
	Mode string `toml:"mode"`
	// ACMEEmail is the contact address of the ACME account, to which the
	// CA writes about expiring certificates. Default "" (none).
	ACMEEmail string `toml:"acme_email"`
	// ACMECA is the directory URL of the ACME CA. Default Let's Encrypt's
	// production directory.
	ACMECA string `toml:"acme_ca"`
	// ACMECARoot is a PEM file of extra roots to trust when talking to the
	// CA: a private CA's, or a test CA's. Relative to the config file.
	// Default "" (the system's roots only).
	ACMECARoot string `toml:"acme_ca_root"`
	// CertFile and KeyFile are the PEM certificate chain and private key
	// of mode "files". Relative to the config file. Default "".
	CertFile string `toml:"cert_file"`
	KeyFile  string `toml:"key_file"`
	// HTTPListen is the plain HTTP address: it answers ACME HTTP-01
	// challenges and redirects everything else to https (308). "" serves
	// no plain HTTP; ACME then validates with TLS-ALPN-01 on the HTTPS
	// port. Default ":80".
	HTTPListen string `toml:"http_listen"`
	// HSTS is the Strict-Transport-Security value sent with every HTTPS
	// response, like "max-age=31536000". Browsers then refuse plain HTTP
	// for that long, so it is opt-in. Default "" (not sent).
	HSTS string `toml:"hsts"`
}

// On reports whether feedpub serves HTTPS.
func (t *TLS) On() bool { return t.Mode != TLSOff }

// tlsDefaults are the [tls] defaults.
func tlsDefaults() TLS {
	return TLS{Mode: TLSOff, ACMECA: DefaultACMECA, HTTPListen: ":80"}
}

// defaultTLSListen is [server] listen when TLS is on and the file does not
// set it.
const defaultTLSListen = ":443"

// deriveTLS makes :443 the listen address of a TLS config that names
// none.
func (c *Config) deriveTLS() {
	if c.TLS.On() && !c.lines.has("server.listen") {
		c.Server.Listen = defaultTLSListen
	}
}

// resolve makes the file paths of [tls] relative to dir.
func (t *TLS) resolve(dir string) {
	t.ACMECARoot = resolvePath(dir, t.ACMECARoot)
	t.CertFile = resolvePath(dir, t.CertFile)
	t.KeyFile = resolvePath(dir, t.KeyFile)
}

// validate records the problems of [tls] in ps; baseURL is site.base_url
// and listen server.listen, which TLS constrains.
func (t *TLS) validate(ps *problems, baseURL, listen string) {
	switch t.Mode {
	case TLSOff:
		for _, k := range []struct{ key, value string }{{"tls.cert_file", t.CertFile}, {"tls.key_file", t.KeyFile}} {
			if k.value != "" {
				ps.check(k.key, `is set but tls.mode is "off"; set mode = "files" to serve HTTPS with it`)
			}
		}
		return
	case TLSACME, TLSFiles:
	default:
		ps.check("tls.mode", fmt.Sprintf(`unknown mode %q; use "off", "acme" (certificates from Let's Encrypt or another ACME CA) or "files" (cert_file and key_file)`, t.Mode))
		return
	}
	if u, err := url.Parse(baseURL); err == nil && u.Scheme == "http" {
		ps.check("site.base_url", fmt.Sprintf(`must be https:// when tls.mode is %q, like "https://%s/": feeds link to it`, t.Mode, u.Host))
	}
	if t.Mode == TLSACME {
		ps.check("tls.acme_email", emailProblem(t.ACMEEmail))
		if u, err := url.Parse(t.ACMECA); err != nil || u.Scheme != "https" || u.Host == "" {
			ps.check("tls.acme_ca", `must be the https URL of an ACME directory, like "`+DefaultACMECA+`"`)
		}
		ps.check("tls.acme_ca_root", fileProblem(t.ACMECARoot, false))
	}
	if t.Mode == TLSFiles {
		ps.check("tls.cert_file", fileProblem(t.CertFile, true))
		ps.check("tls.key_file", fileProblem(t.KeyFile, true))
	}
	if t.HTTPListen != "" {
		if msg := listenProblem(t.HTTPListen); msg != "" {
			ps.check("tls.http_listen", msg+`; "" serves no plain HTTP`)
		} else if t.HTTPListen == listen {
			ps.check("tls.http_listen", `must differ from server.listen, which serves HTTPS; "" serves no plain HTTP`)
		}
	}
	if t.HSTS != "" && !strings.HasPrefix(t.HSTS, "max-age=") {
		ps.check("tls.hsts", `must be a Strict-Transport-Security value, like "max-age=31536000" (RFC 6797), or "" to send none`)
	}
}

// fileProblem checks a file path of [tls]; an empty path is a problem only
// when required.
func fileProblem(path string, required bool) string {
	if path == "" {
		if required {
			return `must name a PEM file when tls.mode is "files"`
		}
		return ""
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Sprintf("cannot read %s: %v", path, err)
	}
	return ""
}
