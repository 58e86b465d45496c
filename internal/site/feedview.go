package site

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/feedpub/feedpub/internal/feed"
)

// Browsers are removing XSLT (Chromium already warns about it), so the
// feed stylesheet cannot be relied on to make a feed readable in a
// browser. Every RSS and Atom document therefore carries an HTML view of
// itself, Document.View, rendered with it: what the feed is, the address
// to subscribe with, and its items with their dates and summaries. The
// server answers a request for the feed that prefers text/html with the
// view; feed readers get the feed. `feedpub build` writes only the feed,
// whose <?xml-stylesheet?> still serves static hosts, which cannot
// negotiate.

// feedView is what the HTML view of a feed document shows.
type feedView struct {
	Format             string // "RSS" or "Atom"
	Title, Description string
	HomeURL            string
	// SubscribeURL is the address to paste into a feed reader: the feed
	// itself, or for an archive page the subscription feed it belongs to.
	SubscribeURL string
	Archive      bool
	// Items is the list of the feed's items (renderFeedItems), the same
	// in the view of each format.
	Items template.HTML
}

// feedViewItem is one item of a feedView.
type feedViewItem struct {
	Title, URL, Summary          string
	PublishedISO, PublishedHuman string
}

// renderFeedItems renders the list of f's items that the HTML views of
// f show: once for the views of every format, since it is most of what
// rendering a view of 50 items costs.
func (b *Builder) renderFeedItems(f *feed.Feed) (template.HTML, error) {
	items := make([]feedViewItem, len(f.Items))
	for i, it := range f.Items {
		items[i] = feedViewItem{
			Title:          it.Title,
			URL:            it.URL,
			Summary:        it.Summary,
			PublishedISO:   it.Published.UTC().Format(time.RFC3339),
			PublishedHuman: it.Published.UTC().Format("2 January 2006"),
		}
	}
	var buf strings.Builder
	if err := b.templates["feedview.html"].ExecuteTemplate(&buf, "feeditems", items); err != nil {
		return "", fmt.Errorf("rendering the items of %s: %w", f.Title, err)
	}
	return template.HTML(buf.String()), nil
}

// renderFeedView renders the HTML view of f in format, served at the
// decoded site path p under the feed's paths, with items, its list of
// items (renderFeedItems).
func (b *Builder) renderFeedView(f *feed.Feed, p string, paths feed.Links, format feedFormat, items template.HTML) (*Document, error) {
	view := feedView{
		Format:       format.name,
		Title:        f.Title,
		Description:  f.Description,
		HomeURL:      f.HomeURL,
		SubscribeURL: format.pick(f.Links),
		Archive:      f.Archive.IsArchive,
		Items:        items,
	}
	if view.Archive {
		view.SubscribeURL = format.pick(f.Archive.Current)
	}
	feeds, err := b.feedLinks(f.Title, paths)
	if err != nil {
		return nil, err
	}
	body, err := b.renderPage("feedview.html", pageData{
		Title:    f.Title + " · " + format.name + " feed",
		Feeds:    feeds,
		FeedView: view,
	})
	if err != nil {
		return nil, err
	}
	d := newDocument(p, HTMLContentType, KindPage, body)
	d.LastModified = f.Updated.Truncate(time.Second)
	return d, nil
}
