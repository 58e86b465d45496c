package site_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/feed/feedtest"
	"github.com/feedpub/feedpub/internal/library"
	"github.com/feedpub/feedpub/internal/site"
	"github.com/feedpub/feedpub/internal/state"
)

// rebuilder scans and builds one site again and again, as the server
// does, so tests see what an incremental rebuild reuses.
type rebuilder struct {
	t  *testing.T
	sc *library.Scanner
	b  *site.Builder
}

func newRebuilder(t *testing.T, cfg config.Config) *rebuilder {
	t.Helper()
	st := state.New()
	b, err := site.NewBuilder(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	// RacyWindow -1 trusts every read: the files were written just now.
	return &rebuilder{t: t, sc: library.NewScanner(library.Options{Dir: cfg.Articles.Dir, State: st, RacyWindow: -1}), b: b}
}

func (r *rebuilder) build() (*site.Snapshot, site.BuildStats) {
	r.t.Helper()
	lib, _, err := r.sc.Scan()
	if err != nil {
		r.t.Fatal(err)
	}
	snap, stats, err := r.b.Build(lib, now)
	if err != nil {
		r.t.Fatal(err)
	}
	return snap, stats
}

// tagCorpus has tags in several scripts, tags that differ only in case,
// in spelling, and in the characters URLs treat specially.
var tagCorpus = map[string]string{
	"a.txt": "Title: A\nDate: 2024-01-01\nTags: Go, c++, 日本, Machine Learning\n\nA.\n",
	"b.txt": "Title: B\nDate: 2024-01-02\nTags: go, c#, हिन्दी, machine-learning, R&D\n\nB.\n",
	"c.txt": "Title: C\nDate: 2024-01-03\nTags: GO, Ünïcode, machine learning, .NET\n\nC.\n",
	"d.txt": "Title: D\nDate: 2024-01-04\n\nNo tags.\n",
}

func TestTagPagesAndFeeds(t *testing.T) {
	dir := t.TempDir()
	writeCorpus(t, dir, tagCorpus)
	snap, stats := newRebuilder(t, testConfig(dir)).build()

	tags := map[string][]string{ // slug → titles, newest first
		"go":               {"C", "B", "A"},
		"c++":              {"A"},
		"c#":               {"B"},
		"日本":               {"A"},
		"हिन्दी":           {"B"},
		"machine-learning": {"C", "B", "A"},
		"r&d":              {"B"},
		"ünïcode":          {"C"},
		"net":              {"C"},
	}
	var want []string
	for slug := range tags {
		want = append(want, "/tags/"+slug+"/", "/tags/"+slug+"/rss.xml", "/tags/"+slug+"/atom.xml", "/tags/"+slug+"/feed.json")
	}
	var got []string
	for _, p := range snap.Paths() {
		if strings.HasPrefix(p, "/tags/") && p != "/tags/" {
			got = append(got, p)
		}
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("tag paths =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for slug, titles := range tags {
		for _, p := range []string{"rss.xml", "atom.xml", "feed.json"} {
			doc := snap.Lookup("/tags/" + slug + "/" + p)
			if doc == nil {
				continue // reported above
			}
			f, err := gofeed.NewParser().Parse(bytes.NewReader(doc.Body))
			if err != nil {
				t.Fatalf("%s: %v", doc.Path, err)
			}
			var gotTitles []string
			for _, it := range f.Items {
				gotTitles = append(gotTitles, it.Title)
			}
			if !slices.Equal(gotTitles, titles) {
				t.Errorf("%s items = %q, want %q", doc.Path, gotTitles, titles)
			}
		}
	}

	// Each tag's page lists its articles, newest first, each once.
	entry := regexp.MustCompile(`<li>\s*<h2><a href="[^"]*">([^<]*)</a></h2>`)
	for slug, titles := range tags {
		page := snap.Lookup("/tags/" + slug + "/")
		if page == nil {
			continue // reported above
		}
		var listed []string
		for _, m := range entry.FindAllStringSubmatch(string(page.Body), -1) {
			listed = append(listed, m[1])
		}
		if !slices.Equal(listed, titles) {
			t.Errorf("%s lists %q, want %q", page.Path, listed, titles)
		}
	}

	// URLs percent-encode what a path segment cannot carry: "c#" and
	// "c++" stay distinct.
	for path, self := range map[string]string{
		"/tags/c#/atom.xml":  "https://example.com/blog/tags/c%23/atom.xml",
		"/tags/c++/atom.xml": "https://example.com/blog/tags/c++/atom.xml",
		"/tags/日本/atom.xml":  "https://example.com/blog/tags/%E6%97%A5%E6%9C%AC/atom.xml",
	} {
		f, err := gofeed.NewParser().Parse(bytes.NewReader(snap.Lookup(path).Body))
		if err != nil {
			t.Fatal(err)
		}
		if f.FeedLink != self {
			t.Errorf("%s self link = %q, want %q", path, f.FeedLink, self)
		}
	}
	if f, _ := gofeed.NewParser().Parse(bytes.NewReader(snap.Lookup("/tags/c#/atom.xml").Body)); f.Title != "Test site: c#" {
		t.Errorf("c# feed title = %q", f.Title)
	}
	if f, _ := gofeed.NewParser().Parse(bytes.NewReader(snap.Lookup("/tags/go/atom.xml").Body)); !strings.HasSuffix(f.Title, ": GO") &&
		!strings.HasSuffix(f.Title, ": Go") && !strings.HasSuffix(f.Title, ": go") {
		t.Errorf("go feed title = %q", f.Title)
	}

	// "Machine Learning" and "machine learning" differ only in case;
	// "machine-learning" differs more and is reported, once.
	var problems []string
	for _, p := range stats.Problems {
		problems = append(problems, p.Report())
	}
	if len(problems) != 1 || !strings.HasPrefix(problems[0], "b.txt: warning: tag \"machine-learning\" has the same URL (/tags/machine-learning/)") {
		t.Errorf("problems = %q, want one warning about b.txt's machine-learning", problems)
	}

	// The tag list counts articles; pages link their tags and carry
	// autodiscovery links for the feeds that cover them.
	index := string(snap.Lookup("/tags/").Body)
	for _, want := range []string{`href="https://example.com/blog/tags/c%23/">c#</a> <span class="meta">(1)</span>`, `(3)`} {
		if !strings.Contains(index, want) {
			t.Errorf("tag list lacks %q", want)
		}
	}
	tagPage := string(snap.Lookup("/tags/c#/").Body)
	article := string(snap.Lookup("/articles/b/").Body)
	for _, c := range []struct{ page, body, want string }{
		{"tag page", tagPage, `type="application/atom+xml" title="Test site: c# (Atom)" href="https://example.com/blog/tags/c%23/atom.xml"`},
		{"tag page", tagPage, `href="https://example.com/blog/atom.xml"`},
		{"article", article, `href="https://example.com/blog/tags/c%23/rss.xml"`},
		{"article", article, `href="https://example.com/blog/rss.xml"`},
		{"article", article, `<a rel="tag" href="https://example.com/blog/tags/c%23/">c#</a>`},
	} {
		if !strings.Contains(c.body, c.want) {
			t.Errorf("%s lacks %q", c.page, c.want)
		}
	}
}

func TestTagSlugsInURLsAndFiles(t *testing.T) {
	tests := []struct{ tag, path string }{
		{"Go", "/tags/go/"},
		{"Ünïcode", "/tags/ünïcode/"},
		{"  Machine   Learning ", "/tags/machine-learning/"},
		{"c++", "/tags/c++/"},
		{"c#", "/tags/c#/"},
		{"a/b\\c", "/tags/a-b-c/"},
		{".NET", "/tags/net/"},
		{"50%", "/tags/50%/"},
		{"why?", "/tags/why?/"},
		{"ΣΟΦΙΑ", "/tags/σοφια/"},
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			dir := t.TempDir()
			writeCorpus(t, dir, map[string]string{"a.txt": "Title: A\nTags: " + tt.tag + "\n\nA.\n"})
			snap, _ := build(t, testConfig(dir), now)
			if snap.Lookup(tt.path) == nil || snap.Lookup(tt.path+"rss.xml") == nil {
				var tagPaths []string
				for _, p := range snap.Paths() {
					if strings.HasPrefix(p, "/tags/") {
						tagPaths = append(tagPaths, p)
					}
				}
				t.Errorf("tag %q: no page at %s; tag paths: %q", tt.tag, tt.path, tagPaths)
			}
		})
	}
	// A tag of dots alone has no slug and no page.
	dir := t.TempDir()
	writeCorpus(t, dir, map[string]string{"a.txt": "Title: A\nTags: ...\n\nA.\n"})
	snap, _ := build(t, testConfig(dir), now)
	for _, p := range snap.Paths() {
		if strings.HasPrefix(p, "/tags/") && p != "/tags/" {
			t.Errorf("tag \"...\" got %s", p)
		}
	}
}

