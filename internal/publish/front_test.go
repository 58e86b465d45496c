package publish_test

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/publish"
	"github.com/feedpub/feedpub/internal/syncbuf"
	"github.com/feedpub/feedpub/internal/testcorpus"
)

const frontLog = "feeds served from the articles' headers"

// startSite starts a resident publisher on a new copy of files with the
// given FrontAfter, and returns it after its first rebuild and the
// background work, with what it logged.
func startSite(t *testing.T, files []testcorpus.File, frontAfter int, now time.Time) (*publish.Publisher, config.Config, *syncbuf.Buffer) {
	t.Helper()
	root := t.TempDir()
	cfg := config.Default()
	cfg.Articles.Dir = filepath.Join(root, "articles")
	cfg.State.File = filepath.Join(root, "state", "state.json")
	cfg.Feeds.Limit, cfg.Feeds.ArchiveSize = 5, 7
	if err := testcorpus.Write(cfg.Articles.Dir, files); err != nil {
		t.Fatal(err)
	}
	// The same times in every copy: an article's file time is its
	// updated date.
	for _, f := range files {
		if err := os.Chtimes(filepath.Join(cfg.Articles.Dir, filepath.FromSlash(f.Name)), now, now); err != nil {
			t.Fatal(err)
		}
	}
	var logs syncbuf.Buffer
	p := startPublisher(t, cfg, frontAfter, now, &logs)
	return p, cfg, &logs
}

func startPublisher(t *testing.T, cfg config.Config, frontAfter int, now time.Time, logs *syncbuf.Buffer) *publish.Publisher {
	t.Helper()
	p, err := publish.New(cfg, publish.Options{Resident: true, FrontAfter: frontAfter, RacyWindow: -1,
		Now: func() time.Time { return now }, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	p.Restore()
	rebuild(t, p.Rebuild)
	p.Wait()
	return p
}

// A first start of a large directory serves its feeds from the
// articles' headers first; the site it ends with is the one a start
// reading every article whole makes, byte for byte. A restart, which has
// the feeds of the last run, and a smaller directory do not.
func TestFirstStartServesFeedsFromHeaders(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	files := testcorpus.Generate(60, 11)
	headersFirst, cfg, logs := startSite(t, files, 1, now)
	whole, _, wholeLogs := startSite(t, files, len(files)+1, now)
	if n := strings.Count(logs.String(), frontLog); n != 1 {
		t.Errorf("a first start of %d files with FrontAfter 1 logged %q %d times, want once:\n%s", len(files), frontLog, n, logs)
	}
	if strings.Contains(wholeLogs.String(), frontLog) {
		t.Errorf("a first start of %d files with FrontAfter %d served its feeds from headers", len(files), len(files)+1)
	}

	got, want := headersFirst.Snapshot(), whole.Snapshot()
	if !got.Complete() {
		t.Fatal("the snapshot after the first rebuild is not complete")
	}
	if g, w := strings.Join(got.Paths(), " "), strings.Join(want.Paths(), " "); g != w {
		t.Fatalf("paths after a start from headers:\n%s\nafter a start reading whole:\n%s", g, w)
	}
	for _, path := range want.Paths() {
		g, w := got.Lookup(path), want.Lookup(path)
		gb, gerr := g.Bytes() // article pages are in the store, not in memory
		wb, werr := w.Bytes()
		if gerr != nil || werr != nil || !bytes.Equal(gb, wb) || g.ETag != w.ETag || !g.LastModified.Equal(w.LastModified) {
			t.Errorf("%s differs between a start from headers and one reading whole (%v, %v)", path, gerr, werr)
		}
	}
	if res := rebuild(t, headersFirst.Rebuild); res.Swapped || res.Scan.Read != 0 {
		t.Errorf("a rebuild with nothing changed after the start = %+v, want nothing read or swapped", res)
	}

	var restartLogs syncbuf.Buffer
	restarted := startPublisher(t, cfg, 1, now, &restartLogs)
	if strings.Contains(restartLogs.String(), frontLog) {
		t.Errorf("a restart served its feeds from headers:\n%s", restartLogs.String())
	}
	if restarted.Snapshot().Lookup("/rss.xml").ETag != want.Lookup("/rss.xml").ETag {
		t.Error("the restart serves another /rss.xml")
	}
}
