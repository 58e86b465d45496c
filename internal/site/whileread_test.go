package site_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/internal/library"
	"github.com/feedpub/feedpub/internal/site"
	"github.com/feedpub/feedpub/internal/state"
	"github.com/feedpub/feedpub/internal/testcorpus"
)

// The article pages rendered from the bodies a first start's scan hands
// over are the pages a build renders, and that build reads no article
// again: here it could not, the files being gone by then.
func TestRenderWhileReading(t *testing.T) {
	dir := t.TempDir()
	writeCorpus(t, dir, corpus)
	if err := testcorpus.Write(dir, testcorpus.Generate(40, 3)); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(dir)
	want, _ := build(t, cfg, now)

	st := state.New()
	scanner := library.NewScanner(library.Options{Dir: dir, State: st, BodiesOnDisk: true, Now: func() time.Time { return now }})
	if lib, err := scanner.ScanFront(cfg.Feeds.Limit, 1, now); err != nil || lib == nil {
		t.Fatalf("ScanFront = %v, %v", lib, err)
	}
	b, err := site.NewBuilder(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	render := b.RenderWhileReading(now)
	if render == nil {
		t.Fatal("a builder that rendered nothing yet renders no page while reading")
	}
	lib, _, err := scanner.ScanHanding(render)
	if err != nil {
		t.Fatal(err)
	}
	removeArticles(t, dir)
	got, _, err := b.Build(lib, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range articlePages(t, want, 40) {
		g, w := got.Lookup(path), want.Lookup(path)
		if g == nil || !bytes.Equal(g.Body, w.Body) || g.ETag != w.ETag {
			t.Errorf("%s differs from the page Build renders", path)
		}
	}
	if b.RenderWhileReading(now) != nil {
		t.Error("a builder with pages renders pages while reading again")
	}
}

// articlePages returns the paths of snap's article pages, and fails the
// test when there are fewer than least: a comparison of pages must
// compare some.
func articlePages(t *testing.T, snap *site.Snapshot, least int) []string {
	t.Helper()
	var paths []string
	for _, p := range snap.Paths() {
		if strings.HasPrefix(p, "/articles/") {
			paths = append(paths, p)
		}
	}
	if len(paths) < least {
		t.Fatalf("%d article pages, want at least %d", len(paths), least)
	}
	return paths
}

// removeArticles removes the article files under dir.
func removeArticles(t *testing.T, dir string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !article.IsArticleFile(path) {
			return err
		}
		return os.Remove(path)
	})
	if err != nil {
		t.Fatal(err)
	}
}
