package websub

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/publish"
	"github.com/feedpub/feedpub/internal/server"
	"github.com/feedpub/feedpub/internal/site"
)

// patience bounds every wait: a guard against a hang, never a measure.
const patience = 30 * time.Second

// ping is one publish request a hub received.
type ping struct {
	mode, topic, url string
}

// standIn is a WebSub hub for tests: it records every publish request,
// answers with the status its answer function gives and then, like a
// real hub, fetches the topic and reports what it found, if fetched is
// not nil.
type standIn struct {
	*httptest.Server
	answer  func(n int, p ping) int // status for the n-th ping (from 1)
	pings   chan ping
	fetched chan fetched

	mu sync.Mutex
	n  int
}

// fetched is a topic as the hub fetched it.
type fetched struct {
	topic string
	body  []byte
	feed  *gofeed.Feed // nil if it did not parse
}

func newStandIn(t *testing.T, answer func(n int, p ping) int) *standIn {
	h := &standIn{answer: answer, pings: make(chan ping, 1000)}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.Method != http.MethodPost ||
			r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			t.Errorf("hub got %s %v, form error %v", r.Method, r.Header, err)
		}
		p := ping{mode: r.PostForm.Get("hub.mode"), topic: r.PostForm.Get("hub.topic"), url: r.PostForm.Get("hub.url")}
		h.mu.Lock()
		h.n++
		n := h.n
		h.mu.Unlock()
		h.pings <- p
		status := h.answer(n, p)
		w.WriteHeader(status)
		if status/100 == 2 && h.fetched != nil {
			go h.fetch(t, p.topic)
		}
	}))
	t.Cleanup(h.Close)
	return h
}

// fetch gets the topic as a hub does before distributing it.
func (h *standIn) fetch(t *testing.T, topic string) {
	got := fetched{topic: topic}
	defer func() { h.fetched <- got }()
	resp, err := http.Get(topic)
	if err != nil {
		t.Errorf("hub fetching %s: %v", topic, err)
		return
	}
	defer resp.Body.Close()
	if got.body, err = io.ReadAll(resp.Body); err != nil {
		t.Errorf("hub fetching %s: %v", topic, err)
		return
	}
	if got.feed, err = gofeed.NewParser().Parse(bytes.NewReader(got.body)); err != nil {
		t.Errorf("hub parsing %s: %v", topic, err)
	}
}

func accept(int, ping) int { return http.StatusAccepted }

// failingFirst returns a hub's answer function that fails the first n
// pings of each topic with 503 and accepts the rest.
func failingFirst(n int) func(int, ping) int {
	var mu sync.Mutex
	tries := map[string]int{}
	return func(_ int, p ping) int {
		mu.Lock()
		defer mu.Unlock()
		tries[p.topic]++
		if tries[p.topic] <= n {
			return http.StatusServiceUnavailable
		}
		return http.StatusNoContent
	}
}

// site is a feedpub site served over HTTP with a Pinger notified of
// every swap.
type testSite struct {
	t      *testing.T
	dir    string
	pub    *publish.Publisher
	pinger *Pinger
	url    string
	// snaps receives each snapshot the pinger has finished queuing.
	snaps chan *site.Snapshot
	// stopped is closed when Run returns.
	stopped chan struct{}
	stop    context.CancelFunc
}

