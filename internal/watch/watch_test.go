package watch_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/publish"
	"github.com/feedpub/feedpub/internal/watch"
)

// TestOverflowRescans holds the watcher while far more events than the
// kernel queues arrive, then creates a directory whose events are lost.
// The overflow must make the watcher walk the tree again (so the new
// directory is watched) and rescan (so its file is published).
func TestOverflowRescans(t *testing.T) {
	s := newSite(t, siteOptions{files: baseFiles})
	entered, release := make(chan struct{}), make(chan struct{})
	var held bool
	s.setHook(func(publish.Result, error) {
		if !held {
			held = true
			close(entered)
			<-release
		}
	})
	s.write("c.txt", text("C"))
	<-entered
	// Alternate between two files so the kernel cannot merge the events.
	a, b := s.path("a.txt"), s.path("sub/b.txt")
	for i := range 40_000 {
		ts := time.Unix(int64(i), 0)
		must(t, os.Chtimes([]string{a, b}[i%2], ts, ts))
	}
	s.write("lost/x/d.txt", text("D"))
	close(release)
	want := with(basePublished, "c", "C", "lost/x/d", "D")
	s.converge(want)
	if !strings.Contains(s.logs.String(), "overflowed") {
		t.Errorf("no overflow logged; log:\n%s", s.logs.String())
	}
	s.write("lost/x/e.txt", text("E")) // the directory found by the walk is watched
	s.converge(with(want, "lost/x/e", "E"))
}

// TestHiddenParentDirectory keeps the articles below a hidden directory,
// as in ~/.blog/articles: only names inside the articles directory count.
func TestHiddenParentDirectory(t *testing.T) {
	s := newSite(t, siteOptions{articlesDir: ".blog/articles"})
	s.write("a.txt", text("A"))
	s.converge(map[string]string{"a": "A"})
}

// TestIdenticalRebuildKeepsGeneration changes file metadata but not
// content, and forces a full rescan: the rebuilds read the files again
// but serve the same snapshot generation and ETags.
func TestIdenticalRebuildKeepsGeneration(t *testing.T) {
	reload := make(chan struct{})
	s := newSite(t, siteOptions{files: baseFiles, reload: reload, racyWindow: -1})
	srv := s.serve()
	etag := func() string {
		resp, err := srv.Client().Get(srv.URL + "/rss.xml")
		must(t, err)
		resp.Body.Close()
		return resp.Header.Get("ETag")
	}
	s.pub.Wait() // the gzip variant the client asks for exists
	gen, tag := s.pub.Snapshot().Generation, etag()

	mark := s.mark()
	must(t, os.Chmod(s.path("a.txt"), 0o600)) // ctime moves: a.txt is read again
	r := s.waitResult(mark, "a rebuild after chmod", func(r rebuild) bool { return r.res.Scan.Read > 0 })
	if r.err != nil || r.res.Swapped || r.res.Scan.Read != 1 || r.res.Generation != gen {
		t.Errorf("after chmod: %+v, %v; want 1 file read, no swap, generation %d", r.res, r.err, gen)
	}

	mark = s.mark()
	reload <- struct{}{}
	r = s.waitResult(mark, "the reload", func(r rebuild) bool { return r.res.Reason == "reload" })
	if r.err != nil || r.res.Swapped || r.res.Scan.Read != 2 || r.res.Generation != gen {
		t.Errorf("after reload: %+v, %v; want 2 files read, no swap, generation %d", r.res, r.err, gen)
	}
	if got := etag(); got != tag {
		t.Errorf("ETag %s after identical rebuilds, want %s", got, tag)
	}
}

// TestConfigReload edits a real config.toml the way editors save it and
// checks each change is applied live, or refused and logged.
func TestConfigReload(t *testing.T) {
	const base = `[site]
title = %q
base_url = "http://example.com/"

[articles]
dir = %q

[feeds]
limit = %s

[state]
file = "state/state.json"
`
	config := func(title, dir, limit string) string { return fmt.Sprintf(base, title, dir, limit) }
	reload := make(chan struct{})
	s := newSite(t, siteOptions{files: baseFiles, configTOML: config("First", "articles", "0"), reload: reload})
	srv := s.serve()
	client := srv.Client()
	feedHas := func(what string, ok func(title string, items int) bool) {
		t.Helper()
		s.waitFor(what, func() bool {
			f := fetchFeed(t, client, srv.URL+"/rss.xml")
			return ok(f.Title, len(f.Items))
		})
	}
	feedHas("the first title", func(title string, items int) bool { return title == "First" && items == 2 })

	replaceFile(t, s.configPath, config("Second", "articles", "0"))
	feedHas("the new title", func(title string, _ int) bool { return title == "Second" })

	replaceFile(t, s.configPath, config("Second", "articles", "1"))
	feedHas("one item", func(_ string, items int) bool { return items == 1 })

	// Waited for in the log, not as the next rebuild: the feed above
	// changes when its rebuild swaps, before that rebuild's result is
	// recorded, so a rebuild counted from here may be that one.
	replaceFile(t, s.configPath, config("Third", "articles", `"many"`))
	s.waitFor("the broken config to be logged", func() bool { return strings.Contains(s.logs.String(), "config not reloaded") })
	if f := fetchFeed(t, client, srv.URL+"/rss.xml"); f.Title != "Second" || len(f.Items) != 1 {
		t.Errorf("after a broken config: title %q, %d items; want the running config's %q, 1", f.Title, len(f.Items), "Second")
	}

	writeFile(t, filepath.Join(s.root, "articles2", "x.txt"), text("X"))
	replaceFile(t, s.configPath, config("Second", "articles2", "0"))
	s.converge(map[string]string{"x": "X"})
	s.write("c.txt", text("C")) // the old directory is no longer followed
	writeFile(t, filepath.Join(s.root, "articles2", "y.txt"), text("Y"))
	s.converge(map[string]string{"x": "X", "y": "Y"})

	mark := s.mark()
	reload <- struct{}{}
	r := s.waitResult(mark, "the reload", func(r rebuild) bool { return r.res.Reason == "reload" })
	if r.err != nil || r.res.Scan.Read != 2 {
		t.Errorf("reload: %+v, %v; want every one of 2 files read", r.res, r.err)
	}
}

