package server_test

import (
	"log/slog"
	"net/netip"
	"strings"
	"testing"

	"github.com/feedpub/feedpub/internal/server"
)

// TestForwardedFromTrustedProxiesOnly: X-Forwarded-For and
// X-Forwarded-Proto name the client in the access log and metrics when
// the peer is a trusted proxy, and are ignored from anyone else.
func TestForwardedFromTrustedProxiesOnly(t *testing.T) {
	forwarded := []string{"X-Forwarded-For", "203.0.113.9, 198.51.100.7", "X-Forwarded-Proto", "https", "User-Agent", "reader/2.0", "Referer", "https://ref.example/"}
	tests := []struct {
		name    string
		proxies []string
		remote  string // prefix of the logged remote
		scheme  string
	}{
		{"trusted", []string{"127.0.0.1/32"}, "remote=198.51.100.7 ", "https"},
		{"trusted chain", []string{"127.0.0.1", "198.51.100.0/24"}, "remote=203.0.113.9 ", "https"},
		{"untrusted", []string{"10.0.0.0/8"}, "remote=127.0.0.1:", "http"},
		{"none", nil, "remote=127.0.0.1:", "http"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var proxies []netip.Prefix
			for _, p := range tt.proxies {
				if !strings.Contains(p, "/") {
					p += "/32"
				}
				proxies = append(proxies, netip.MustParsePrefix(p))
			}
			logs := make(lines, 10)
			ts := newTestSite(t, 3, server.Options{AccessLog: true, ServeMetrics: true, TrustedProxies: proxies, Logger: slog.New(slog.NewTextHandler(logs, nil))})
			do(t, "GET", ts.url+"/rss.xml", forwarded...)
			line := <-logs
			for _, want := range []string{tt.remote, "scheme=" + tt.scheme, "user_agent=reader/2.0", "referrer=https://ref.example/", "proto=HTTP/1.1"} {
				if !strings.Contains(line, want) {
					t.Errorf("access log %q lacks %q", line, want)
				}
			}
			if n := scrape(t, ts.url, `feedpub_http_requests_by_scheme_total{scheme="`+tt.scheme+`"}`); n != 1 {
				t.Errorf("requests by scheme %s = %v, want 1", tt.scheme, n)
			}
		})
	}
}

// TestBasePath serves a site whose base_url has a path: documents are
// found under it and only there.
func TestBasePath(t *testing.T) {
	cfg := siteConfig(t, t.TempDir(), "https://feeds.example/blog/")
	p := publishCorpus(t, 3, cfg)
	snap := p.Snapshot()
	url := serveOn(t, listen(t), server.New(p, server.Options{BasePath: "/blog/"}))
	var article string
	for _, path := range snap.Paths() {
		if strings.HasPrefix(path, "/articles/") {
			article = path
			break
		}
	}
	tests := []struct {
		path, location string
		status         int
	}{
		{"/blog/rss.xml", "", 200},
		{"/blog/", "", 200},
		{"/blog" + article, "", 200},
		{"/blog" + strings.TrimSuffix(article, "/"), "/blog" + article, 301},
		{"/blog", "/blog/", 301},
		{"/rss.xml", "", 404},
		{"/", "", 404},
		{"/blogrss.xml", "", 404},
		{"/healthz", "", 200},
	}
	for _, tt := range tests {
		resp, body := do(t, "GET", url+tt.path)
		if resp.StatusCode != tt.status || resp.Header.Get("Location") != tt.location {
			t.Errorf("GET %s: %d to %q, want %d to %q", tt.path, resp.StatusCode, resp.Header.Get("Location"), tt.status, tt.location)
		}
		if tt.path == "/blog/rss.xml" && string(body) != string(snap.Lookup("/rss.xml").Body) {
			t.Errorf("GET %s: not the feed", tt.path)
		}
	}
}
