package site

import (
	"fmt"
	"time"

	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/internal/feed"
)

// generator names feedpub in the feeds. It carries no version, so an
// upgrade alone does not change every feed's bytes.
const generator = "feedpub"

// renderFeeds renders the RSS, Atom and JSON feeds of the given articles.
func (r *renderRun) renderFeeds(as []*article.Article) error {
	f := r.b.feedOf(as)
	formats := []struct {
		path, contentType string
		render            func(*feed.Feed) ([]byte, error)
		xml               bool // gets the browser stylesheet
	}{
		{r.b.cfg.Feeds.RSSPath, feed.RSSContentType, feed.RSS, true},
		{r.b.cfg.Feeds.AtomPath, feed.AtomContentType, feed.Atom, true},
		{r.b.cfg.Feeds.JSONPath, feed.JSONContentType, feed.JSON, false},
	}
	for _, format := range formats {
		body, err := format.render(f)
		if err == nil && format.xml {
			body, err = withStylesheet(body, relativeRef(format.path, StylesheetPath))
		}
		if err != nil {
			return fmt.Errorf("rendering %s: %w", format.path, err)
		}
		d := newDocument(format.path, format.contentType, KindFeed, body)
		d.LastModified = f.Updated.Truncate(time.Second)
		r.add(d)
	}
	return nil
}

// feedOf describes the main feed: the given articles, newest first.
func (b *Builder) feedOf(as []*article.Article) *feed.Feed {
	f := &feed.Feed{
		ID:          b.urls.tag("feed"),
		Title:       b.cfg.Site.Title,
		Description: b.cfg.Site.Description,
		HomeURL:     b.site.HomeURL,
		Language:    b.cfg.Site.Language,
		Author:      feed.Person{Name: b.cfg.Site.Author, Email: b.cfg.Site.AuthorEmail},
		Generator:   generator,
		Links:       feed.Links{RSS: b.site.RSSURL, Atom: b.site.AtomURL, JSON: b.site.JSONURL},
		Items:       make([]feed.Item, len(as)),
	}
	for i, a := range as {
		f.Items[i] = b.itemOf(a)
		if a.Updated.After(f.Updated) {
			f.Updated = a.Updated
		}
	}
	return f
}

// itemOf describes one article as a feed item. Its id is a tag URI built
// from the article's stable id, never from its title, URL or date, so
// readers recognise it after any edit or rename.
func (b *Builder) itemOf(a *article.Article) feed.Item {
	it := feed.Item{
		ID:        b.urls.tag("articles/" + a.ID),
		URL:       b.urls.absolute(articlePath(a.Slug)),
		Title:     a.Title,
		Summary:   a.Summary,
		Author:    feed.Person{Name: a.Author},
		Tags:      a.Tags,
		Language:  a.Lang,
		Published: a.Published,
		Updated:   a.Updated,
	}
	if b.cfg.Feeds.FullContent {
		it.ContentHTML = contentWithByline(a)
	}
	return it
}

// contentWithByline is the article's HTML with its author's bio appended,
// as the article page shows it.
func contentWithByline(a *article.Article) string {
	if a.Bio == "" {
		return a.ContentHTML
	}
	return a.ContentHTML + "\n<p class=\"byline\"><em>" + escapeText(a.Bio) + "</em></p>"
}
