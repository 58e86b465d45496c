package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/library"
	"github.com/feedpub/feedpub/internal/progress"
	"github.com/feedpub/feedpub/internal/publish"
	"github.com/feedpub/feedpub/internal/server"
	"github.com/feedpub/feedpub/internal/site"
	"github.com/feedpub/feedpub/internal/testcorpus"
)

// startingSource has no snapshot yet and is reading its articles.
type startingSource struct{ tracker *progress.Tracker }

func (startingSource) Snapshot() *site.Snapshot    { return nil }
func (s startingSource) Progress() progress.Status { return s.tracker.Status() }

// TestStartingAnswers holds what a server bound before its first build
// answers: /healthz 503 with the progress, every other path 503 with
// Retry-After, so that load balancers and readers wait.
func TestStartingAnswers(t *testing.T) {
	tracker := &progress.Tracker{}
	tracker.Begin("reading articles", 10000)
	tracker.Add(2500)
	srv := httptest.NewServer(server.New(startingSource{tracker}, server.Options{}))
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var health struct {
		Status   string
		Progress progress.Status
	}
	err = json.NewDecoder(resp.Body).Decode(&health)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	want := progress.Status{Phase: "reading articles", Done: 2500, Total: 10000}
	if resp.StatusCode != http.StatusServiceUnavailable || health.Status != "starting" || health.Progress != want {
		t.Errorf("/healthz while starting = %d %+v, want 503 starting %+v", resp.StatusCode, health, want)
	}
	for _, path := range []string{"/", "/rss.xml", "/articles/x/"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" {
			t.Errorf("%s while starting = %d, Retry-After %q; want 503 and 1", path, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}
}

// earlySource serves a first start's early snapshot: feeds and index,
// pages still rendering.
type earlySource struct {
	snap    *site.Snapshot
	tracker *progress.Tracker
}

func (s earlySource) Snapshot() *site.Snapshot  { return s.snap }
func (s earlySource) Progress() progress.Status { return s.tracker.Status() }

// TestRenderingAnswers holds what a server answers while a first start
// renders its pages after serving its feeds: the feeds 200; a page not
// yet rendered 503 with Retry-After, with or without its trailing slash,
// as nothing is rendered on a request; a path no document will have 404;
// /healthz 200, not complete, with the progress.
func TestRenderingAnswers(t *testing.T) {
	cfg := siteConfig(t, t.TempDir(), "")
	if err := testcorpus.Write(cfg.Articles.Dir, testcorpus.Generate(30, 42)); err != nil {
		t.Fatal(err)
	}
	lib, _, err := library.NewScanner(publish.LibraryOptions(cfg)).Scan()
	if err != nil {
		t.Fatal(err)
	}
	b, err := site.NewBuilder(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	var early *site.Snapshot
	final, _, err := b.BuildFeedsFirst(lib, time.Now(), func(s *site.Snapshot) { early = s })
	if err != nil {
		t.Fatal(err)
	}
	tracker := &progress.Tracker{}
	tracker.Begin("rendering article pages", 30)
	tracker.Add(7)
	srv := httptest.NewServer(server.New(earlySource{early, tracker}, server.Options{}))
	defer srv.Close()

	var article string
	for _, p := range final.Paths() {
		if strings.HasPrefix(p, "/articles/") {
			article = p
			break
		}
	}
	for path, want := range map[string]int{
		"/rss.xml": 200, "/": 200, "/style.css": 200,
		article: 503, strings.TrimSuffix(article, "/"): 503, "/tags/": 503, "/archive/1/rss.xml": 503,
		"/articles/no-such-article/": 404,
	} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want || (want == 503) != (resp.Header.Get("Retry-After") == "1") {
			t.Errorf("%s while rendering = %d, Retry-After %q; want %d", path, resp.StatusCode, resp.Header.Get("Retry-After"), want)
		}
	}

	resp, err := http.Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var health struct {
		Status   string
		Complete bool
		Progress *progress.Status
	}
	err = json.NewDecoder(resp.Body).Decode(&health)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	want := progress.Status{Phase: "rendering article pages", Done: 7, Total: 30}
	if resp.StatusCode != 200 || health.Status != "ok" || health.Complete || health.Progress == nil || *health.Progress != want {
		t.Errorf("/healthz while rendering = %d %+v, want 200 ok, not complete, progress %+v", resp.StatusCode, health, want)
	}
}