// TestReloadWithoutConfigRescansAll checks that a reload request reads
// every file again even when there is no config file to re-read.
func TestReloadWithoutConfigRescansAll(t *testing.T) {
	reload := make(chan struct{})
	s := newSite(t, siteOptions{files: baseFiles, reload: reload, racyWindow: -1})
	mark := s.mark()
	reload <- struct{}{}
	r := s.waitResult(mark, "the reload", func(r rebuild) bool { return r.res.Reason == "reload" })
	if r.err != nil || r.res.Scan.Read != 2 {
		t.Errorf("reload: %+v, %v; want every one of 2 files read", r.res, r.err)
	}
}

// scheduledFiles has one article published and one due at 01:00 on the
// first day of 2030.
var scheduledFiles = map[string]string{
	"now.txt":   "Title: Now\nDate: 2029-12-01\n\nAlready out.\n",
	"later.txt": "Title: Later\nDate: 2030-01-01T01:00:00Z\n\nOut at one.\n",
}

var newYear2030 = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// TestScheduledArticle publishes an article when its date comes, with no
// file change, on a clock the test advances.
func TestScheduledArticle(t *testing.T) {
	clock := newFakeClock(newYear2030)
	s := newSite(t, siteOptions{files: scheduledFiles, clock: clock})
	s.converge(map[string]string{"now": "Now"})
	if got, want := s.pub.Snapshot().NextScheduled, newYear2030.Add(time.Hour); !got.Equal(want) {
		t.Fatalf("NextScheduled = %v, want %v", got, want)
	}
	mark := s.mark()
	clock.Advance(time.Hour)
	s.waitResult(mark, "the scheduled rebuild", func(r rebuild) bool { return r.res.Reason == "scheduled" })
	s.converge(map[string]string{"now": "Now", "later": "Later"})
	if next := s.pub.Snapshot().NextScheduled; !next.IsZero() {
		t.Errorf("NextScheduled = %v after the last scheduled article, want zero", next)
	}
}

// TestScheduledWhileDirectoryGone lets a scheduled article come due while
// the articles directory is gone: the failed rebuild must not re-arm the
// wake-up for a moment already past, which would rebuild in a busy loop.
func TestScheduledWhileDirectoryGone(t *testing.T) {
	clock := newFakeClock(newYear2030)
	reload := make(chan struct{})
	s := newSite(t, siteOptions{files: scheduledFiles, clock: clock, reload: reload})
	must(t, os.RemoveAll(s.dir))
	mark := s.mark()
	clock.Advance(time.Hour)
	s.waitResult(mark, "a failed rebuild", func(r rebuild) bool { return r.err != nil })
	if n := clock.Immediate(); n != 0 {
		t.Errorf("%d timers armed for a moment already past", n)
	}
	s.write("later.txt", scheduledFiles["later.txt"])
	reload <- struct{}{}
	s.converge(map[string]string{"later": "Later"})
}

// TestPolling proves the interval rescan alone publishes a change: the
// debounce is an hour on a clock that only the poll interval is advanced
// by, so the fsnotify events cannot trigger the rebuild.
func TestPolling(t *testing.T) {
	clock := newFakeClock(newYear2030)
	s := newSite(t, siteOptions{files: baseFiles, clock: clock, racyWindow: -1, configure: func(c *config.Config) {
		c.Articles.Debounce.Duration = time.Hour
		c.Articles.MaxWait.Duration = time.Hour
		c.Articles.Poll.Duration = time.Minute
	}})
	s.write("c.txt", text("C"))
	mark := s.mark()
	clock.Advance(time.Minute)
	r := s.waitResult(mark, "a poll", func(r rebuild) bool { return r.res.Reason == "poll" })
	if r.err != nil || r.res.Scan.Read != 1 || !r.res.Swapped {
		t.Errorf("poll: %+v, %v; want c.txt read and swapped in", r.res, r.err)
	}
	s.converge(with(basePublished, "c", "C"))
	for _, r := range s.rebuildsSince(mark) {
		if r.res.Reason != "poll" {
			t.Errorf("rebuild for %q, want only polls", r.res.Reason)
		}
	}
	// Polling goes on.
	s.write("d.txt", text("D"))
	clock.Advance(time.Minute)
	s.converge(with(basePublished, "c", "C", "d", "D"))
}

