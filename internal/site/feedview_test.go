package site_test

import (
	"bytes"
	"fmt"
	"html"
	"strings"
	"testing"

	"github.com/feedpub/feedpub/internal/site"
)

// TestFeedViews checks the HTML view every RSS and Atom document carries
// for browsers: the feed's title, the address to subscribe with, and
// each item's title, link, date and summary, as literal text, on a page
// with the site's stylesheet. The feed itself keeps its
// <?xml-stylesheet?> for static hosts; JSON Feed has no view.
func TestFeedViews(t *testing.T) {
	dir := t.TempDir()
	files := numbered(25)
	files["a0024.txt"] = strings.Replace(numberedArticle(24, ""), "\n\n", "\nSummary: Use <b>bold</b> & AT&T.\n\n", 1)
	writeCorpus(t, dir, files)
	snap, _ := newRebuilder(t, testConfig(dir)).build()

	for _, tc := range []struct {
		path, subscribe, title string
		articles               []int
	}{
		{"/rss.xml", "/rss.xml", "Test site · RSS feed", []int{24, 23, 5}},
		{"/atom.xml", "/atom.xml", "Test site · Atom feed", []int{24, 5}},
		{"/archive/1/rss.xml", "/rss.xml", "Test site · RSS feed", []int{4, 0}},
		{"/tags/t0/atom.xml", "/tags/t0/atom.xml", "Test site: t0 · Atom feed", []int{15, 0}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			d := snap.Lookup(tc.path)
			if d == nil || d.View == nil {
				t.Fatalf("%s has no HTML view", tc.path)
			}
			if !bytes.Contains(d.Body, []byte("<?xml-stylesheet ")) {
				t.Errorf("%s lost its xml-stylesheet instruction", tc.path)
			}
			v := d.View
			if v.ContentType != site.HTMLContentType || v.Path != tc.path || v.Kind != site.KindPage || v.ETag == d.ETag {
				t.Errorf("view: type %q, path %q, kind %v, ETag %s (feed's %s)", v.ContentType, v.Path, v.Kind, v.ETag, d.ETag)
			}
			page := string(v.Body)
			wants := []string{
				"<title>" + tc.title + "</title>",
				`<link rel="stylesheet" href="` + baseURL + `/style.css">`,
				"<pre>" + baseURL + tc.subscribe + "</pre>",
				"web feed",
			}
			for _, i := range tc.articles {
				wants = append(wants,
					fmt.Sprintf(`<h2><a href="%s/articles/a%04d/">Article %d</a></h2>`, baseURL, i, i),
					fmt.Sprintf(`<time datetime="2020-01-%02dT%02d:00:00Z">%d January 2020</time>`, 1+i/24, i%24, 1+i/24))
			}
			if tc.articles[0] == 24 {
				wants = append(wants, "<p>"+html.EscapeString("Use <b>bold</b> & AT&T.")+"</p>")
			}
			for _, want := range wants {
				if !strings.Contains(page, want) {
					t.Errorf("the view of %s lacks %q; it is:\n%s", tc.path, want, page)
				}
			}
		})
	}
	if d := snap.Lookup("/feed.json"); d.View != nil {
		t.Error("JSON Feed has an HTML view")
	}
	for _, p := range snap.Paths() {
		if d := snap.Lookup(p); d.Kind == site.KindFeed && (d.View != nil) != strings.HasSuffix(p, ".xml") {
			t.Errorf("%s: has a view = %v", p, d.View != nil)
		}
	}
}
