package feed

import (
	"fmt"
	"strings"
	"time"
)

// sampleFeed is the golden corpus: three items that between them carry
// non-ASCII text, every XML special character, a "]]>" that would end a
// CDATA section, tags, an item without content and an item with its own
// author. Times are in a non-UTC zone to prove the output is UTC.
func sampleFeed() *Feed {
	cet := time.FixedZone("CET", 3600)
	return &Feed{
		ID:          "tag:example.org,2024:feed",
		Title:       "Notes & Letters <Ünïcode>",
		Description: `Essays on "feeds" & 'markup' — 日本語も`,
		HomeURL:     "https://example.org/",
		Language:    "en",
		Author:      Person{Name: "Ada Lovelace", Email: "ada@example.org", URL: "https://example.org/about/"},
		Generator:   "feedpub",
		Updated:     time.Date(2024, 3, 5, 10, 30, 0, 0, cet),
		Links: Links{
			RSS:  "https://example.org/rss.xml",
			Atom: "https://example.org/atom.xml",
			JSON: "https://example.org/feed.json",
		},
		Items: []Item{
			{
				ID:          "tag:example.org,2024:third",
				URL:         "https://example.org/articles/third/",
				Title:       "Grüße aus Zürich — ☕ & 🎉",
				Summary:     "Ein kurzer Gruß: naïve café, 東京, Ελληνικά.",
				ContentHTML: "<p>Grüße aus <em>Zürich</em> ☕</p>\n<p>CDATA ends with ]]> and again ]]]]>.</p>",
				Tags:        []string{"travel", "ünïcode"},
				Language:    "de",
				Published:   time.Date(2024, 3, 5, 9, 0, 0, 0, cet),
				Updated:     time.Date(2024, 3, 5, 10, 30, 0, 0, cet),
			},
			{
				ID:          "tag:example.org,2024:second",
				URL:         "https://example.org/articles/second/?a=1&b=2",
				Title:       `Escaping <tags> & "quotes" & 'apostrophes'`,
				Summary:     `If a < b && b > c then "x" isn't 'y'.`,
				ContentHTML: `<p>If <code>a &lt; b &amp;&amp; b &gt; c</code> then &quot;x&quot; isn't 'y'.</p><script>alert("]]>")</script>`,
				Author:      Person{Name: "Grace Hopper", Email: "grace@example.org"},
				Tags:        []string{"markup", "<xml>", "a&b"},
				Published:   time.Date(2024, 2, 1, 12, 0, 0, 0, time.UTC),
			},
			{
				ID:        "tag:example.org,2024:first",
				URL:       "https://example.org/articles/first/",
				Title:     "Summary only",
				Summary:   "This item has no full content, only this summary. Use <b>bold</b> & AT&T. <![CDATA[ stays text.",
				Published: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
				Updated:   time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
			},
		},
	}
}

// emptyFeed is a site with nothing published yet.
func emptyFeed() *Feed {
	f := sampleFeed()
	f.Items = nil
	f.Updated = time.Time{}
	return f
}

// benchFeed has n items of about 3 KB of HTML each, like a page of
// real articles.
func benchFeed(n int) *Feed {
	f := sampleFeed()
	f.Items = make([]Item, n)
	para := "<p>" + strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit & more. ", 7) + "</p>\n"
	body := strings.Repeat(para, 7)
	for i := range f.Items {
		f.Items[i] = Item{
			ID:          fmt.Sprintf("tag:example.org,2024:article-%d", i),
			URL:         fmt.Sprintf("https://example.org/articles/article-%d/", i),
			Title:       fmt.Sprintf("Article number %d", i),
			Summary:     "A summary of the article, one sentence long.",
			ContentHTML: body,
			Tags:        []string{"news", "go"},
			Published:   time.Date(2024, 1, 1+i, 8, 0, 0, 0, time.UTC),
		}
	}
	return f
}
