package watch_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/feedpub/feedpub/internal/config"
)

// TestStress makes thousands of random changes across subdirectories while
// clients fetch every feed with conditional GETs. Every response must be
// 200 or 304 and every 200 a complete feed; afterwards every feed must list
// exactly the directory's articles.
func TestStress(t *testing.T) {
	ops, clients := 2000, 4
	if testing.Short() {
		ops = 300
	}
	s := newSite(t, siteOptions{
		// Longer than a timestamp tick on Linux, so no same-size rewrite
		// within one tick goes unseen, but short enough that each rebuild
		// does not re-read every file written in the last two seconds.
		racyWindow: 100 * time.Millisecond,
		configure: func(c *config.Config) {
			// Short periods, so that many rebuilds overlap the changes.
			c.Articles.Debounce.Duration = 20 * time.Millisecond
			c.Articles.MaxWait.Duration = 100 * time.Millisecond
		}})
	srv := s.serve()
	mark := s.mark()

	ctx, stopClients := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var requests, fulls atomic.Int64
	for i := range clients {
		wg.Go(func() {
			c := &feedClient{t: t, client: srv.Client(), base: srv.URL, etags: map[string]string{}}
			for n := i; ctx.Err() == nil; n++ {
				if c.fetch(ctx, []string{"/rss.xml", "/atom.xml", "/feed.json"}[n%3]) {
					fulls.Add(1)
				}
				requests.Add(1)
				time.Sleep(time.Millisecond) // leave the two cores some room for rebuilds
			}
		})
	}

	w := &writer{t: t, s: s, rng: rand.New(rand.NewPCG(2026, 11))}
	start := time.Now()
	for i := range ops {
		w.step()
		if i%10 == 0 {
			time.Sleep(time.Millisecond) // let rebuilds interleave with the changes
		}
	}
	writing := time.Since(start)

	want := dirTitles(t, s.dir)
	s.waitFor(fmt.Sprintf("the feed to list the directory's %d articles", len(want)), func() bool {
		return slices.Equal(snapshotTitles(t, s), want)
	})
	stopClients()
	wg.Wait()

	for _, p := range []string{"/rss.xml", "/atom.xml", "/feed.json"} {
		f := fetchFeed(t, srv.Client(), srv.URL+p)
		items := feedArticles(t, f)
		got := make([]string, 0, len(items))
		for _, title := range items {
			got = append(got, title)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s lists %d articles, the directory has %d:\n got %q\nwant %q", p, len(got), len(want), got, want)
		}
	}
	t.Logf("%d changes in %v (%d files left); %d rebuilds; %d requests, %d full feeds",
		ops, writing, len(want), len(s.rebuildsSince(mark)), requests.Load(), fulls.Load())
	if fulls.Load() == 0 {
		t.Error("no feed was fetched in full")
	}
	// A file or directory removed while a scan runs is not a problem with
	// the articles; only files that stay unreadable are.
	if log := s.logs.String(); strings.Contains(log, "cannot read") {
		t.Errorf("files removed during a scan reported as unreadable:\n%s", log)
	}
}

// snapshotTitles returns the sorted item titles of the JSON feed being
// served.
func snapshotTitles(t *testing.T, s *testSite) []string {
	doc := s.pub.Snapshot().Lookup("/feed.json")
	if doc == nil {
		t.Fatal("no /feed.json in the snapshot")
	}
	f, err := gofeed.NewParser().Parse(bytes.NewReader(doc.Body))
	if err != nil {
		t.Fatalf("parsing the served /feed.json: %v", err)
	}
	titles := make([]string, len(f.Items))
	for i, it := range f.Items {
		titles[i] = it.Title
	}
	slices.Sort(titles)
	return titles
}

// feedClient fetches feeds as a feed reader does, remembering ETags.
type feedClient struct {
	t      *testing.T
	client *http.Client
	base   string
	etags  map[string]string
}

