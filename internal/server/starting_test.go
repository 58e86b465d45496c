package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/feedpub/feedpub/internal/progress"
	"github.com/feedpub/feedpub/internal/server"
	"github.com/feedpub/feedpub/internal/site"
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
