package site_test

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/library"
	"github.com/feedpub/feedpub/internal/site"
	"github.com/feedpub/feedpub/internal/store"
)

// TestGzipCache holds that a build with a gzip cache gives the bytes a
// build without one gives; that a later build takes a variant from the
// cache when it decompresses to the body (here one made at another level,
// to tell it apart) and compresses again when it does not; and that the
// complete snapshot's Compress removes the variants it has no document for.
func TestGzipCache(t *testing.T) {
	dir := t.TempDir()
	writeCorpus(t, dir, corpus)
	cfg := testConfig(dir)
	want, _ := build(t, cfg, now)
	want.Compress()
	cacheDir := filepath.Join(t.TempDir(), "gzip")
	cache := store.Open(cacheDir)
	stray := strings.Repeat("ab", 16)
	if err := cache.PutAs(stray, []byte("a variant of no document")); err != nil {
		t.Fatal(err)
	}

	first := buildCached(t, cfg, cache)
	for _, path := range want.Paths() {
		if w, g := want.Lookup(path).Gzip(), first.Lookup(path).Gzip(); (w == nil) != (g == nil) || w != nil && !bytes.Equal(w.Body, g.Body) {
			t.Errorf("%s: gzip variant with a cache differs from the one without", path)
		}
	}
	if _, err := os.Stat(filepath.Join(cacheDir, stray)); !os.IsNotExist(err) {
		t.Errorf("a cached variant of no document stayed: %v", err)
	}

	rss, atom := want.Lookup(cfg.Feeds.RSSPath), want.Lookup(cfg.Feeds.AtomPath)
	other := gzipAt(t, rss.Body, gzip.BestSpeed)
	if bytes.Equal(other, rss.Gzip().Body) {
		t.Fatal("gzip at another level gave the same bytes; the test cannot tell the cache was used")
	}
	name := func(d *site.Document) string { return strings.Trim(d.ETag, `"`) }
	// The RSS feed's variant replaced by another valid encoding of it; the
	// Atom feed's by the encoding of other bytes.
	if err := os.WriteFile(filepath.Join(cacheDir, name(rss)), other, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cacheDir, name(atom)), gzipAt(t, []byte("<feed>not it</feed>"), gzip.BestCompression), 0o644); err != nil {
		t.Fatal(err)
	}
	second := buildCached(t, cfg, cache)
	if got := second.Lookup(cfg.Feeds.RSSPath).Gzip(); got == nil || !bytes.Equal(got.Body, other) {
		t.Error("a cached variant that decompresses to the body was not used")
	}
	if got := second.Lookup(cfg.Feeds.AtomPath).Gzip(); got == nil || !bytes.Equal(got.Body, atom.Gzip().Body) {
		t.Error("a cached variant of other bytes was used, or the body was not compressed again")
	}
}

// buildCached builds cfg's site with a fresh builder over cache and
// compresses it.
func buildCached(t *testing.T, cfg config.Config, cache *store.Store) *site.Snapshot {
	t.Helper()
	lib, b := scan(t, cfg, library.Options{Now: func() time.Time { return now }})
	b.CacheGzip(cache)
	snap, _, err := b.Build(lib, now)
	if err != nil {
		t.Fatal(err)
	}
	snap.Compress()
	return snap
}

func gzipAt(t *testing.T, body []byte, level int) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := gzip.NewWriterLevel(&buf, level)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(body)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
