package site_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/feedpub/feedpub/internal/feed/feedtest"
	"github.com/feedpub/feedpub/internal/site"
)

const baseURL = "https://example.com/blog"

// numbered returns n articles dated an hour apart, article 0 the
// oldest, every fifth one tagged.
func numbered(n int) map[string]string {
	files := map[string]string{}
	for i := range n {
		files[fmt.Sprintf("a%04d.txt", i)] = numberedArticle(i, "")
	}
	return files
}

func numberedArticle(i int, extra string) string {
	date := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour)
	tags := ""
	if i%5 == 0 {
		tags = fmt.Sprintf("Tags: t%d\n", i%3)
	}
	return fmt.Sprintf("Title: Article %d\nDate: %s\n%s\nBody of article %d.%s\n", i, date.Format(time.RFC3339), tags, i, extra)
}

// wantIDs returns the item ids of articles n-1 down to 0.
func wantIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("tag:example.com,2024:articles/a%04d", n-1-i)
	}
	return ids
}

// xmlLinks returns the feed-level atom:link elements of an RSS or Atom
// document by rel.
func xmlLinks(t *testing.T, doc []byte) map[string]string {
	t.Helper()
	type link struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	}
	type linked struct {
		Links []link `xml:"http://www.w3.org/2005/Atom link"`
	}
	var v struct {
		linked
		Channel linked `xml:"channel"`
	}
	if err := xml.Unmarshal(doc, &v); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{}
	for _, l := range append(v.Links, v.Channel.Links...) {
		links[l.Rel] = l.Href
	}
	return links
}

// sitePath returns the snapshot path, decoded, of an absolute URL of the
// test site.
func sitePath(t *testing.T, u string) string {
	t.Helper()
	p, ok := strings.CutPrefix(u, baseURL)
	if !ok {
		t.Fatalf("link %q is not under %s", u, baseURL)
	}
	decoded, err := url.PathUnescape(p)
	if err != nil {
		t.Fatalf("link %q: %v", u, err)
	}
	return decoded
}

// walkArchive follows prev-archive from the subscription feed at start,
// as an RFC 5005 client does, and returns the item ids of the
// subscription feed and, in walking order, of every archive page.
func walkArchive(t *testing.T, snap *site.Snapshot, start string) (current, archived []string) {
	t.Helper()
	path := start
	for page := 0; path != ""; page++ {
		doc := snap.Lookup(path)
		if doc == nil {
			t.Fatalf("walk reached %s, which is not served", path)
		}
		f, err := gofeed.NewParser().Parse(bytes.NewReader(doc.Body))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, it := range f.Items {
			if page == 0 {
				current = append(current, it.GUID)
			} else {
				archived = append(archived, it.GUID)
			}
		}
		links := xmlLinks(t, doc.Body)
		if page > 0 && sitePath(t, links["current"]) != start {
			t.Errorf("%s: current = %q, want %s", path, links["current"], start)
		}
		path = ""
		if next := links["prev-archive"]; next != "" {
			path = sitePath(t, next)
		}
	}
	return current, archived
}

