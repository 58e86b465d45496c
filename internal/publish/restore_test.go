package publish_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/feedpub/feedpub/internal/publish"
)

// TestRestartServesSavedFeedsFirst holds the restart path: a publisher
// started on the state a first one left serves that one's feeds, with
// their gzip variants, before it has read an article; the first rebuild
// then serves what the articles say now (here, an article written while
// nothing ran) and the complete site. Listening elsewhere changes no
// document, so it does not prevent the restore. Without Restore a publisher saves
// nothing in the store.
func TestRestartServesSavedFeedsFirst(t *testing.T) {
	first, cfg := newPublisher(t, publish.Options{})
	if first.Restore() {
		t.Fatal("Restore restored something on a first start")
	}
	rebuild(t, first.Rebuild)
	first.Wait()
	served := first.Snapshot().Lookup("/rss.xml")

	writeArticle(t, cfg.Articles.Dir, "written-while-stopped.txt", "Written while stopped")
	cfg.Server.Listen = "127.0.0.1:0" // another port serves the same documents
	second, err := publish.New(cfg, publish.Options{RacyWindow: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(second.Wait)
	if !second.Restore() {
		t.Fatal("Restore restored nothing on a restart")
	}
	snap := second.Snapshot()
	rss := snap.Lookup("/rss.xml")
	if rss == nil || !bytes.Equal(rss.Body, served.Body) || rss.Gzip() == nil || !rss.LastModified.Equal(served.LastModified) {
		t.Fatal("the restored snapshot does not serve the saved feed as it was, compressed")
	}
	if snap.Complete() || !snap.Rendering("/articles/a/") {
		t.Error("the restored snapshot claims to be complete")
	}

	res := rebuild(t, second.Rebuild)
	now := second.Snapshot()
	if !res.Swapped || !now.Complete() || now.Lookup("/articles/a/") == nil {
		t.Errorf("first rebuild after Restore = %+v; want the complete site swapped in", res)
	}
	if !strings.Contains(string(now.Lookup("/rss.xml").Body), "Written while stopped") {
		t.Error("the feed after the first rebuild lacks the article written while stopped")
	}
}

// TestRestoreIgnoresOtherConfiguration holds that the saved feeds are not
// served under another configuration, nor when their store is damaged.
func TestRestoreIgnoresOtherConfiguration(t *testing.T) {
	first, cfg := newPublisher(t, publish.Options{})
	first.Restore()
	rebuild(t, first.Rebuild)
	first.Wait()

	renamed := cfg
	renamed.Site.Title = "Renamed"
	p, err := publish.New(renamed, publish.Options{RacyWindow: -1})
	if err != nil {
		t.Fatal(err)
	}
	if p.Restore() || p.Snapshot() != nil {
		t.Error("feeds saved under another configuration were restored")
	}

	// Every stored file damaged in place, its size kept.
	err = filepath.WalkDir(publish.StoreDir(cfg), func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || e.Name() == "manifest.json" {
			return err
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		return os.WriteFile(path, bytes.Repeat([]byte("x"), int(info.Size())), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	p, err = publish.New(cfg, publish.Options{RacyWindow: -1})
	if err != nil {
		t.Fatal(err)
	}
	if p.Restore() || p.Snapshot() != nil {
		t.Fatal("feeds were restored from a damaged store")
	}
	// The next swap stores them again, and the start after it restores.
	rebuild(t, p.Rebuild)
	p.Wait()
	p, err = publish.New(cfg, publish.Options{RacyWindow: -1})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Restore() {
		t.Error("the store was not mended by the swap after a damaged one")
	}
}

// TestRestartRendersOnlyChangedPages holds that a restart reuses the
// article pages the last run stored, whether it restored the feeds
// (serve) or not (build), and reads and renders only the article edited
// while nothing ran, whose page says what the article says now.
func TestRestartRendersOnlyChangedPages(t *testing.T) {
	first, cfg := newPublisher(t, publish.Options{})
	for i := range 8 {
		writeArticle(t, cfg.Articles.Dir, fmt.Sprintf("more-%d.txt", i), fmt.Sprintf("More %d", i))
	}
	first.Restore()
	all := rebuild(t, first.Rebuild)
	first.Wait()

	start := func(restore bool) (*publish.Publisher, publish.Result) {
		t.Helper()
		p, err := publish.New(cfg, publish.Options{RacyWindow: -1})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.Wait)
		if restore && !p.Restore() {
			t.Fatal("Restore restored nothing on a restart")
		}
		res := rebuild(t, p.Rebuild)
		p.Wait()
		return p, res
	}
	_, res := start(true)
	if pages := 10; res.Rendered != all.Rendered-pages {
		t.Errorf("a restart with no change rendered %d documents; want %d, no article page", res.Rendered, all.Rendered-pages)
	}
	_, res = start(false)
	if pages := 10; res.Rendered != all.Rendered-pages {
		t.Errorf("a build with no change rendered %d documents; want %d, no article page", res.Rendered, all.Rendered-pages)
	}

	writeArticle(t, cfg.Articles.Dir, "more-3.txt", "Edited while stopped")
	p, res := start(true)
	if pages := 10; res.Rendered != all.Rendered-pages+1 {
		t.Errorf("a restart after one edit rendered %d documents; want %d, one article page", res.Rendered, all.Rendered-pages+1)
	}
	if res.Scan.Read != 1 {
		t.Errorf("a restart after one edit read %d articles; want the one edited", res.Scan.Read)
	}
	page := p.Snapshot().Lookup("/articles/" + articleID(t, p, "more-3.txt") + "/")
	body, err := page.Bytes()
	if err != nil || !strings.Contains(string(body), "Edited while stopped") {
		t.Errorf("the edited article's page: %v; want its new title", err)
	}
}

// articleID returns the id of the article at path in p's last library.
func articleID(t *testing.T, p *publish.Publisher, path string) string {
	t.Helper()
	for _, a := range p.Library().Articles {
		if a.Path == path {
			return a.Slug
		}
	}
	t.Fatalf("no article %s", path)
	return ""
}

// TestStopSavesTheCaches holds that what a run read and rendered after
// its start is in the scan cache and the index of pages once it stops
// (Wait), though their saves came less than a minute before: the next
// start reads no article, and renders what a start after it renders,
// no article page.
func TestStopSavesTheCaches(t *testing.T) {
	first, cfg := newPublisher(t, publish.Options{})
	rebuild(t, first.Rebuild)
	first.Wait() // the start's saves
	writeArticle(t, cfg.Articles.Dir, "later.txt", "Written after the start")
	rebuild(t, first.Rebuild)
	first.Wait()

	start := func() publish.Result {
		t.Helper()
		p, err := publish.New(cfg, publish.Options{RacyWindow: -1})
		if err != nil {
			t.Fatal(err)
		}
		res := rebuild(t, p.Rebuild)
		p.Wait()
		return res
	}
	second, third := start(), start()
	if second.Scan.Read != 0 || second.Rendered != third.Rendered {
		t.Errorf("the next start read %d articles and rendered %d documents; want none read, and the %d a start after it renders", second.Scan.Read, second.Rendered, third.Rendered)
	}
}
