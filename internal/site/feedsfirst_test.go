package site_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/library"
	"github.com/feedpub/feedpub/internal/site"
	"github.com/feedpub/feedpub/internal/state"
	"github.com/feedpub/feedpub/internal/testcorpus"
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

// TestBuildFront holds what a start serves from the articles' headers
// (library.Scanner.ScanFront, BuildFront): the documents BuildFeedsFirst
// serves early, byte for byte and date for date, with the same paths
// rendering; and that the complete build continued from it ends where
// Build does, keeping their dates.
func TestBuildFront(t *testing.T) {
	dir := t.TempDir()
	writeCorpus(t, dir, corpus)
	if err := testcorpus.Write(dir, testcorpus.Generate(40, 3)); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(dir)
	cfg.Feeds.Limit, cfg.Feeds.ArchiveSize = 4, 5
	clock := library.Options{Now: func() time.Time { return now }}
	want, _ := build(t, cfg, now)
	lib, b := scan(t, cfg, clock)
	var early *site.Snapshot
	if _, _, err := b.BuildFeedsFirst(lib, now, func(s *site.Snapshot) { early = s }); err != nil {
		t.Fatal(err)
	}

	st := state.New()
	opts := clock
	opts.Dir, opts.State, opts.BodiesOnDisk = dir, st, true
	scanner := library.NewScanner(opts)
	headers, err := scanner.ScanFront(cfg.Feeds.Limit, 1, now)
	if err != nil || headers == nil {
		t.Fatalf("ScanFront = %v, %v", headers, err)
	}
	fb, err := site.NewBuilder(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	front, err := fb.BuildFront(headers, now)
	if err != nil {
		t.Fatal(err)
	}
	if front.Complete() {
		t.Error("BuildFront's snapshot says it is complete")
	}
	if g, w := strings.Join(front.Paths(), " "), strings.Join(early.Paths(), " "); g != w {
		t.Errorf("BuildFront serves\n%s\nBuildFeedsFirst early\n%s", g, w)
	}
	for _, path := range want.Paths() {
		f, e := front.Lookup(path), early.Lookup(path)
		switch {
		case f == nil && e == nil:
			if !front.Rendering(path) {
				t.Errorf("%s: neither served nor rendering in BuildFront's snapshot", path)
			}
		case f == nil || e == nil:
			t.Errorf("%s: in BuildFront's snapshot %v, in the early one %v", path, f != nil, e != nil)
		case !bytes.Equal(f.Body, e.Body) || f.ETag != e.ETag || !f.LastModified.Equal(e.LastModified):
			t.Errorf("%s differs between BuildFront's snapshot and the early one:\n%s\n%s", path, f.Body, e.Body)
		}
	}

	rest, _, err := scanner.Scan()
	if err != nil {
		t.Fatal(err)
	}
	b2, err := site.NewBuilder(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	b2.Continue(front)
	later := now.Add(time.Hour)
	got, _, err := b2.Build(rest, later)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Complete() {
		t.Error("the build after BuildFront is not complete")
	}
	if g, w := strings.Join(got.Paths(), " "), strings.Join(want.Paths(), " "); g != w {
		t.Errorf("paths after BuildFront:\n%s\nwant Build's:\n%s", g, w)
	}
	for _, path := range want.Paths() {
		g, d := got.Lookup(path), want.Lookup(path)
		if g == nil || !bytes.Equal(g.Body, d.Body) {
			t.Errorf("%s differs between the build after BuildFront and Build", path)
			continue
		}
		if f := front.Lookup(path); f != nil && !g.LastModified.Equal(f.LastModified) {
			t.Errorf("%s: Last-Modified %v after BuildFront's %v, for the same bytes", path, g.LastModified, f.LastModified)
		}
	}
}