// fetch makes one conditional GET and reports whether a full feed came
// back. It fails the test (without stopping it) on anything but 200 with
// a feed that parses, or 304.
func (c *feedClient) fetch(ctx context.Context, p string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+p, nil)
	if err != nil {
		c.t.Error(err)
		return false
	}
	if tag := c.etags[p]; tag != "" {
		req.Header.Set("If-None-Match", tag)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			c.t.Errorf("GET %s: %v", p, err)
		}
		return false
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		if ctx.Err() == nil {
			c.t.Errorf("GET %s: reading: %v", p, err)
		}
		return false
	}
	switch resp.StatusCode {
	case http.StatusNotModified:
		return false
	case http.StatusOK:
		if _, err := gofeed.NewParser().Parse(bytes.NewReader(body)); err != nil {
			c.t.Errorf("GET %s: 200 with a feed that does not parse: %v", p, err)
		}
		c.etags[p] = resp.Header.Get("ETag")
		return true
	default:
		c.t.Errorf("GET %s: status %d", p, resp.StatusCode)
		return false
	}
}

// writer makes random changes to a site's articles: creates, edits,
// atomic saves, renames and moves, deletes, and now and then a directory
// removed whole or moved. Every title it writes is new, so the published
// titles say which version of which file is served.
type writer struct {
	t     *testing.T
	s     *testSite
	rng   *rand.Rand
	files []string // relative paths of the article files
	next  int      // counter for titles and names
}

var stressDirs = []string{"", "d0", "d1", "d2", "d1/x", "d2/x/y"}

func (w *writer) fresh() (string, string) {
	w.next++
	return fmt.Sprintf("Stress %d", w.next), fmt.Sprintf("%s/f%d.txt", stressDirs[w.rng.IntN(len(stressDirs))], w.next)
}

func (w *writer) pick() (int, string) {
	i := w.rng.IntN(len(w.files))
	return i, w.files[i]
}

func (w *writer) step() {
	title, rel := w.fresh()
	rel = strings.TrimPrefix(rel, "/")
	n := w.rng.IntN(100)
	switch {
	case n < 30 || len(w.files) < 10:
		w.s.write(rel, text(title))
		w.files = append(w.files, rel)
	case n < 62:
		_, old := w.pick()
		w.s.write(old, text(title))
	case n < 70:
		_, old := w.pick()
		replaceFile(w.t, w.s.path(old), text(title))
	case n < 85:
		i, old := w.pick()
		must(w.t, os.MkdirAll(filepath.Dir(w.s.path(rel)), 0o755))
		must(w.t, os.Rename(w.s.path(old), w.s.path(rel)))
		w.files[i] = rel
	case n < 98:
		i, old := w.pick()
		must(w.t, os.Remove(w.s.path(old)))
		w.files = slices.Delete(w.files, i, i+1)
	case n == 98:
		w.removeDir([]string{"d1/x", "d2/x/y"}[w.rng.IntN(2)])
	default:
		w.moveDir(fmt.Sprintf("d%d", w.rng.IntN(3)), fmt.Sprintf("d%d", w.rng.IntN(3)), fmt.Sprintf("moved%d", w.next))
	}
}

// removeDir is rm -rf of a directory in the tree.
func (w *writer) removeDir(dir string) {
	must(w.t, os.RemoveAll(w.s.path(dir)))
	w.files = slices.DeleteFunc(w.files, func(f string) bool { return strings.HasPrefix(f, dir+"/") })
}

// moveDir moves directory from into parent under the name name.
func (w *writer) moveDir(from, parent, name string) {
	if _, err := os.Stat(w.s.path(from)); err != nil || from == parent {
		return
	}
	to := path.Join(parent, name)
	must(w.t, os.MkdirAll(w.s.path(parent), 0o755))
	must(w.t, os.Rename(w.s.path(from), w.s.path(to)))
	for i, f := range w.files {
		if rest, ok := strings.CutPrefix(f, from+"/"); ok {
			w.files[i] = to + "/" + rest
		}
	}
}
