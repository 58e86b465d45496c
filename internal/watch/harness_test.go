package watch_test

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"go.uber.org/goleak"

	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/publish"
	"github.com/feedpub/feedpub/internal/server"
	"github.com/feedpub/feedpub/internal/syncbuf"
	"github.com/feedpub/feedpub/internal/watch"
)

// convergeTimeout bounds every wait for the watcher to catch up. It is a
// deadline for a failing test, not a measure of speed: a passing test
// returns as soon as the condition holds.
const convergeTimeout = 30 * time.Second

// siteOptions describe a test site.
type siteOptions struct {
	// files are written before the watcher starts: path → content.
	files map[string]string
	// configure adjusts the config (built from config.Default, or loaded
	// from configTOML) before the Publisher is made.
	configure func(*config.Config)
	// configTOML, if set, is written to config.toml and watched, and the
	// config is loaded from it.
	configTOML string
	// clock, if set, drives the watcher's timers and the Publisher's now.
	clock *fakeClock
	// reload is passed to watch.Options.Reload.
	reload <-chan struct{}
	// racyWindow is passed to publish.Options.RacyWindow.
	racyWindow time.Duration
	// articlesDir is the articles directory relative to the site's root;
	// "" means "articles".
	articlesDir string
}

// testSite is an articles directory served by a Publisher that a running
// watcher keeps up to date.
type testSite struct {
	t          *testing.T
	root       string // holds the articles directory, config and state
	dir        string // the articles directory
	configPath string
	cfg        config.Config
	pub        *publish.Publisher
	clock      *fakeClock
	logs       *syncbuf.Buffer

	mu      sync.Mutex
	results []rebuild
	hook    func(publish.Result, error)
	notify  chan struct{} // receives a value after each rebuild

	stop func() error // cancels Run and returns its error
}

// rebuild is one call of watch.Options.OnRebuild.
type rebuild struct {
	res publish.Result
	err error
}

// newSite starts a site and waits until the watcher is watching. Its
// cleanup stops the watcher and checks that every goroutine it started is
// gone.
func newSite(t *testing.T, opts siteOptions) *testSite {
	t.Helper()
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })

	root := t.TempDir()
	if opts.articlesDir == "" {
		opts.articlesDir = "articles"
	}
	s := &testSite{t: t, root: root, dir: filepath.Join(root, filepath.FromSlash(opts.articlesDir)), clock: opts.clock,
		logs: &syncbuf.Buffer{}, notify: make(chan struct{}, 1)}
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range opts.files {
		s.write(name, content)
	}
	s.cfg = s.loadConfig(opts)
	logger := slog.New(slog.NewTextHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	popts := publish.Options{Logger: logger, RacyWindow: opts.racyWindow}
	wopts := watch.Options{Reload: opts.reload, Logger: logger, OnRebuild: s.onRebuild}
	if opts.clock != nil {
		popts.Now = opts.clock.Now
		wopts.Clock = opts.clock
	}
	if opts.configTOML != "" {
		wopts.ConfigPath = s.configPath
		wopts.LoadConfig = func() (config.Config, error) {
			cfg, err := config.Load(s.configPath)
			if err == nil && opts.configure != nil {
				opts.configure(&cfg)
			}
			return cfg, err
		}
	}
	pub, err := publish.New(s.cfg, popts)
	if err != nil {
		t.Fatal(err)
	}
	s.pub = pub
	wopts.Publisher = pub
	// As serve does: the first build, then the watcher.
	if _, err := pub.Rebuild(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- watch.Run(ctx, wopts) }()
	var once sync.Once
	var runErr error
	s.stop = func() error {
		once.Do(func() { cancel(); runErr = <-done })
		return runErr
	}
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Errorf("watch.Run = %v, want nil", err)
		}
		pub.Wait() // its background compression and state saving
		if t.Failed() {
			t.Logf("log:\n%s", s.logs.String())
		}
	})
	s.waitResult(0, "the watcher to start", func(r rebuild) bool { return r.res.Reason == "watching" })
	return s
}

func (s *testSite) loadConfig(opts siteOptions) config.Config {
	s.t.Helper()
	if opts.configTOML != "" {
		s.configPath = filepath.Join(s.root, "config.toml")
		writeFile(s.t, s.configPath, opts.configTOML)
		cfg, err := config.Load(s.configPath)
		if err != nil {
			s.t.Fatal(err)
		}
		if opts.configure != nil {
			opts.configure(&cfg)
		}
		return cfg
	}
	cfg := config.Default()
	cfg.Articles.Dir = s.dir
	cfg.State.File = filepath.Join(s.root, "state", "state.json")
	cfg.Feeds.Limit = 0
	if opts.configure != nil {
		opts.configure(&cfg)
	}
	return cfg
}

