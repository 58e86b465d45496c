package watch_test

import (
	"maps"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/publish"
	"github.com/feedpub/feedpub/internal/server"
	"github.com/feedpub/feedpub/internal/state"
)

// TestIdentitySurvivesRestart renames an article while the watcher runs,
// stops it, and starts a new Publisher on the same state file: the feed
// items keep their ids and undated articles keep their first-seen dates.
func TestIdentitySurvivesRestart(t *testing.T) {
	firstRun := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := newFakeClock(firstRun)
	s := newSite(t, siteOptions{files: baseFiles, clock: clock})
	firstSeen := map[string]time.Time{}
	for _, a := range s.pub.Library().Articles {
		firstSeen[a.ID] = a.Published
	}
	must(t, os.Rename(s.path("a.txt"), s.path("sub/renamed.txt")))
	s.waitFor("the rename", func() bool {
		clock.Advance(s.cfg.Articles.Debounce.Duration) // the debounce runs on the fake clock
		return s.articlePath("a") == "sub/renamed.txt"
	})
	must(t, s.stop())
	s.pub.Wait() // the state is saved in the background after each swap

	later := func() time.Time { return firstRun.Add(48 * time.Hour) }
	p, err := publish.New(s.cfg, publish.Options{Now: later})
	must(t, err)
	t.Cleanup(p.Wait)
	if _, err := p.Rebuild(); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(p, server.Options{}))
	defer srv.Close()
	if got := feedArticles(t, fetchFeed(t, srv.Client(), srv.URL+"/atom.xml")); !maps.Equal(got, basePublished) {
		t.Errorf("after restart the feed has %v, want %v", got, basePublished)
	}
	for _, a := range p.Library().Articles {
		if want := firstSeen[a.ID]; !a.Published.Equal(want) {
			t.Errorf("%s published %v after restart, want when first seen, %v", a.Path, a.Published, want)
		}
	}
}

// TestCorruptStateFile starts on a corrupt state file: it is reported as
// a warning, the site is published anyway, and the file is rewritten.
func TestCorruptStateFile(t *testing.T) {
	root := t.TempDir()
	stateFile := filepath.Join(root, "state", "state.json")
	writeFile(t, stateFile, "{ not json")
	s := newSite(t, siteOptions{files: baseFiles, configure: func(c *config.Config) { c.State.File = stateFile }})
	s.converge(basePublished)
	if log := s.logs.String(); !strings.Contains(log, "level=WARN") || !strings.Contains(log, "state file unusable") {
		t.Errorf("no warning about the state file; log:\n%s", log)
	}
	s.pub.Wait() // the state is saved in the background after a swap
	st, err := state.Load(stateFile)
	if err != nil {
		t.Fatalf("state file not rewritten: %v", err)
	}
	if a, ok := st.Article("a.txt"); !ok || a.ID != "a" {
		t.Errorf("rewritten state has %+v, %v for a.txt, want id a", a, ok)
	}
}
