package publish_test

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/publish"
	"github.com/feedpub/feedpub/internal/site"
	"github.com/feedpub/feedpub/internal/state"
	"github.com/feedpub/feedpub/internal/syncbuf"
)

func writeArticle(t *testing.T, dir, name, title string) {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("Title: "+title+"\nDate: 2024-01-02\n\nBody of "+title+".\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func newPublisher(t *testing.T, opts publish.Options) (*publish.Publisher, config.Config) {
	t.Helper()
	root := t.TempDir()
	cfg := config.Default()
	cfg.Articles.Dir = filepath.Join(root, "articles")
	cfg.State.File = filepath.Join(root, "state", "state.json")
	writeArticle(t, cfg.Articles.Dir, "a.txt", "A")
	writeArticle(t, cfg.Articles.Dir, "sub/b.txt", "B")
	opts.RacyWindow = -1
	p, err := publish.New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Wait)
	return p, cfg
}

func rebuild(t *testing.T, do func() (publish.Result, error)) publish.Result {
	t.Helper()
	res, err := do()
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestRebuildSwapsOnlyChangedContent checks the generation moves only when
// the served bytes change, and that the background work completes: every
// compressible document gets its gzip variant and the state is saved.
func TestRebuildSwapsOnlyChangedContent(t *testing.T) {
	var swaps []*site.Snapshot
	var mu sync.Mutex
	p, cfg := newPublisher(t, publish.Options{OnSwap: func(s *site.Snapshot, _ config.Config) {
		mu.Lock()
		defer mu.Unlock()
		swaps = append(swaps, s)
	}})
	if p.Snapshot() != nil {
		t.Fatal("a snapshot exists before the first rebuild")
	}
	first := rebuild(t, p.Rebuild)
	if !first.Swapped || first.Generation != 1 || first.Articles != 2 || first.Scan.Read != 2 {
		t.Errorf("first rebuild = %+v, want generation 1 swapped, 2 articles read", first)
	}
	again := rebuild(t, p.Rebuild)
	if again.Swapped || again.Generation != 1 || again.Scan.Read != 0 {
		t.Errorf("unchanged rebuild = %+v, want no swap, generation 1, nothing read", again)
	}
	writeArticle(t, cfg.Articles.Dir, "c.txt", "C")
	changed := rebuild(t, func() (publish.Result, error) {
		return p.RebuildChanged([]string{filepath.Join(cfg.Articles.Dir, "c.txt")})
	})
	if !changed.Swapped || changed.Generation != 2 || changed.Articles != 3 || changed.Scan.Read != 1 {
		t.Errorf("rebuild after a new file = %+v, want generation 2, 3 articles, 1 read", changed)
	}
	if len(swaps) != 2 {
		t.Errorf("OnSwap called %d times, want 2", len(swaps))
	}

	p.Wait()
	rss := p.Snapshot().Lookup("/rss.xml")
	if rss.Gzip() == nil {
		t.Error("after Wait the feed has no gzip variant")
	}
	st, err := state.Load(cfg.State.File)
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := st.Article("c.txt"); !ok || a.ID != "c" {
		t.Errorf("saved state has %+v, %v for c.txt; want id c", a, ok)
	}
}

// TestFailedRebuildKeepsServing removes the articles directory: the
// rebuild fails and the last snapshot stays served.
func TestFailedRebuildKeepsServing(t *testing.T) {
	p, cfg := newPublisher(t, publish.Options{})
	rebuild(t, p.Rebuild)
	before := p.Snapshot()
	if err := os.RemoveAll(cfg.Articles.Dir); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Rebuild(); err == nil || !strings.Contains(err.Error(), "articles") {
		t.Errorf("Rebuild without the directory = %v, want an error naming it", err)
	}
	if p.Snapshot() != before {
		t.Error("a failed rebuild replaced the served snapshot")
	}
}

// TestReconfigureRereadsEverything switches the site title: the next
// rebuild reads every file again and the feeds carry the new title.
func TestReconfigureRereadsEverything(t *testing.T) {
	p, cfg := newPublisher(t, publish.Options{})
	rebuild(t, p.Rebuild)
	cfg.Site.Title = "Renamed site"
	if err := p.Reconfigure(cfg); err != nil {
		t.Fatal(err)
	}
	res := rebuild(t, p.Rebuild)
	if !res.Swapped || res.Scan.Read != 2 || res.Generation != 2 {
		t.Errorf("rebuild after Reconfigure = %+v, want a swap to generation 2 with 2 files read", res)
	}
	if !strings.Contains(string(p.Snapshot().Lookup("/atom.xml").Body), "Renamed site") {
		t.Error("the feed does not carry the new title")
	}
	if got := p.Config().Site.Title; got != "Renamed site" {
		t.Errorf("Config().Site.Title = %q", got)
	}
}

// Changes in quick succession share a save of the state file, and Wait
// returns only once the last change is saved.
func TestStateSavesAreCoalescedAndWaitedFor(t *testing.T) {
	p, cfg := newPublisher(t, publish.Options{})
	rebuild(t, p.Rebuild)
	for _, name := range []string{"c.txt", "d.txt", "e.txt"} {
		writeArticle(t, cfg.Articles.Dir, name, strings.ToUpper(name[:1]))
		rebuild(t, func() (publish.Result, error) {
			return p.RebuildChanged([]string{filepath.Join(cfg.Articles.Dir, name)})
		})
	}
	p.Wait()
	st, err := state.Load(cfg.State.File)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"a.txt", "sub/b.txt", "c.txt", "d.txt", "e.txt"} {
		if _, ok := st.Article(path); !ok {
			t.Errorf("after Wait the state file has no id for %s", path)
		}
	}
}