func newTestSite(t *testing.T, hubs []string, opts Options, files map[string]string) *testSite {
	t.Helper()
	s := &testSite{t: t, dir: t.TempDir(), snaps: make(chan *site.Snapshot, 100), stopped: make(chan struct{})}
	for name, text := range files {
		s.write(name, text)
	}
	var handler atomic.Pointer[http.Handler]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		(*handler.Load()).ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	s.url = srv.URL

	cfg := config.Default()
	cfg.Site.BaseURL = srv.URL + "/"
	cfg.Site.TagAuthority = "example.com,2026"
	cfg.Articles.Dir = s.dir
	cfg.State.File = filepath.Join(t.TempDir(), "state.json")
	cfg.WebSub.Hubs = hubs
	s.pinger = New(opts)
	s.pinger.processed = func(snap *site.Snapshot) { s.snaps <- snap }
	pub, err := publish.New(cfg, publish.Options{RacyWindow: -1, OnSwap: func(snap *site.Snapshot, cfg config.Config) {
		s.pinger.Notify(snap, cfg.WebSub.Hubs)
	}})
	if err != nil {
		t.Fatal(err)
	}
	s.pub = pub
	t.Cleanup(pub.Wait) // its background work writes into a temporary directory
	var h http.Handler = server.New(pub, server.Options{})
	handler.Store(&h)

	ctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	go func() {
		defer close(s.stopped)
		if err := s.pinger.Run(ctx); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	t.Cleanup(s.shutdown)
	s.rebuild() // the baseline
	return s
}

// shutdown stops the pinger and waits for Run to return.
func (s *testSite) shutdown() {
	s.stop()
	select {
	case <-s.stopped:
	case <-time.After(patience):
		s.t.Fatal("Run did not return after its context was cancelled")
	}
}

func (s *testSite) write(name, text string) {
	s.t.Helper()
	if err := os.WriteFile(filepath.Join(s.dir, name), []byte(text), 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// rebuild rebuilds and waits until the pinger has queued its changes.
func (s *testSite) rebuild() {
	s.t.Helper()
	res, err := s.pub.Rebuild()
	if err != nil {
		s.t.Fatal(err)
	}
	if !res.Swapped {
		s.t.Fatal("rebuild changed nothing")
	}
	want := s.pub.Snapshot()
	for {
		select {
		case snap := <-s.snaps:
			if snap == want {
				return
			}
		case <-time.After(patience):
			s.t.Fatal("the pinger never took the new snapshot")
		}
	}
}

// waitIdle waits until every hub has nothing pending or in flight.
func (s *testSite) waitIdle() {
	s.t.Helper()
	deadline := time.Now().Add(patience)
	for !s.pinger.idle() {
		if time.Now().After(deadline) {
			s.t.Fatal("the pinger never finished")
		}
		time.Sleep(time.Millisecond)
	}
}

// received drains the pings a hub has got so far.
func received(h *standIn) []ping {
	var got []ping
	for {
		select {
		case p := <-h.pings:
			got = append(got, p)
		default:
			return got
		}
	}
}

func topicsOf(pings []ping) []string {
	var ts []string
	for _, p := range pings {
		ts = append(ts, p.topic)
	}
	slices.Sort(ts)
	return ts
}

func article(title, tags string) string {
	return fmt.Sprintf("Title: %s\nDate: 2024-01-02\nTags: %s\n\nAbout %s.\n", title, tags, title)
}

func TestHubIsToldAndFindsTheNewItem(t *testing.T) {
	hub := newStandIn(t, accept)
	hub.fetched = make(chan fetched, 100)
	s := newTestSite(t, []string{hub.URL + "/hub"}, Options{}, map[string]string{
		"old.txt": strings.Replace(article("Old news", "politics"), "2024-01-02", "2024-01-01", 1),
	})
	if got := received(hub); len(got) != 0 {
		t.Fatalf("the baseline snapshot was pinged: %v", got)
	}
	s.write("new.txt", article("Fresh news", "science"))
	s.rebuild()
	s.waitIdle()

	pings := received(hub)
	want := []string{
		s.url + "/atom.xml", s.url + "/feed.json", s.url + "/rss.xml",
		s.url + "/tags/science/atom.xml", s.url + "/tags/science/feed.json", s.url + "/tags/science/rss.xml",
	}
	// The politics feeds did not change and are not pinged.
	if got := topicsOf(pings); !slices.Equal(got, want) {
		t.Errorf("pinged topics =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, p := range pings {
		if p.mode != "publish" || p.url != p.topic {
			t.Errorf("ping %+v: want hub.mode=publish and hub.url = hub.topic", p)
		}
	}
	for range pings {
		var got fetched
		select {
		case got = <-hub.fetched:
		case <-time.After(patience):
			t.Fatal("the hub never fetched the topic")
		}
		if got.feed == nil {
			continue // reported by fetch
		}
		if items := got.feed.Items; len(items) == 0 || items[0].Title != "Fresh news" {
			t.Errorf("hub fetched %s and found %d items, the first not the new one", got.topic, len(items))
		}
		// The feed names its hub and itself, so subscribers find both.
		if !bytes.Contains(got.body, []byte(hub.URL+"/hub")) || !bytes.Contains(got.body, []byte(got.topic)) {
			t.Errorf("%s does not advertise the hub and itself:\n%.600s", got.topic, got.body)
		}
	}
	// The Link header the server sends names the hub and the topic
	// (WebSub §4).
	if d := s.pub.Snapshot().Lookup("/tags/science/rss.xml"); d.LinkHeader != "<"+hub.URL+`/hub>; rel="hub", <`+s.url+`/tags/science/rss.xml>; rel="self"` {
		t.Errorf("LinkHeader = %q", d.LinkHeader)
	}
}

func TestRetriesFailuresWithBackoff(t *testing.T) {
	// The first two pings of each topic fail, the third gets through.
	hub := newStandIn(t, failingFirst(2))
	logs := &records{}
	s := newTestSite(t, []string{hub.URL}, Options{Backoff: time.Millisecond, MaxBackoff: 4 * time.Millisecond, Logger: slog.New(logs)}, map[string]string{
		"a.txt": article("A", "x"),
	})
	s.write("b.txt", article("B", "x"))
	s.rebuild()
	s.waitIdle()
	pings := received(hub)
	if len(pings) != 3*6 { // 3 attempts × (3 main + 3 tag x feeds)
		t.Errorf("%d pings, want 18: %v", len(pings), topicsOf(pings))
	}
	if n := logs.count("websub: ping failed; retrying"); n != 12 {
		t.Errorf("%d retry log lines, want 12:\n%s", n, logs)
	}
	if line := logs.first("websub: ping failed; retrying"); !strings.Contains(line, "hub="+hub.URL) || !strings.Contains(line, "status=503") {
		t.Errorf("retry log line lacks the hub and the status: %s", line)
	}
	if logs.count("websub: ping failed; giving up") != 0 {
		t.Errorf("gave up:\n%s", logs)
	}
}

func TestGivesUpAfterTheLastAttempt(t *testing.T) {
	hub := newStandIn(t, func(int, ping) int { return http.StatusBadGateway })
	logs := &records{}
	s := newTestSite(t, []string{hub.URL}, Options{Attempts: 3, Backoff: time.Millisecond, Logger: slog.New(logs)}, map[string]string{
		"a.txt": article("A", ""),
	})
	s.write("b.txt", article("B", ""))
	s.rebuild()
	s.waitIdle()
	pings := received(hub)
	want := []string{s.url + "/atom.xml", s.url + "/feed.json", s.url + "/rss.xml"}
	if got := slices.Compact(topicsOf(pings)); len(pings) != 9 || !slices.Equal(got, want) {
		t.Errorf("pings = %v, want 3 attempts for each of %v", topicsOf(pings), want)
	}
	if n := logs.count("websub: ping failed; giving up"); n != 3 {
		t.Errorf("%d give-up log lines, want 3:\n%s", n, logs)
	}
	// A hub that refuses (4xx) is not retried.
	refusing := newStandIn(t, func(int, ping) int { return http.StatusBadRequest })
	s2 := newTestSite(t, []string{refusing.URL}, Options{Backoff: time.Millisecond}, map[string]string{"a.txt": article("A", "")})
	s2.write("b.txt", article("B", ""))
	s2.rebuild()
	s2.waitIdle()
	if n := len(received(refusing)); n != 3 {
		t.Errorf("a refusing hub got %d pings, want 3 (one per topic)", n)
	}
}

func TestBurstsAreCoalesced(t *testing.T) {
	release := make(chan struct{})
	hub := newStandIn(t, func(n int, p ping) int {
		if n == 1 {
			<-release // the first ping hangs while changes pile up
		}
		return http.StatusAccepted
	})
	s := newTestSite(t, []string{hub.URL}, Options{}, map[string]string{"a.txt": article("A", "")})
	s.write("b.txt", article("B", ""))
	s.rebuild()
	first := <-hub.pings // in flight, held
	for i := range 5 {
		s.write(fmt.Sprintf("c%d.txt", i), article(fmt.Sprintf("C%d", i), ""))
		s.rebuild() // never waits for the held ping
	}
	close(release)
	s.waitIdle()
	rest := received(hub)
	// 6 rebuilds changed 3 topics each: the held topic is pinged once
	// more (the hub may have read it before the changes), the other two
	// once each.
	got := topicsOf(append(rest, first))
	want := []string{first.topic}
	for _, p := range []string{"/atom.xml", "/feed.json", "/rss.xml"} {
		want = append(want, s.url+p)
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("pings after a burst of 6 changes =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestShutdownDoesNotWaitForAHungHub(t *testing.T) {
	hung := make(chan struct{})
	hub := newStandIn(t, func(int, ping) int {
		<-hung
		return http.StatusAccepted
	})
	defer close(hung) // let the handler go, so the hub can close
	s := newTestSite(t, []string{hub.URL}, Options{Timeout: time.Hour}, map[string]string{"a.txt": article("A", "")})
	s.write("b.txt", article("B", ""))
	s.rebuild()
	<-hub.pings // a ping is in flight and will never be answered
	s.write("c.txt", article("C", ""))
	s.rebuild() // rebuilds go on
	s.shutdown()
}

// TestAnnounceThenWait holds that the topics a deploy announces are
// pinged in the background, with retries, and that Wait returns once
// every one has got through or been given up, or when its context ends
// first.
func TestAnnounceThenWait(t *testing.T) {
	flaky := newStandIn(t, failingFirst(1))
	refusing := newStandIn(t, func(int, ping) int { return http.StatusForbidden })
	hung := make(chan struct{})
	hanging := newStandIn(t, func(int, ping) int {
		<-hung
		return http.StatusAccepted
	})
	defer close(hung)

	p := New(Options{Backoff: time.Millisecond, MaxBackoff: 4 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		p.Run(ctx)
	}()
	defer func() { cancel(); <-stopped }()

	topics := []string{"https://example.com/rss.xml", "https://example.com/atom.xml"}
	p.Announce([]string{flaky.URL, refusing.URL}, topics)
	wctx, wcancel := context.WithTimeout(context.Background(), patience)
	defer wcancel()
	if err := p.Wait(wctx); err != nil {
		t.Fatalf("Wait = %v, want nil once every ping is done", err)
	}
	want := []string{topics[1], topics[1], topics[0], topics[0]}
	if got := topicsOf(received(flaky)); !slices.Equal(got, want) {
		t.Errorf("the flaky hub got %v, want each topic twice (a failure, then the retry)", got)
	}
	if got := received(refusing); len(got) != 2 {
		t.Errorf("the refusing hub got %v, want each topic once", got)
	}

	p.Announce([]string{hanging.URL}, topics[:1])
	<-hanging.pings
	short, scancel := context.WithCancel(context.Background())
	scancel()
	if err := p.Wait(short); err != context.Canceled {
		t.Errorf("Wait with a ping in flight and a cancelled context = %v, want context.Canceled", err)
	}
}

// records is a slog.Handler that keeps every record as a text line.
type records struct {
	mu    sync.Mutex
	lines []string
}

func (r *records) Enabled(context.Context, slog.Level) bool { return true }
func (r *records) WithAttrs(as []slog.Attr) slog.Handler {
	return &withAttrs{r, as}
}
func (r *records) WithGroup(string) slog.Handler { return r }
func (r *records) Handle(_ context.Context, rec slog.Record) error {
	return r.handle(rec, nil)
}

func (r *records) handle(rec slog.Record, extra []slog.Attr) error {
	var b bytes.Buffer
	b.WriteString(rec.Message)
	for _, a := range extra {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
	}
	rec.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	})
	r.mu.Lock()
	r.lines = append(r.lines, b.String())
	r.mu.Unlock()
	return nil
}

func (r *records) count(msg string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, l := range r.lines {
		if strings.HasPrefix(l, msg+" ") {
			n++
		}
	}
	return n
}

func (r *records) first(msg string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range r.lines {
		if strings.HasPrefix(l, msg+" ") {
			return l
		}
	}
	return ""
}

func (r *records) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.lines, "\n")
}

// withAttrs is records with attributes from Logger.With.
type withAttrs struct {
	*records
	attrs []slog.Attr
}

func (w *withAttrs) Handle(_ context.Context, rec slog.Record) error {
	return w.records.handle(rec, w.attrs)
}
func (w *withAttrs) WithAttrs(as []slog.Attr) slog.Handler {
	return &withAttrs{w.records, append(slices.Clone(w.attrs), as...)}
}
