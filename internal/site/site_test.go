package site_test

import (
	"bytes"
	"os"
	"path/filepath"
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

// fixedTime is the modification time of every test file, so builds do not
// depend on when the test runs.
var fixedTime = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// corpus is a small set of articles exercising escaping, bios, tags,
// drafts, scheduling and the file-name date.
var corpus = map[string]string{
	"2024-03-01-first.txt": "Title: First & <foremost>\nTags: news, c++\n\nBody with ]]> and \"quotes\".\n\n“An author bio.”\n",
	"second.txt":           "Title: Second — ünïcödé 日本語\nDate: 2024-05-01 10:00\nAuthor: Ada\n\nOne.\nTwo.\n",
	"sub/third.txt":        "Title: Third\nDate: 2024-04-01\nSlug: the-third\n\nThird body.\n",
	"draft.txt":            "Title: Draft\nDraft: true\nDate: 2024-01-01\n\nNot yet.\n",
	"future.txt":           "Title: Future\nDate: 2030-01-01\n\nLater.\n",
	"broken.txt":           "no title here\n",
}

func writeCorpus(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, fixedTime, fixedTime); err != nil {
			t.Fatal(err)
		}
	}
}

func testConfig(dir string) config.Config {
	cfg := config.Default()
	cfg.Site.Title = "Test site"
	cfg.Site.BaseURL = "https://example.com/blog/"
	cfg.Site.TagAuthority = "example.com,2024"
	cfg.Articles.Dir = dir
	return cfg
}

// build scans dir and builds one snapshot at now.
func build(t *testing.T, cfg config.Config, now time.Time) (*site.Snapshot, *library.Library) {
	t.Helper()
	lib, b := scan(t, cfg, library.Options{Now: func() time.Time { return now }})
	snap, _, err := b.Build(lib, now)
	if err != nil {
		t.Fatal(err)
	}
	return snap, lib
}

// scan scans cfg's articles directory with opts (its Dir and State
// filled in) and returns the library and a builder sharing its state.
func scan(t *testing.T, cfg config.Config, opts library.Options) (*library.Library, *site.Builder) {
	t.Helper()
	opts.Dir, opts.State = cfg.Articles.Dir, state.New()
	lib, _, err := library.NewScanner(opts).Scan()
	if err != nil {
		t.Fatal(err)
	}
	b, err := site.NewBuilder(cfg, opts.State)
	if err != nil {
		t.Fatal(err)
	}
	return lib, b
}

var now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestFeedsAgreeItemForItem(t *testing.T) {
	dir := t.TempDir()
	writeCorpus(t, dir, corpus)
	snap, _ := build(t, testConfig(dir), now)

	var parsed []*gofeed.Feed
	for _, path := range []string{"/rss.xml", "/atom.xml", "/feed.json"} {
		doc := snap.Lookup(path)
		if doc == nil {
			t.Fatalf("no document at %s", path)
		}
		f, err := gofeed.NewParser().Parse(bytes.NewReader(doc.Body))
		if err != nil {
			t.Fatalf("parsing %s: %v", path, err)
		}
		parsed = append(parsed, f)
	}
	wantTitles := []string{"Second — ünïcödé 日本語", "Third", "First & <foremost>"}
	for i, f := range parsed {
		if len(f.Items) != len(wantTitles) {
			t.Fatalf("feed %d has %d items, want %d", i, len(f.Items), len(wantTitles))
		}
		for j, it := range f.Items {
			ref := parsed[0].Items[j]
			if it.Title != wantTitles[j] {
				t.Errorf("feed %d item %d title = %q, want %q", i, j, it.Title, wantTitles[j])
			}
			if it.GUID != ref.GUID || it.Link != ref.Link {
				t.Errorf("feed %d item %d = (%q, %q), want (%q, %q) as in RSS", i, j, it.GUID, it.Link, ref.GUID, ref.Link)
			}
			if !it.PublishedParsed.Equal(*ref.PublishedParsed) {
				t.Errorf("feed %d item %d published %v, want %v", i, j, it.PublishedParsed, ref.PublishedParsed)
			}
			if !strings.HasPrefix(it.Link, "https://example.com/blog/articles/") {
				t.Errorf("item link %q is not absolute under the base URL", it.Link)
			}
			if !strings.HasPrefix(it.GUID, "tag:example.com,2024:articles/") {
				t.Errorf("item id %q is not a tag URI of the site", it.GUID)
			}
		}
	}
	if got := parsed[0].Items[1].Link; got != "https://example.com/blog/articles/the-third/" {
		t.Errorf("slugged article link = %q", got)
	}
}

func TestFeedsPassValidators(t *testing.T) {
	dir := t.TempDir()
	writeCorpus(t, dir, corpus)
	snap, _ := build(t, testConfig(dir), now)
	feedtest.ValidateRSS(t, snap.Lookup("/rss.xml").Body)
	feedtest.ValidateAtom(t, snap.Lookup("/atom.xml").Body)
	feedtest.ValidateJSON(t, snap.Lookup("/feed.json").Body)
}

func TestOutputIsDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	writeCorpus(t, a, corpus)
	writeCorpus(t, b, corpus)
	snapA, _ := build(t, testConfig(a), now)
	snapB, _ := build(t, testConfig(b), now.Add(time.Hour))
	if got, want := snapA.Paths(), snapB.Paths(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("paths differ: %v vs %v", got, want)
	}
	for _, p := range snapA.Paths() {
		if da, db := snapA.Lookup(p), snapB.Lookup(p); !bytes.Equal(da.Body, db.Body) || da.ETag != db.ETag {
			t.Errorf("%s differs between two builds of the same articles", p)
		}
	}
}

func TestScheduledAndDraftArticlesAreNotPublished(t *testing.T) {
	dir := t.TempDir()
	writeCorpus(t, dir, corpus)
	snap, lib := build(t, testConfig(dir), now)
	if snap.Articles != 3 {
		t.Errorf("published %d articles, want 3", snap.Articles)
	}
	if want := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC); !snap.NextScheduled.Equal(want) {
		t.Errorf("NextScheduled = %v, want %v", snap.NextScheduled, want)
	}
	if snap.Errors != 1 || lib.Errors() != 1 {
		t.Errorf("errors = %d, want 1 (broken.txt)", snap.Errors)
	}
	for _, p := range []string{"/articles/draft/", "/articles/future/"} {
		if snap.Lookup(p) != nil {
			t.Errorf("%s is served but must not be", p)
		}
	}
	later, _ := build(t, testConfig(dir), time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC))
	if later.Lookup("/articles/future/") == nil {
		t.Error("the scheduled article is not published once its date has passed")
	}
}

func TestPages(t *testing.T) {
	dir := t.TempDir()
	writeCorpus(t, dir, corpus)
	snap, _ := build(t, testConfig(dir), now)
	index := string(snap.Lookup("/").Body)
	for _, want := range []string{
		`<link rel="alternate" type="application/rss+xml"`,
		`<link rel="alternate" type="application/atom+xml"`,
		`<link rel="alternate" type="application/feed+json"`,
		`href="https://example.com/blog/rss.xml"`,
		`First &amp; &lt;foremost&gt;`,
	} {
		if !strings.Contains(index, want) {
			t.Errorf("index lacks %q", want)
		}
	}
	page := snap.Lookup("/articles/2024-03-01-first/")
	if page == nil {
		t.Fatalf("no article page; paths: %v", snap.Paths())
	}
	body := string(page.Body)
	for _, want := range []string{`class="byline"`, "An author bio.", "Body with ]]&gt; and &#34;quotes&#34;."} {
		if !strings.Contains(body, want) {
			t.Errorf("article page lacks %q", want)
		}
	}
	if page.ContentType != site.HTMLContentType {
		t.Errorf("article page content type %q", page.ContentType)
	}
	if !strings.Contains(string(snap.NotFound.Body), "Not found") {
		t.Error("404 page does not say what happened")
	}
}

// TestLastModifiedMovesForwardOnEveryChange covers the case readers miss
// most: deleting an article changes the feed without changing the newest
// article's date.
func TestLastModifiedMovesForwardOnEveryChange(t *testing.T) {
	dir := t.TempDir()
	writeCorpus(t, dir, corpus)
	cfg := testConfig(dir)
	st := state.New()
	sc := library.NewScanner(library.Options{Dir: dir, State: st})
	b, err := site.NewBuilder(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	step := func(at time.Time) *site.Snapshot {
		lib, _, err := sc.Scan()
		if err != nil {
			t.Fatal(err)
		}
		snap, _, err := b.Build(lib, at)
		if err != nil {
			t.Fatal(err)
		}
		return snap
	}
	first := step(now)
	same := step(now.Add(time.Minute))
	if a, b := first.Lookup("/rss.xml"), same.Lookup("/rss.xml"); a.ETag != b.ETag || !a.LastModified.Equal(b.LastModified) {
		t.Errorf("unchanged feed: validators moved from (%s, %v) to (%s, %v)", a.ETag, a.LastModified, b.ETag, b.LastModified)
	}
	if err := os.Remove(filepath.Join(dir, "sub/third.txt")); err != nil {
		t.Fatal(err)
	}
	// Built at the same instant: Last-Modified must still move.
	after := step(now.Add(time.Minute))
	a, c := same.Lookup("/rss.xml"), after.Lookup("/rss.xml")
	if a.ETag == c.ETag {
		t.Fatal("deleting an article did not change the feed")
	}
	if !c.LastModified.After(a.LastModified) {
		t.Errorf("Last-Modified after a delete = %v, not after %v", c.LastModified, a.LastModified)
	}
}

func TestEmptyDirectoryGivesValidEmptyFeeds(t *testing.T) {
	snap, _ := build(t, testConfig(t.TempDir()), now)
	for _, p := range []string{"/rss.xml", "/atom.xml", "/feed.json"} {
		if _, err := gofeed.NewParser().Parse(bytes.NewReader(snap.Lookup(p).Body)); err != nil {
			t.Errorf("empty %s does not parse: %v", p, err)
		}
	}
	feedtest.ValidateAtom(t, snap.Lookup("/atom.xml").Body)
	feedtest.ValidateJSON(t, snap.Lookup("/feed.json").Body)
	if !strings.Contains(string(snap.Lookup("/feed.json").Body), `"items": []`) {
		t.Error("empty JSON feed lacks its items array")
	}
}
