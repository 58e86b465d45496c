package feed

import (
	"slices"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
)

// parsedItem is what a reader sees of one item, in a form every format
// can be compared in.
type parsedItem struct {
	ID, Title, Link, Author, Content string
	Published, Updated               time.Time
	Categories                       []string
}

// wantItem is what every reader should see of it in the given format.
// JSON Feed is the one difference: an item without HTML carries its
// summary as content_text, which gofeed reports as the content.
func wantItem(f *Feed, it *Item, format string) parsedItem {
	content := it.ContentHTML
	if content == "" && format == "JSON" {
		content = it.Summary
	}
	return parsedItem{
		ID: it.ID, Title: it.Title, Link: it.URL,
		Author: f.authorOf(it).Name, Content: content,
		Published: it.Published, Updated: it.modified(),
		Categories: it.Tags,
	}
}

// gotItem reads a gofeed item; an item without an author of its own gets
// the feed's, as RFC 4287 §4.1.1 and JSON Feed define.
func gotItem(feed *gofeed.Feed, it *gofeed.Item) parsedItem {
	p := parsedItem{
		ID: it.GUID, Title: it.Title, Link: it.Link, Content: it.Content,
		Categories: it.Categories,
	}
	switch {
	case len(it.Authors) > 0:
		p.Author = it.Authors[0].Name
	case len(feed.Authors) > 0:
		p.Author = feed.Authors[0].Name
	}
	if it.PublishedParsed != nil {
		p.Published = *it.PublishedParsed
	}
	if it.UpdatedParsed != nil {
		p.Updated = *it.UpdatedParsed
	}
	return p
}

func (p parsedItem) equal(q parsedItem) bool {
	return p.ID == q.ID && p.Title == q.Title && p.Link == q.Link &&
		p.Author == q.Author && p.Content == q.Content &&
		p.Published.Equal(q.Published) && p.Updated.Equal(q.Updated) &&
		slices.Equal(p.Categories, q.Categories)
}

// TestRoundTrip parses every format back with gofeed and requires the
// same items, in the same order, with the same fields, so a reader
// subscribed to any of the three shows the same thing.
func TestRoundTrip(t *testing.T) {
	for _, build := range []func() *Feed{sampleFeed, emptyFeed} {
		src := build()
		for _, r := range renderers {
			t.Run(r.name, func(t *testing.T) {
				doc, err := r.render(src)
				if err != nil {
					t.Fatal(err)
				}
				parsed, err := gofeed.NewParser().ParseString(string(doc))
				if err != nil {
					t.Fatalf("gofeed: %v", err)
				}
				checkFeedFields(t, src, parsed, r.name)
				if len(parsed.Items) != len(src.Items) {
					t.Fatalf("gofeed found %d items, want %d", len(parsed.Items), len(src.Items))
				}
				for i := range src.Items {
					got := gotItem(parsed, parsed.Items[i])
					want := wantItem(src, &src.Items[i], r.name)
					if !got.equal(want) {
						t.Errorf("item %d:\n got %+v\nwant %+v", i, got, want)
					}
				}
			})
		}
	}
}

func checkFeedFields(t *testing.T, src *Feed, parsed *gofeed.Feed, format string) {
	t.Helper()
	self := map[string]string{"RSS": src.Links.RSS, "Atom": src.Links.Atom, "JSON": src.Links.JSON}[format]
	if parsed.FeedLink != self {
		t.Errorf("feed link %q, want %q", parsed.FeedLink, self)
	}
	if parsed.Title != src.Title {
		t.Errorf("title %q, want %q", parsed.Title, src.Title)
	}
	if parsed.Link != src.HomeURL {
		t.Errorf("link %q, want %q", parsed.Link, src.HomeURL)
	}
	if parsed.Language != src.Language {
		t.Errorf("language %q, want %q", parsed.Language, src.Language)
	}
	if len(parsed.Authors) == 0 || parsed.Authors[0].Name != src.Author.Name {
		t.Errorf("authors %+v, want %q", parsed.Authors, src.Author.Name)
	}
}
