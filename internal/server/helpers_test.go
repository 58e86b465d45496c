package server_test

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/publish"
	"github.com/feedpub/feedpub/internal/server"
	"github.com/feedpub/feedpub/internal/site"
	"github.com/feedpub/feedpub/internal/testcorpus"
	"github.com/feedpub/feedpub/internal/testhttp"
)

// testSite is a published generated site and a server for it.
type testSite struct {
	pub     *publish.Publisher
	snap    *site.Snapshot
	handler *server.Handler
	metrics *server.Metrics
	// url is where the site is served, without a trailing slash.
	url string
}

// siteConfig is the configuration of a test site of articles in dir,
// with base URL base ("" for the default).
func siteConfig(t testing.TB, dir, base string) config.Config {
	cfg := config.Default()
	cfg.Articles.Dir = dir
	cfg.State.File = filepath.Join(t.TempDir(), "state.json")
	if base != "" {
		cfg.Site.BaseURL = base
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// publishCorpus writes n generated articles and publishes them under cfg.
func publishCorpus(t testing.TB, n int, cfg config.Config) *publish.Publisher {
	t.Helper()
	if err := testcorpus.Write(cfg.Articles.Dir, testcorpus.Generate(n, 42)); err != nil {
		t.Fatal(err)
	}
	p, err := publish.New(cfg, publish.Options{Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Rebuild(); err != nil {
		t.Fatal(err)
	}
	p.Wait() // the gzip variants
	t.Cleanup(p.Wait)
	return p
}

// newTestSite serves n generated articles over a real listener. With
// opts.ServeMetrics and no opts.Metrics, it makes metrics of the site.
func newTestSite(t testing.TB, n int, opts server.Options) *testSite {
	t.Helper()
	cfg := siteConfig(t, t.TempDir(), "")
	p := publishCorpus(t, n, cfg)
	if opts.FeedMaxAge == 0 {
		opts.FeedMaxAge = cfg.Feeds.MaxAge.Duration
	}
	if opts.ServeMetrics && opts.Metrics == nil {
		opts.Metrics = server.NewMetrics(p)
	}
	ts := &testSite{pub: p, snap: p.Snapshot(), metrics: opts.Metrics}
	ts.handler = server.New(p, opts)
	ts.url = serveOn(t, listen(t), ts.handler)
	return ts
}

// listen listens on a free port of 127.0.0.1.
func listen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// serveOn serves h on ln with net/http, as feedpub serve does, until the
// test ends, and returns its URL.
func serveOn(t testing.TB, ln net.Listener, h http.Handler) string {
	t.Helper()
	srv := &http.Server{Handler: h}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		if err := srv.Shutdown(context.Background()); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-served; err != http.ErrServerClosed {
			t.Errorf("Serve returned %v, want http.ErrServerClosed", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// do sends a request with the given header fields ("Name", "value", …)
// and returns the response, as sent, with its body read.
var do = testhttp.Do
