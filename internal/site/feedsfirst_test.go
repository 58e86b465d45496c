package site_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/library"
	"github.com/feedpub/feedpub/internal/site"
)

// TestFeedsFirst holds what a first start serves early: the feeds, the
// index and the shared files, with every article, tag and archive path
// reported as rendering and nothing else missing; and that the complete
// snapshot after it is, byte for byte and date for date, what Build
// makes of the same articles.
func TestFeedsFirst(t *testing.T) {
	dir := t.TempDir()
	writeCorpus(t, dir, corpus)
	cfg := testConfig(dir)
	want, _ := build(t, cfg, now)

	lib, b := scan(t, cfg, library.Options{Now: func() time.Time { return now }})
	var early *site.Snapshot
	got, _, err := b.BuildFeedsFirst(lib, now, func(s *site.Snapshot) { early = s })
	if err != nil {
		t.Fatal(err)
	}
	if early == nil {
		t.Fatal("BuildFeedsFirst never handed out an early snapshot")
	}

	if early.Complete() || !got.Complete() || !want.Complete() {
		t.Errorf("Complete: early %v, final %v, Build %v; want false, true, true", early.Complete(), got.Complete(), want.Complete())
	}
	if early.Generation != got.Generation || got.Generation != want.Generation {
		t.Errorf("generations: early %d, final %d, Build %d; want all equal", early.Generation, got.Generation, want.Generation)
	}
	for _, path := range want.Paths() {
		d, e := want.Lookup(path), early.Lookup(path)
		later := strings.HasPrefix(path, "/articles/") || strings.HasPrefix(path, "/tags/") || strings.HasPrefix(path, "/archive/")
		switch {
		case later && (e != nil || !early.Rendering(path)):
			t.Errorf("%s in the early snapshot: served %v, rendering %v; want rendering", path, e != nil, early.Rendering(path))
		case !later && (e == nil || early.Rendering(path)):
			t.Errorf("%s in the early snapshot: served %v, rendering %v; want served", path, e != nil, early.Rendering(path))
		case !later && (!bytes.Equal(e.Body, d.Body) || !e.LastModified.Equal(d.LastModified)):
			t.Errorf("%s differs between the early snapshot and Build's", path)
		}
		if g := got.Lookup(path); g == nil || !bytes.Equal(g.Body, d.Body) || g.ETag != d.ETag || !g.LastModified.Equal(d.LastModified) {
			t.Errorf("%s differs between BuildFeedsFirst's snapshot and Build's", path)
		}
		if got.Rendering(path) {
			t.Errorf("%s still rendering in the complete snapshot", path)
		}
	}
	if g, w := strings.Join(got.Paths(), " "), strings.Join(want.Paths(), " "); g != w {
		t.Errorf("paths of BuildFeedsFirst's snapshot:\n%s\nwant Build's:\n%s", g, w)
	}
	if early.Rendering("/nowhere/") || early.Rendering("/rss.xml") {
		t.Error("the early snapshot reports paths as rendering that no document will have, or that it has")
	}
}