// TestStartDoneIsLoggedOnce holds that a resident publisher says once
// when its start's background work is over, which is when the feeds have
// their gzip variants; later rebuilds do not say it again.
func TestStartDoneIsLoggedOnce(t *testing.T) {
	var logs syncbuf.Buffer
	p, cfg := newPublisher(t, publish.Options{Resident: true, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	const done = `msg="start done: every document compressed and saved"`
	rebuild(t, p.Rebuild)
	p.Wait()
	if n := strings.Count(logs.String(), done); n != 1 {
		t.Fatalf("after the start the log holds %d lines %s; want 1:\n%s", n, done, logs.String())
	}
	if d := p.Snapshot().Lookup("/rss.xml"); d.Gzip() == nil {
		t.Errorf("start done, but /rss.xml has no gzip variant")
	}
	writeArticle(t, cfg.Articles.Dir, "c.txt", "C")
	rebuild(t, p.Rebuild)
	p.Wait()
	if n := strings.Count(logs.String(), done); n != 1 {
		t.Errorf("after a later rebuild the log holds %d lines %s; want 1", n, done)
	}
}

// TestChangesHandMemoryBackWhenQuiet holds that a resident publisher
// hands back the memory its changes freed once it has been quiet for
// SettleAfter, and does not for its start alone (which hands its own
// back) nor again while nothing changes.
func TestChangesHandMemoryBackWhenQuiet(t *testing.T) {
	var logs syncbuf.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	const settle = 30 * time.Millisecond
	p, cfg := newPublisher(t, publish.Options{Resident: true, Logger: logger, SettleAfter: settle})
	const handed = `msg="memory freed by the changes handed back"`
	count := func() int { return strings.Count(logs.String(), handed) }
	rebuild(t, p.Rebuild)
	time.Sleep(3 * settle)
	if n := count(); n != 0 {
		t.Fatalf("after the start alone: %d settles; want none", n)
	}
	writeArticle(t, cfg.Articles.Dir, "later.txt", "Later")
	rebuild(t, p.Rebuild)
	deadline := time.Now().Add(10 * time.Second)
	for count() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	n := count()
	if n == 0 {
		t.Fatal("a change and a quiet while later, no settle")
	}
	time.Sleep(3 * settle)
	if again := count(); again != n {
		t.Errorf("with nothing changed, %d more settles; want none", again-n)
	}
}

// TestKeepBodiesAndSkipGzip holds that a publisher told to keep bodies
// (a build, which renders every page once) keeps each article's body
// from its one read, where another, as serve's, leaves them on disk; and
// that with SkipGzip its snapshots have no gzip variants, which the
// caller makes when it wants them.
func TestKeepBodiesAndSkipGzip(t *testing.T) {
	for _, oneShot := range []bool{false, true} {
		p, _ := newPublisher(t, publish.Options{KeepBodies: oneShot, SkipGzip: oneShot})
		rebuild(t, p.Rebuild)
		p.Wait()
		for _, a := range p.Library().Articles {
			if a.BodyOnDisk == oneShot {
				t.Errorf("KeepBodies %v: %s has its body on disk: %v", oneShot, a.Path, a.BodyOnDisk)
			}
		}
		if rss := p.Snapshot().Lookup("/rss.xml"); (rss.Gzip() == nil) != oneShot {
			t.Errorf("SkipGzip %v: the feed has a gzip variant: %v", oneShot, rss.Gzip() != nil)
		}
	}
}