// walkJSON follows next_url from the JSON subscription feed.
func walkJSON(t *testing.T, snap *site.Snapshot, start string) (current, archived []string) {
	t.Helper()
	for path, page := start, 0; path != ""; page++ {
		var v struct {
			FeedURL string `json:"feed_url"`
			NextURL string `json:"next_url"`
			Items   []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		if err := json.Unmarshal(snap.Lookup(path).Body, &v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, it := range v.Items {
			if page == 0 {
				current = append(current, it.ID)
			} else {
				archived = append(archived, it.ID)
			}
		}
		if sitePath(t, v.FeedURL) != start {
			t.Errorf("%s: feed_url = %q, want the subscription feed", path, v.FeedURL)
		}
		path = ""
		if v.NextURL != "" {
			path = sitePath(t, v.NextURL)
		}
	}
	return current, archived
}

// TestArchiveWalkCollectsEveryArticleOnce walks each format from its
// subscription feed as an RFC 5005 client backfilling does: the
// subscription feed has the newest [feeds] limit articles and the
// archive pages every other one, so the walk sees each exactly once.
func TestArchiveWalkCollectsEveryArticleOnce(t *testing.T) {
	const n = 1020 // 1,000 in the archive: exactly 20 full pages
	dir := t.TempDir()
	writeCorpus(t, dir, numbered(n))
	snap, _ := newRebuilder(t, testConfig(dir)).build()
	all := wantIDs(n)
	walks := map[string]func(*testing.T, *site.Snapshot, string) ([]string, []string){
		"/rss.xml": walkArchive, "/atom.xml": walkArchive, "/feed.json": walkJSON,
	}
	for start, walk := range walks {
		t.Run(start, func(t *testing.T) {
			current, archived := walk(t, snap, start)
			if !slices.Equal(current, all[:20]) {
				t.Errorf("subscription feed has %d items %q..., want the newest 20", len(current), current[:min(3, len(current))])
			}
			if !slices.Equal(archived, all[20:]) {
				t.Errorf("the archive pages hold %d items, want the %d not in the subscription feed, in order", len(archived), n-20)
			}
		})
	}
	if p := snap.Lookup("/archive/20/atom.xml"); p == nil || snap.Lookup("/archive/21/atom.xml") != nil {
		t.Error("1,000 archived articles should fill exactly 20 pages of 50")
	}
	links := xmlLinks(t, snap.Lookup("/archive/1/atom.xml").Body)
	if links["prev-archive"] != "" || links["next-archive"] != baseURL+"/archive/2/atom.xml" {
		t.Errorf("page 1 links = %v", links)
	}
	if links := xmlLinks(t, snap.Lookup("/archive/20/atom.xml").Body); links["next-archive"] != "" {
		t.Errorf("newest page has next-archive %q", links["next-archive"])
	}
}

// TestArchiveSmallSite is the case of a small site: with limit 5 and 32
// articles, the walk sees 5 items in the subscription feed and 27 in one
// archive page; with no more articles than the limit there is no archive
// and no prev-archive link.
func TestArchiveSmallSite(t *testing.T) {
	for _, tc := range []struct {
		articles, pages int
	}{{32, 1}, {5, 0}, {3, 0}} {
		t.Run(fmt.Sprint(tc.articles), func(t *testing.T) {
			dir := t.TempDir()
			writeCorpus(t, dir, numbered(tc.articles))
			cfg := testConfig(dir)
			cfg.Feeds.Limit = 5
			snap, _ := newRebuilder(t, cfg).build()
			current, archived := walkArchive(t, snap, "/atom.xml")
			if got, want := slices.Concat(current, archived), wantIDs(tc.articles); !slices.Equal(got, want) {
				t.Errorf("the walk saw %d items (%d current, %d archived), want each of the %d once", len(got), len(current), len(archived), len(want))
			}
			for n := 1; n <= tc.pages+1; n++ {
				if served := snap.Lookup(fmt.Sprintf("/archive/%d/atom.xml", n)) != nil; served != (n <= tc.pages) {
					t.Errorf("archive page %d served = %v, want %d pages", n, served, tc.pages)
				}
			}
		})
	}
}

// changedFeeds returns the feed documents whose ETag differs between two
// snapshots, or that only one of them serves.
func changedFeeds(a, b *site.Snapshot) []string {
	var changed []string
	for _, p := range slices.Compact(slices.Sorted(slices.Values(append(a.Paths(), b.Paths()...)))) {
		da, db := a.Lookup(p), b.Lookup(p)
		if (da != nil && da.Kind != site.KindFeed) || (db != nil && db.Kind != site.KindFeed) {
			continue
		}
		if da == nil || db == nil || da.ETag != db.ETag {
			changed = append(changed, p)
		}
	}
	return changed
}

func TestArchivePagesStayPut(t *testing.T) {
	const n = 20 + 1000 + 1 // the subscription feed's 20, then page 21 holds one article
	dir := t.TempDir()
	writeCorpus(t, dir, numbered(n))
	r := newRebuilder(t, testConfig(dir))
	first, _ := r.build()

	write := func(name, text string) {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		later := fixedTime.Add(time.Hour)
		if err := os.Chtimes(path, later, later); err != nil {
			t.Fatal(err)
		}
	}
	main := []string{"/atom.xml", "/feed.json", "/rss.xml"}
	page := func(n int) []string {
		return []string{fmt.Sprintf("/archive/%d/atom.xml", n), fmt.Sprintf("/archive/%d/feed.json", n), fmt.Sprintf("/archive/%d/rss.xml", n)}
	}

	// Publishing an article changes the subscription feeds and the
	// newest page only.
	write("a1021.txt", numberedArticle(1021, ""))
	added, stats := r.build()
	if got, want := changedFeeds(first, added), slices.Sorted(slices.Values(slices.Concat(main, page(21)))); !slices.Equal(got, want) {
		t.Errorf("adding an article changed feeds %q, want %q", got, want)
	}
	// New article page, index, 3 main feeds, 3 archive documents.
	if stats.Rendered > 10 {
		t.Errorf("adding an article rendered %d documents, want at most 10", stats.Rendered)
	}

	// Editing an old article changes its page only.
	write("a0007.txt", numberedArticle(7, " Edited."))
	edited, _ := r.build()
	if got, want := changedFeeds(added, edited), page(1); !slices.Equal(got, want) {
		t.Errorf("editing article 7 changed feeds %q, want %q", got, want)
	}
}

func TestRebuildReusesUnchangedDocuments(t *testing.T) {
	dir := t.TempDir()
	writeCorpus(t, dir, numbered(300))
	r := newRebuilder(t, testConfig(dir))
	first, stats := r.build()
	if stats.Rendered != first.Len()+1 {
		t.Errorf("first build rendered %d documents, want all %d", stats.Rendered, first.Len()+1)
	}
	again, stats := r.build()
	// Only the feed stylesheet is rendered on every build.
	if stats.Rendered > 1 {
		t.Errorf("a rebuild without changes rendered %d documents", stats.Rendered)
	}
	for _, p := range first.Paths() {
		if first.Lookup(p) != again.Lookup(p) && first.Lookup(p).ETag != again.Lookup(p).ETag {
			t.Errorf("%s changed without a change", p)
		}
	}
}

func TestEveryFeedDocumentPassesValidators(t *testing.T) {
	dir := t.TempDir()
	files := numbered(20 + 120) // the subscription feed's 20, then 3 archive pages
	files["a0001.txt"] = strings.Replace(numberedArticle(1, ""), "\n\n", "\nEnclosure: https://cdn.example.com/ep1.mp3 12345678 audio/mpeg\n\n", 1)
	writeCorpus(t, dir, files)
	cfg := testConfig(dir)
	cfg.WebSub.Hubs = []string{"https://hub.example.net/", "https://hub.example.org/publish"}
	snap, _ := newRebuilder(t, cfg).build()
	validators := map[string]func(testing.TB, []byte){
		"rss.xml": feedtest.ValidateRSS, "atom.xml": feedtest.ValidateAtom, "feed.json": feedtest.ValidateJSON,
	}
	count := 0
	for _, p := range snap.Paths() {
		if d := snap.Lookup(p); d.Kind == site.KindFeed {
			t.Run(p, func(t *testing.T) { validators[filepath.Base(p)](t, d.Body) })
			count++
		}
	}
	// Main 3, archive 3 pages × 3, tags t0, t1, t2 × 3.
	if count != 3+9+9 {
		t.Errorf("validated %d feed documents, want 21", count)
	}
	if !bytes.Contains(snap.Lookup("/archive/1/rss.xml").Body, []byte(`<enclosure url="https://cdn.example.com/ep1.mp3" length="12345678" type="audio/mpeg">`)) {
		t.Error("the enclosure is not in the RSS archive page")
	}
}

// TestEveryXMLDocumentIsWellFormed holds that every XML document of a
// site is well-formed, the feeds, archive pages and tag feeds of articles
// whose titles, authors, tags, bios and bodies hold what XML cannot carry
// as is (markup, "]]>", control characters, bytes that are not UTF-8,
// U+FFFE), and the OPML list: documents are not decoded again before
// they are served, so this is where a flaw in their escaping shows.
func TestEveryXMLDocumentIsWellFormed(t *testing.T) {
	dir := t.TempDir()
	hostile := "<b>&amp; ]]> \x01\x1b \xff\xfe \uFFFE \r\n"
	files := numbered(70) // the subscription feed's 20, then an archive page
	for i := range 5 {
		files[fmt.Sprintf("hostile%d.txt", i)] = fmt.Sprintf("Title: Hostile %d %s\nDate: 2021-0%d-01\nAuthor: A %s\nTags: t%d, x%s\n\nBody %s and <p>markup</p>.\n\nA bio %s\n",
			i, hostile, i+1, hostile, i, hostile, hostile, hostile)
	}
	writeCorpus(t, dir, files)
	snap, _ := newRebuilder(t, testConfig(dir)).build()
	checked := 0
	for _, p := range snap.Paths() {
		if d := snap.Lookup(p); strings.HasSuffix(p, ".xml") || strings.HasSuffix(p, ".opml") {
			body, err := d.Bytes()
			if err == nil {
				err = feedtest.CheckXML(body)
			}
			if err != nil {
				t.Errorf("%s: %v", p, err)
			}
			checked++
		}
	}
	if checked < 10 {
		t.Errorf("checked %d XML documents; want the feeds, archive pages, tag feeds and OPML list, at least 10", checked)
	}
	if !bytes.Contains(snap.Lookup("/rss.xml").Body, []byte("Hostile")) {
		t.Error("the hostile articles are not in the feed")
	}
}