// TestHealthz checks /healthz follows the generation, the article count,
// the last rebuild and the current errors.
func TestHealthz(t *testing.T) {
	s := newSite(t, siteOptions{files: baseFiles})
	srv := s.serve()
	type health struct {
		Status      string    `json:"status"`
		Generation  uint64    `json:"generation"`
		Articles    int       `json:"articles"`
		Errors      int       `json:"errors"`
		LastRebuild time.Time `json:"last_rebuild"`
	}
	healthz := func() health {
		status, body := get(t, srv.Client(), srv.URL+"/healthz")
		if status != http.StatusOK {
			t.Fatalf("GET /healthz: status %d", status)
		}
		var h health
		if err := json.Unmarshal(body, &h); err != nil {
			t.Fatalf("GET /healthz: %v in %s", err, body)
		}
		return h
	}
	h := healthz()
	if h.Status != "ok" || h.Generation != s.pub.Snapshot().Generation || h.Articles != 2 || h.Errors != 0 || h.LastRebuild.IsZero() {
		t.Errorf("healthz = %+v, want ok, generation %d, 2 articles, no errors, a last rebuild", h, s.pub.Snapshot().Generation)
	}

	s.write("c.txt", text("C"))
	s.converge(with(basePublished, "c", "C"))
	h2 := healthz()
	if h2.Generation <= h.Generation || h2.Articles != 3 || !h2.LastRebuild.After(h.LastRebuild) {
		t.Errorf("after a new article healthz = %+v, want a later generation and rebuild than %+v, 3 articles", h2, h)
	}

	s.write("c.txt", "") // unparseable
	s.waitFor("healthz to report the error", func() bool { return healthz().Errors == 1 })
	if h3 := healthz(); h3.Articles != 3 || h3.Generation != h2.Generation {
		t.Errorf("with a broken file healthz = %+v, want the last good 3 articles at generation %d", h3, h2.Generation)
	}
}

// TestShutdown cancels Run while every timer is armed (debounce, poll,
// scheduled wake-up) and checks it returns, stops them all and leaves no
// goroutine behind (newSite's cleanup checks goroutines).
func TestShutdown(t *testing.T) {
	clock := newFakeClock(newYear2030)
	s := newSite(t, siteOptions{files: scheduledFiles, clock: clock, configure: func(c *config.Config) {
		c.Articles.Poll.Duration = time.Minute
	}})
	s.write("c.txt", text("C"))
	s.waitFor("the debounce, poll and schedule timers", func() bool { return clock.Pending() == 3 })
	if err := s.stop(); err != nil {
		t.Fatalf("Run = %v", err)
	}
	if n := clock.Pending(); n != 0 {
		t.Errorf("%d timers still armed after Run returned", n)
	}
}

// TestRunStopsOnCancelledContext checks that Run given a context already
// done returns nil and leaves nothing running.
func TestRunStopsOnCancelledContext(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	cfg := config.Default()
	cfg.Articles.Dir = t.TempDir()
	cfg.State.File = filepath.Join(t.TempDir(), "state.json")
	p, err := publish.New(cfg, publish.Options{})
	must(t, err)
	defer p.Wait() // before goleak looks: the rebuild's background work
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := watch.Run(ctx, watch.Options{Publisher: p}); err != nil {
		t.Errorf("Run with a cancelled context = %v, want nil", err)
	}
}

// TestWatchBeforeTheFirstBuild runs the first build between Watch and
// Run, as serve does: a file written after the build's scan must still be
// published (its event waits in the queue), by a rebuild that reads that
// one file; no catching-up rebuild rescans the whole directory first.
func TestWatchBeforeTheFirstBuild(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	cfg := config.Default()
	cfg.Articles.Dir = t.TempDir()
	cfg.State.File = filepath.Join(t.TempDir(), "state.json")
	writeFile(t, filepath.Join(cfg.Articles.Dir, "a.txt"), text("A"))
	p, err := publish.New(cfg, publish.Options{RacyWindow: -1})
	must(t, err)
	defer p.Wait()
	results := make(chan publish.Result, 10)
	w, err := watch.Watch(watch.Options{Publisher: p, OnRebuild: func(res publish.Result, err error) {
		must(t, err)
		results <- res
	}})
	must(t, err)
	if _, err := p.Rebuild(); err != nil {
		w.Close()
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(cfg.Articles.Dir, "b.txt"), text("B"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	first := <-results
	cancel()
	must(t, <-done)
	if first.Reason != "change" || first.Articles != 2 || first.Scan.Read != 1 {
		t.Errorf("first rebuild after Run: reason %q, %d articles, %d files read; want a change that reads b.txt alone and publishes 2",
			first.Reason, first.Articles, first.Scan.Read)
	}
}
