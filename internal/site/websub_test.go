package site_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"

	"github.com/feedpub/feedpub/internal/site"
)

func TestFeedsAdvertiseHubs(t *testing.T) {
	dir := t.TempDir()
	writeCorpus(t, dir, tagCorpus)
	cfg := testConfig(dir)
	cfg.WebSub.Hubs = []string{"https://hub.example.net/", "https://hub.example.org/publish"}
	snap, _ := newRebuilder(t, cfg).build()
	for path, topic := range map[string]string{
		"/rss.xml":           baseURL + "/rss.xml",
		"/atom.xml":          baseURL + "/atom.xml",
		"/feed.json":         baseURL + "/feed.json",
		"/tags/c#/atom.xml":  baseURL + "/tags/c%23/atom.xml",
		"/tags/c++/rss.xml":  baseURL + "/tags/c++/rss.xml",
		"/tags/go/feed.json": baseURL + "/tags/go/feed.json",
	} {
		d := snap.Lookup(path)
		if d.Topic != topic {
			t.Errorf("%s: Topic = %q, want %q", path, d.Topic, topic)
		}
		want := `<https://hub.example.net/>; rel="hub", <https://hub.example.org/publish>; rel="hub", <` + topic + `>; rel="self"`
		if d.LinkHeader != want {
			t.Errorf("%s: LinkHeader = %q, want %q", path, d.LinkHeader, want)
		}
		f, err := gofeed.NewParser().Parse(bytes.NewReader(d.Body))
		if err != nil {
			t.Fatal(err)
		}
		if f.FeedLink != topic {
			t.Errorf("%s: self link %q, want the topic %q", path, f.FeedLink, topic)
		}
		for _, hub := range cfg.WebSub.Hubs {
			if !bytes.Contains(d.Body, []byte(hub)) {
				t.Errorf("%s does not advertise hub %s", path, hub)
			}
		}
	}
	for _, p := range snap.Paths() {
		d := snap.Lookup(p)
		isTopic := d.Kind == site.KindFeed && !strings.HasPrefix(p, "/archive/")
		if (d.Topic != "") != isTopic || (d.LinkHeader != "") != isTopic {
			t.Errorf("%s: Topic %q, LinkHeader %q; only subscription feeds are topics", p, d.Topic, d.LinkHeader)
		}
	}

	// Without hubs, feeds say nothing about WebSub.
	cfg.WebSub.Hubs = nil
	snap, _ = newRebuilder(t, cfg).build()
	if d := snap.Lookup("/atom.xml"); d.LinkHeader != "" || bytes.Contains(d.Body, []byte(`rel="hub"`)) {
		t.Errorf("without hubs: LinkHeader %q, body with a hub link %v", d.LinkHeader, bytes.Contains(d.Body, []byte(`rel="hub"`)))
	}
}

func TestFeedsStayWithinMaxBytes(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{}
	para := strings.Repeat("A long paragraph of text that fills the feed quickly. ", 20) + "\n\n"
	for i := range 30 {
		files[fmt.Sprintf("a%02d.txt", i)] = fmt.Sprintf("Title: Article %d\nDate: 2024-01-%02d\nSummary: Short %d.\n\n%s", i, i+1, i, strings.Repeat(para, 10))
	}
	writeCorpus(t, dir, files)
	cfg := testConfig(dir)
	cfg.Feeds.MaxBytes = 16 << 10
	snap, stats := newRebuilder(t, cfg).build()
	if stats.Summarized == 0 {
		t.Errorf("stats = %+v, want summarized items", stats)
	}
	for _, p := range []string{"/rss.xml", "/atom.xml", "/feed.json"} {
		d := snap.Lookup(p)
		if int64(len(d.Body)) > cfg.Feeds.MaxBytes {
			t.Errorf("%s is %d bytes, over max_bytes %d", p, len(d.Body), cfg.Feeds.MaxBytes)
		}
		f, err := gofeed.NewParser().Parse(bytes.NewReader(d.Body))
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Items) == 0 || f.Items[0].Title != "Article 29" {
			t.Errorf("%s lost its newest items: %d items", p, len(f.Items))
		}
	}
	// The archive keeps every article the subscription feed does not
	// list, shortened, never dropped.
	f, err := gofeed.NewParser().Parse(bytes.NewReader(snap.Lookup("/archive/1/atom.xml").Body))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 10 {
		t.Errorf("archive page has %d items, want the 10 beyond the limit", len(f.Items))
	}

	// Dropping happens when summaries alone are too many; the archive
	// then starts earlier, so walking any format still finds every
	// article.
	cfg.Feeds.MaxBytes = 4096
	snap, stats = newRebuilder(t, cfg).build()
	if stats.Dropped == 0 {
		t.Errorf("stats = %+v, want dropped items", stats)
	}
	if d := snap.Lookup("/atom.xml"); int64(len(d.Body)) > cfg.Feeds.MaxBytes {
		t.Errorf("/atom.xml is %d bytes, over %d", len(d.Body), cfg.Feeds.MaxBytes)
	}
	for _, start := range []string{"/rss.xml", "/atom.xml"} {
		current, archived := walkArchive(t, snap, start)
		seen := map[string]bool{}
		for _, id := range slices.Concat(current, archived) {
			seen[id] = true
		}
		if len(seen) != 30 {
			t.Errorf("walking from %s found %d of the 30 articles (%d current, %d archived)", start, len(seen), len(current), len(archived))
		}
	}
}

func TestOPMLListsEveryFeed(t *testing.T) {
	dir := t.TempDir()
	writeCorpus(t, dir, tagCorpus)
	snap, _ := newRebuilder(t, testConfig(dir)).build()
	d := snap.Lookup("/feeds.opml")
	if d == nil || d.ContentType != site.OPMLContentType {
		t.Fatalf("no OPML document: %+v", d)
	}
	var doc struct {
		Version string `xml:"version,attr"`
		Title   string `xml:"head>title"`
		Body    []struct {
			Type     string `xml:"type,attr"`
			Text     string `xml:"text,attr"`
			XMLURL   string `xml:"xmlUrl,attr"`
			HTMLURL  string `xml:"htmlUrl,attr"`
			Outlines []struct {
				Type   string `xml:"type,attr"`
				Text   string `xml:"text,attr"`
				XMLURL string `xml:"xmlUrl,attr"`
			} `xml:"outline"`
		} `xml:"body>outline"`
	}
	if err := xml.Unmarshal(d.Body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != "2.0" || doc.Title != "Test site" || len(doc.Body) != 2 {
		t.Fatalf("OPML = %+v", doc)
	}
	if o := doc.Body[0]; o.Type != "rss" || o.XMLURL != baseURL+"/rss.xml" || o.HTMLURL != baseURL+"/" || o.Text == "" {
		t.Errorf("main outline = %+v", o)
	}
	var urls []string
	for _, o := range doc.Body[1].Outlines {
		if o.Type != "rss" || o.Text == "" {
			t.Errorf("tag outline %+v lacks type or text", o)
		}
		urls = append(urls, o.XMLURL)
		if snap.Lookup(sitePath(t, o.XMLURL)) == nil {
			t.Errorf("OPML lists %s, which is not served", o.XMLURL)
		}
	}
	if len(urls) != 9 {
		t.Errorf("OPML lists %d tag feeds, want 9: %q", len(urls), urls)
	}
}