func (s *testSite) onRebuild(res publish.Result, err error) {
	s.mu.Lock()
	hook := s.hook
	s.mu.Unlock()
	if hook != nil {
		hook(res, err)
	}
	s.mu.Lock()
	s.results = append(s.results, rebuild{res, err})
	s.mu.Unlock()
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// setHook makes f run at the start of every OnRebuild call, in the
// watcher's goroutine; a test blocks rebuilds by blocking in f.
func (s *testSite) setHook(f func(publish.Result, error)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hook = f
}

// mark returns the number of rebuilds so far, to wait for later ones.
func (s *testSite) mark() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.results)
}

// rebuildsSince returns the rebuilds after mark.
func (s *testSite) rebuildsSince(mark int) []rebuild {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.results[mark:])
}

// waitFor waits until cond holds, checking it after every rebuild (and
// every 50ms, for conditions that do not follow a rebuild).
func (s *testSite) waitFor(what string, cond func() bool) {
	s.t.Helper()
	deadline := time.NewTimer(convergeTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-s.notify:
		case <-tick.C:
		case <-deadline.C:
			s.t.Fatalf("gave up waiting for %s after %v", what, convergeTimeout)
		}
	}
}

// waitResult waits for a rebuild after mark for which match is true and
// returns it.
func (s *testSite) waitResult(mark int, what string, match func(rebuild) bool) rebuild {
	s.t.Helper()
	var found rebuild
	s.waitFor(what, func() bool {
		for _, r := range s.rebuildsSince(mark) {
			if match(r) {
				found = r
				return true
			}
		}
		return false
	})
	return found
}

func (s *testSite) now() time.Time {
	if s.clock != nil {
		return s.clock.Now()
	}
	return time.Now()
}

// published returns the published articles: id → title.
func (s *testSite) published() map[string]string {
	lib := s.pub.Library()
	if lib == nil {
		return nil
	}
	out := map[string]string{}
	for _, a := range lib.Published(s.now()) {
		out[a.ID] = a.Title
	}
	return out
}

// converge waits until exactly want (id → title) is published.
func (s *testSite) converge(want map[string]string) {
	s.t.Helper()
	var got map[string]string
	s.waitFor(fmt.Sprintf("published articles %v", want), func() bool {
		got = s.published()
		return maps.Equal(got, want)
	})
}

// path returns the absolute path of a file in the articles directory.
func (s *testSite) path(rel string) string {
	return filepath.Join(s.dir, filepath.FromSlash(rel))
}

// write writes a file in the articles directory, making its directories.
func (s *testSite) write(rel, content string) {
	s.t.Helper()
	writeFile(s.t, s.path(rel), content)
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// replaceFile writes content to a temporary file beside path and renames it
// over path, as editors and config tools save.
func replaceFile(t testing.TB, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	writeFile(t, tmp, content)
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// text returns an article in the house format.
func text(title string) string {
	return "Title: " + title + "\n\nThe body of " + title + ".\n"
}

// dirTitles reads the titles of the article files in dir, as a sorted list.
func dirTitles(t testing.TB, dir string) []string {
	t.Helper()
	var titles []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path != dir && article.Ignored(d.Name()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !article.IsArticleFile(path) {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		first, _, _ := strings.Cut(string(data), "\n")
		titles = append(titles, strings.TrimPrefix(first, "Title: "))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(titles)
	return titles
}

// serve serves the site over HTTP until the test ends.
func (s *testSite) serve() *httptest.Server {
	srv := httptest.NewServer(server.New(s.pub, server.Options{}))
	s.t.Cleanup(srv.Close)
	return srv
}

// get fetches url and returns the status and body.
func get(t testing.TB, client *http.Client, url string) (int, []byte) {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b.Bytes()
}

// fetchFeed fetches and parses the feed at url.
func fetchFeed(t testing.TB, client *http.Client, url string) *gofeed.Feed {
	t.Helper()
	status, body := get(t, client, url)
	if status != http.StatusOK {
		t.Fatalf("GET %s: status %d", url, status)
	}
	f, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parsing %s: %v", url, err)
	}
	return f
}

// feedArticles returns a feed's items as article id → title. Item ids are
// tag URIs ending in "articles/" and the escaped article id.
func feedArticles(t testing.TB, f *gofeed.Feed) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, it := range f.Items {
		_, escaped, ok := strings.Cut(it.GUID, ":articles/")
		if !ok {
			t.Fatalf("item %q has id %q, not a tag URI of an article", it.Title, it.GUID)
		}
		id, err := url.PathUnescape(escaped)
		if err != nil {
			t.Fatalf("item id %q: %v", it.GUID, err)
		}
		if _, dup := out[id]; dup {
			t.Errorf("feed has two items with id %q", id)
		}
		out[id] = it.Title
	}
	return out
}
