package config

import (
	"os"
	"path/filepath"
	"testing"
)

func TestTLSProblems(t *testing.T) {
	https := "[site]\nbase_url = \"https://feeds.example/\"\n"
	tests := []struct {
		name string
		text string
		want want
	}{
		{"unknown mode", "[tls]\nmode = \"on\"", want{2, "tls.mode", `unknown mode "on"`}},
		{"http base_url", "[site]\nbase_url = \"http://feeds.example/\"\n[tls]\nmode = \"acme\"", want{2, "site.base_url", `must be https:// when tls.mode is "acme", like "https://feeds.example/"`}},
		{"acme_ca not https", https + "[tls]\nmode = \"acme\"\nacme_ca = \"http://ca.example/dir\"", want{5, "tls.acme_ca", "https URL of an ACME directory"}},
		{"acme_email", https + "[tls]\nmode = \"acme\"\nacme_email = \"ops\"", want{5, "tls.acme_email", "plain email address"}},
		{"acme_ca_root missing", https + "[tls]\nmode = \"acme\"\nacme_ca_root = \"nope.pem\"", want{5, "tls.acme_ca_root", "cannot read"}},
		{"cert_file while off", "[tls]\ncert_file = \"c.pem\"", want{2, "tls.cert_file", `tls.mode is "off"`}},
		{"http_listen", https + "[tls]\nmode = \"acme\"\nhttp_listen = \"80\"", want{5, "tls.http_listen", "host:port"}},
		{"http_listen same as listen", https + "[server]\nlisten = \":8443\"\n[tls]\nmode = \"acme\"\nhttp_listen = \":8443\"", want{7, "tls.http_listen", "must differ from server.listen"}},
		{"hsts", https + "[tls]\nmode = \"acme\"\nhsts = \"1 year\"", want{5, "tls.hsts", "max-age=31536000"}},
		{"unknown key", "[tls]\nacme_mail = \"ops@example.org\"", want{2, "tls.acme_mail", "[tls] takes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkProblems(t, tt.text, tt.want)
		})
	}
	t.Run("files without files", func(t *testing.T) {
		checkProblems(t, https+"[tls]\nmode = \"files\"",
			want{3, "tls.cert_file", `must name a PEM file when tls.mode is "files"`},
			want{3, "tls.key_file", `must name a PEM file when tls.mode is "files"`})
	})
}

// TestTLSDefaults: with TLS on, listen defaults to :443 unless the file
// sets it, and the files are found beside the config file.
func TestTLSDefaults(t *testing.T) {
	if c := Default(); c.TLS.On() || c.TLS.HTTPListen != ":80" || c.TLS.ACMECA != DefaultACMECA {
		t.Errorf("Default().TLS = %+v, want off, http_listen :80, Let's Encrypt", c.TLS)
	}
	dir := t.TempDir()
	for _, f := range []string{"cert.pem", "key.pem"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "config.toml")
	text := "[site]\nbase_url = \"https://feeds.example/\"\n[tls]\nmode = \"files\"\ncert_file = \"cert.pem\"\nkey_file = \"key.pem\"\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Server.Listen != ":443" || c.TLS.CertFile != filepath.Join(dir, "cert.pem") || c.TLS.KeyFile != filepath.Join(dir, "key.pem") {
		t.Errorf("listen %q, cert_file %q, key_file %q; want :443 and the files beside the config", c.Server.Listen, c.TLS.CertFile, c.TLS.KeyFile)
	}
	if err := os.WriteFile(path, []byte(text+"[server]\nlisten = \"127.0.0.1:8443\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if c, err = Load(path); err != nil || c.Server.Listen != "127.0.0.1:8443" {
		t.Errorf("Load with listen set = %q, %v; want 127.0.0.1:8443", c.Server.Listen, err)
	}
}

func TestProxyingProblems(t *testing.T) {
	checkProblems(t, "[server]\ntrusted_proxies = [\"10.0.0.0/8\", \"proxy.local\"]", want{2, "server.trusted_proxies", `"proxy.local" is not an IP address or network`})
	checkProblems(t, "[server]\nlog_format = \"logfmt\"", want{2, "server.log_format", `unknown format "logfmt"`})
	c := Default()
	c.Server.TrustedProxies = []string{"127.0.0.1", "10.1.2.3/8", "::1"}
	got := c.Server.Proxies()
	if len(got) != 3 || got[0].String() != "127.0.0.1/32" || got[1].String() != "10.0.0.0/8" || got[2].String() != "::1/128" {
		t.Errorf("Proxies() = %v, want 127.0.0.1/32 10.0.0.0/8 ::1/128", got)
	}
	c.Site.BaseURL = "https://example.org/blog/"
	if p := c.Site.BasePath(); p != "/blog/" {
		t.Errorf("BasePath() = %q, want /blog/", p)
	}
}