func TestLosingLastTagRemovesTagFeeds(t *testing.T) {
	dir := t.TempDir()
	writeCorpus(t, dir, map[string]string{
		"a.txt": "Title: A\nTags: solo, shared\n\nA.\n",
		"b.txt": "Title: B\nTags: shared\n\nB.\n",
	})
	r := newRebuilder(t, testConfig(dir))
	before, _ := r.build()
	if before.Lookup("/tags/solo/rss.xml") == nil {
		t.Fatal("no feed for tag solo")
	}
	path := filepath.Join(dir, "a.txt")
	if err := os.WriteFile(path, []byte("Title: A\nTags: shared\n\nA.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	later := fixedTime.Add(time.Hour)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	after, _ := r.build()
	for _, p := range []string{"/tags/solo/", "/tags/solo/rss.xml", "/tags/solo/atom.xml", "/tags/solo/feed.json"} {
		if after.Lookup(p) != nil {
			t.Errorf("%s still served after its last article lost the tag", p)
		}
	}
	if after.Lookup("/tags/shared/rss.xml") == nil {
		t.Error("tag shared lost its feed")
	}
	if bytes.Contains(after.Lookup("/feeds.opml").Body, []byte("/tags/solo/")) {
		t.Error("feeds.opml still lists the solo feed")
	}
}

func TestTagFeedsPassValidators(t *testing.T) {
	dir := t.TempDir()
	writeCorpus(t, dir, tagCorpus)
	cfg := testConfig(dir)
	cfg.WebSub.Hubs = []string{"https://hub.example.net/"}
	snap, _ := build(t, cfg, now)
	for _, slug := range []string{"c#", "日本", "machine-learning"} {
		feedtest.ValidateRSS(t, snap.Lookup("/tags/"+slug+"/rss.xml").Body)
		feedtest.ValidateAtom(t, snap.Lookup("/tags/"+slug+"/atom.xml").Body)
		feedtest.ValidateJSON(t, snap.Lookup("/tags/"+slug+"/feed.json").Body)
	}
}
