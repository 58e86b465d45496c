package site_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/feedpub/feedpub/internal/site"
	"github.com/feedpub/feedpub/internal/store"
)

// TestRestoreFront holds that the front documents saved after a build
// come back from the store as they were served (bytes, gzip variant,
// headers, dates, browser view), with every other path answering as
// still rendering; that another configuration's key restores nothing;
// and that saving again removes the stored files no longer named.
func TestRestoreFront(t *testing.T) {
	dir := t.TempDir()
	writeCorpus(t, dir, corpus)
	cfg := testConfig(dir)
	cfg.WebSub.Hubs = []string{"https://hub.example/"}
	want, _ := build(t, cfg, now)
	want.Compress()
	st := store.Open(filepath.Join(t.TempDir(), "store"))
	if err := site.SaveFront(st, "key", want); err != nil {
		t.Fatal(err)
	}

	got, err := site.RestoreFront(st, "key")
	if err != nil {
		t.Fatal(err)
	}
	if got.Complete() || got.Articles != want.Articles || got.Generation != 1 {
		t.Errorf("restored: complete %v, %d articles, generation %d; want false, %d, 1", got.Complete(), got.Articles, got.Generation, want.Articles)
	}
	sameDocument(t, got.NotFound, want.NotFound)
	served := 0
	for _, path := range want.Paths() {
		d, g := want.Lookup(path), got.Lookup(path)
		later := strings.HasPrefix(path, "/articles/") || strings.HasPrefix(path, "/tags/") || strings.HasPrefix(path, "/archive/")
		switch {
		case later && (g != nil || !got.Rendering(path)):
			t.Errorf("%s restored: served %v, rendering %v; want rendering", path, g != nil, got.Rendering(path))
		case !later && g == nil:
			t.Errorf("%s not restored", path)
		case !later:
			served++
			sameDocument(t, g, d)
		}
	}
	if served < 6 || got.Lookup(cfg.Feeds.RSSPath).Gzip() == nil || got.Lookup(cfg.Feeds.RSSPath).LinkHeader == "" {
		t.Errorf("restored %d documents, the RSS feed without its gzip variant or Link header", served)
	}
	if !got.Rendering("/nowhere/") {
		t.Error("a path the restored snapshot lacks is not reported as rendering")
	}
	if _, err := site.RestoreFront(st, "another key"); !errors.Is(err, site.ErrNoFront) {
		t.Errorf("RestoreFront under another key: %v; want ErrNoFront", err)
	}

	// A new article changes the feeds: the old feed bodies leave the store.
	oldRSS := store.Name(want.Lookup(cfg.Feeds.RSSPath).Body)
	writeCorpus(t, dir, map[string]string{"new.txt": "Title: New\nDate: 2025-01-01\n\nNew.\n"})
	next, _ := build(t, cfg, now)
	if err := site.SaveFront(st, "key", next); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Get(oldRSS); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the replaced feed's stored body: %v; want it removed", err)
	}
	if got, err := site.RestoreFront(st, "key"); err != nil || !bytes.Equal(got.Lookup(cfg.Feeds.RSSPath).Body, next.Lookup(cfg.Feeds.RSSPath).Body) {
		t.Errorf("restored after the second save: %v; want the new feed", err)
	}
}

// TestRestoreFrontRefusesCorruptStore holds that a stored body changed on
// disk is never served: nothing is restored.
func TestRestoreFrontRefusesCorruptStore(t *testing.T) {
	dir := t.TempDir()
	writeCorpus(t, dir, corpus)
	cfg := testConfig(dir)
	snap, _ := build(t, cfg, now)
	storeDir := filepath.Join(t.TempDir(), "store")
	if err := site.SaveFront(store.Open(storeDir), "key", snap); err != nil {
		t.Fatal(err)
	}
	name := store.Name(snap.Lookup(cfg.Feeds.AtomPath).Body)
	if err := os.WriteFile(store.Open(storeDir).Path(name), []byte("<feed>tampered</feed>"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := site.RestoreFront(store.Open(storeDir), "key"); err == nil || errors.Is(err, site.ErrNoFront) {
		t.Errorf("RestoreFront with a corrupt body: %v, %v; want an error saying so", got, err)
	}
}

func sameDocument(t *testing.T, got, want *site.Document) {
	t.Helper()
	switch {
	case !bytes.Equal(got.Body, want.Body) || got.ETag != want.ETag:
		t.Errorf("%q: restored body differs", want.Path)
	case got.ContentType != want.ContentType || got.Kind != want.Kind || !got.LastModified.Equal(want.LastModified):
		t.Errorf("%q: restored %s, kind %d, %v; want %s, kind %d, %v", want.Path, got.ContentType, got.Kind, got.LastModified, want.ContentType, want.Kind, want.LastModified)
	case got.LinkHeader != want.LinkHeader || got.Topic != want.Topic || got.ContentSecurityPolicy != want.ContentSecurityPolicy:
		t.Errorf("%q: restored headers differ", want.Path)
	case (got.Gzip() == nil) != (want.Gzip() == nil) || got.Gzip() != nil && (!bytes.Equal(got.Gzip().Body, want.Gzip().Body) || got.Gzip().ETag() != want.Gzip().ETag()):
		t.Errorf("%q: restored gzip variant differs", want.Path)
	case (got.View == nil) != (want.View == nil):
		t.Errorf("%q: restored view %v; want %v", want.Path, got.View != nil, want.View != nil)
	case got.View != nil:
		sameDocument(t, got.View, want.View)
	}
}
