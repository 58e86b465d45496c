package site_test

import (
	"bytes"
	"compress/gzip"
	"errors"
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

// TestGzipCache holds that a build with a store gives the bytes a build
// without one gives, keeping the bodies of all but the front documents
// (those a restart restores) in the store; that a later build takes a variant from the
// cache when it decompresses to the body (here one made at another level,
// to tell it apart) and compresses again when it does not; and that the
// served snapshot's CollectStore removes the variants it has no document
// for.
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
	if err := first.CollectStore(); err != nil {
		t.Fatal(err)
	}
	for _, path := range want.Paths() {
		w, g := want.Lookup(path), first.Lookup(path)
		if (w.Gzip() == nil) != (g.Gzip() == nil) || w.Gzip() != nil && !bytes.Equal(w.Gzip().Body, gzipBytes(t, g)) {
			t.Errorf("%s: gzip variant with a store differs from the one without", path)
		}
		if body, err := g.Bytes(); err != nil || !bytes.Equal(body, w.Body) {
			t.Errorf("%s: body with a store differs from the one without: %v", path, err)
		}
		later := strings.HasPrefix(path, "/articles/") || strings.HasPrefix(path, "/tags/") || strings.HasPrefix(path, "/archive/")
		if file, _ := g.File(); later != (file != "") {
			t.Errorf("%s: kept in the file %q; want the article, tag and archive documents, and only they, in the store", path, file)
		}
	}
	if _, err := os.Stat(cache.Path(stray)); !os.IsNotExist(err) {
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
	if err := os.WriteFile(cache.Path(name(rss)), other, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cache.Path(name(atom)), gzipAt(t, []byte("<feed>not it</feed>"), gzip.BestCompression), 0o644); err != nil {
		t.Fatal(err)
	}
	second := buildCached(t, cfg, cache)
	if got := second.Lookup(cfg.Feeds.RSSPath); got.Gzip() == nil || !bytes.Equal(gzipBytes(t, got), other) {
		t.Error("a cached variant that decompresses to the body was not used")
	}
	if got := second.Lookup(cfg.Feeds.AtomPath); got.Gzip() == nil || !bytes.Equal(gzipBytes(t, got), atom.Gzip().Body) {
		t.Error("a cached variant of other bytes was used, or the body was not compressed again")
	}
}

// corpusAndStore writes the test corpus and returns its config and an
// empty store.
func corpusAndStore(t *testing.T) (config.Config, *store.Store) {
	t.Helper()
	dir := t.TempDir()
	writeCorpus(t, dir, corpus)
	return testConfig(dir), store.Open(filepath.Join(t.TempDir(), "gzip"))
}

// buildCached builds cfg's site with a fresh builder over cache and
// compresses it.
func buildCached(t *testing.T, cfg config.Config, cache *store.Store) *site.Snapshot {
	t.Helper()
	lib, b := scan(t, cfg, library.Options{Now: func() time.Time { return now }})
	b.UseStore(cache)
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

func gzipBytes(t *testing.T, d *site.Document) []byte {
	t.Helper()
	gz, err := d.Gzip().Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return gz
}

// TestDamagedVariantReplaced holds that a page's gzip variant damaged in
// the store, its size kept (a disk error), is written again with the
// right bytes, never reused: by a later build, whose check finds it, and
// by CompressAgain once the server dropped it. The store alone would keep
// it, a file of the right size (PutAs).
func TestDamagedVariantReplaced(t *testing.T) {
	cfg, cache := corpusAndStore(t)
	first := buildCached(t, cfg, cache)
	path := articlePages(t, first, 1)[0]
	good := gzipBytes(t, first.Lookup(path))
	file, _ := first.Lookup(path).Gzip().File()
	damage := func() {
		t.Helper()
		if err := os.WriteFile(file, flipped(good), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	damage()
	d := buildCached(t, cfg, cache).Lookup(path)
	if err := gzipCheck(d); err != nil {
		t.Fatalf("%s: after a build over its damaged variant: %v; want a variant that passes its check", path, err)
	}
	if got, _ := os.ReadFile(file); !bytes.Equal(got, good) {
		t.Fatalf("%s: the damaged variant was left in the store", path)
	}

	damage()
	gz := d.Gzip()
	if !d.DropGzip(gz) || d.Gzip() != nil {
		t.Fatal("DropGzip left the variant")
	}
	if d.DropGzip(gz) {
		t.Error("DropGzip of a variant already dropped reported dropping it")
	}
	d.CompressAgain()
	if err := gzipCheck(d); err != nil {
		t.Fatalf("%s: after CompressAgain over its damaged variant: %v; want a variant that passes its check", path, err)
	}
	if got, _ := os.ReadFile(file); !bytes.Equal(got, good) {
		t.Errorf("%s: CompressAgain left the damaged variant in the store", path)
	}
}

// gzipCheck returns the error of the check of d's gzip variant, or one
// saying it has none.
func gzipCheck(d *site.Document) error {
	if d.Gzip() == nil {
		return errors.New("no gzip variant")
	}
	return d.Gzip().Check()
}

// flipped returns data with the bits of its middle third inverted: the
// same size, other bytes.
func flipped(data []byte) []byte {
	out := bytes.Clone(data)
	for i := len(out) / 3; i < 2*len(out)/3; i++ {
		out[i] ^= 0xff
	}
	return out
}

// TestCheckedFileReadsWhatItDidNotWrite holds that the file of a page
// this builder wrote into the store is given unread, where one found
// there already is read and checked first: damaged, its size kept, it is
// a *site.StoredFileError, never a path to link. And that a gzip
// variant's file is checked by its size.
func TestCheckedFileReadsWhatItDidNotWrite(t *testing.T) {
	cfg, cache := corpusAndStore(t)
	first := buildCached(t, cfg, cache)
	path := articlePages(t, first, 1)[0]
	d := first.Lookup(path)
	stored, _ := d.File()
	body, err := os.ReadFile(stored)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stored, flipped(body), 0o644); err != nil {
		t.Fatal(err)
	}
	// Unread: the damage done since is not seen.
	if file, err := d.CheckedFile(); err != nil || file != stored {
		t.Errorf("CheckedFile of a page this builder wrote = %q, %v; want %q, unread", file, err, stored)
	}

	second := buildCached(t, cfg, cache)
	var bad *site.StoredFileError
	if file, err := second.Lookup(path).CheckedFile(); !errors.As(err, &bad) || bad.Path != stored {
		t.Errorf("CheckedFile of a damaged page found in the store = %q, %v; want a StoredFileError for %s", file, err, stored)
	}

	gz := first.Lookup(path).Gzip()
	variant, _ := gz.File()
	if file, err := gz.CheckedFile(); err != nil || file != variant {
		t.Fatalf("CheckedFile of a variant = %q, %v; want %q", file, err, variant)
	}
	if err := os.Truncate(variant, 10); err != nil {
		t.Fatal(err)
	}
	if file, err := gz.CheckedFile(); !errors.As(err, &bad) {
		t.Errorf("CheckedFile of a variant cut short = %q, %v; want a StoredFileError", file, err)
	}
}

// TestCollectStoreKeepsTheVariantsOfAnUncompressedSnapshot holds that a
// snapshot left without gzip variants (a build without --gzip), when it
// collects the store, keeps the variants a server made of the same
// bodies, however old.
func TestCollectStoreKeepsTheVariantsOfAnUncompressedSnapshot(t *testing.T) {
	cfg, cache := corpusAndStore(t)
	served := buildCached(t, cfg, cache)
	variant, _ := served.Lookup(articlePages(t, served, 1)[0]).Gzip().File()

	lib, b := scan(t, cfg, library.Options{Now: func() time.Time { return now }})
	b.UseStore(cache)
	uncompressed, _, err := b.Build(lib, now)
	if err != nil {
		t.Fatal(err)
	}
	long := time.Now().Add(-time.Hour)
	if err := os.Chtimes(variant, long, long); err != nil {
		t.Fatal(err)
	}
	if err := uncompressed.CollectStore(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(variant); err != nil {
		t.Errorf("the variant of a page the snapshot has was collected: %v", err)
	}
}
