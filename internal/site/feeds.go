package site

import (
	"errors"
	"fmt"
	"html/template"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/internal/feed"
)

// generator names feedpub in the feeds. It carries no version, so an
// upgrade alone does not change every feed's bytes.
const generator = "feedpub"

// feedFormat is one of the three formats every feed is published in.
type feedFormat struct {
	name        string // for link titles: "RSS", "Atom", "JSON Feed"
	contentType string
	mediaType   string // contentType without parameters, for links
	render      feed.Renderer
	xml         bool // gets the browser stylesheet
	pick        func(feed.Links) string
}

var feedFormats = []feedFormat{
	{"RSS", feed.RSSContentType, "application/rss+xml", feed.RSS, true, func(l feed.Links) string { return l.RSS }},
	{"Atom", feed.AtomContentType, "application/atom+xml", feed.Atom, true, func(l feed.Links) string { return l.Atom }},
	{"JSON Feed", feed.JSONContentType, "application/feed+json", feed.JSON, false, func(l feed.Links) string { return l.JSON }},
}

// feedKind tells the two kinds of feed documents apart.
type feedKind int

const (
	// subscriptionFeed is a feed readers subscribe to: the main feed and
	// the tag feeds. It is a WebSub topic, and over its size budget it
	// leaves out its oldest items, which the archive keeps.
	subscriptionFeed feedKind = iota
	// archivePage is an RFC 5005 archive document. It is the complete
	// record of its articles, so over budget it shortens them to their
	// summaries but never leaves one out.
	archivePage
)

// feedDocs is the rendered documents of one feed, RSS, Atom and JSON.
type feedDocs struct {
	docs   []*Document
	fitted feed.Fitted // summed over the three
	// mostDropped is the most items any one of the three left out.
	mostDropped int
}

// renderFeed renders f in every format at the decoded site paths in
// paths, each kept within [feeds] max_bytes by feed.Fit. The RSS and
// Atom documents point browsers at the feed stylesheet and carry their
// HTML view (feedview.go). Subscription
// feeds are WebSub topics: their Topic is their own URL, and with hubs
// configured their Link header names the hubs and themselves (WebSub
// §4). The three formats render in parallel: a rebuild waits for the
// feeds of the changed article's tags and archive page, and each is
// independent of the others.
func (b *Builder) renderFeed(f *feed.Feed, paths feed.Links, kind feedKind) (feedDocs, error) {
	items, err := b.renderFeedItems(f)
	if err != nil {
		return feedDocs{}, err
	}
	docs := make([]*Document, len(feedFormats))
	fitted := make([]feed.Fitted, len(feedFormats))
	errs := make([]error, len(feedFormats))
	var wg sync.WaitGroup
	for i := range feedFormats {
		wg.Go(func() { docs[i], fitted[i], errs[i] = b.renderFormat(f, paths, kind, feedFormats[i], items) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return feedDocs{}, err
	}
	out := feedDocs{docs: docs}
	for _, fit := range fitted {
		out.fitted.Summarized += fit.Summarized
		out.fitted.Dropped += fit.Dropped
		out.mostDropped = max(out.mostDropped, fit.Dropped)
	}
	return out, nil
}

// renderFormat renders f in one format for renderFeed, with items, the
// list of items of its HTML view. f is only read.
func (b *Builder) renderFormat(f *feed.Feed, paths feed.Links, kind feedKind, format feedFormat, items template.HTML) (*Document, feed.Fitted, error) {
	p := format.pick(paths)
	render := format.render
	if format.xml {
		render = func(f *feed.Feed) ([]byte, error) {
			doc, err := format.render(f)
			if err != nil {
				return nil, err
			}
			return withStylesheet(doc, relativeRef(p, StylesheetPath))
		}
	}
	body, fitted, err := feed.Fit(f, render, b.cfg.Feeds.MaxBytes, kind == subscriptionFeed)
	if err != nil {
		return nil, feed.Fitted{}, fmt.Errorf("rendering %s: %w", p, err)
	}
	d := newDocument(p, format.contentType, KindFeed, body)
	d.LastModified = f.Updated.Truncate(time.Second)
	if format.xml {
		if d.View, err = b.renderFeedView(f, p, paths, format, items); err != nil {
			return nil, feed.Fitted{}, fmt.Errorf("rendering the HTML view of %s: %w", p, err)
		}
	}
	if kind == subscriptionFeed {
		d.Topic = format.pick(f.Links)
		d.LinkHeader = linkHeader(f.Hubs, d.Topic)
	}
	return d, fitted, nil
}

// linkHeader is the Link header field value (RFC 8288 §3) that names a
// topic's hubs and the topic itself, or "" without hubs.
func linkHeader(hubs []string, self string) string {
	if len(hubs) == 0 {
		return ""
	}
	var b strings.Builder
	for _, hub := range hubs {
		b.WriteString("<" + hub + `>; rel="hub", `)
	}
	b.WriteString("<" + self + `>; rel="self"`)
	return b.String()
}

// feedMemo remembers the documents rendered for one feed from a list of
// articles. Articles are immutable and reused for unchanged files, so
// the same pointers in the same order, with the same extra (whatever
// else the documents depend on, like their archive links), give the same
// bytes and need no rendering.
type feedMemo struct {
	articles []*article.Article
	extra    string
	feedDocs
	// key is the feedKey of the description of an archive page, for the
	// index of pages kept in the store (pageindex.go), or ""; indexed
	// is set on the memo of documents taken from that index.
	key     string
	indexed bool
}

// valid reports whether m holds the documents for articles and extra.
func (m *feedMemo) valid(articles []*article.Article, extra string) bool {
	return m != nil && m.extra == extra && slices.Equal(m.articles, articles)
}

// feedOrMemo returns the documents of a feed, reused from memo when it is
// valid, else described by describe and rendered; the caller keeps the
// returned memo for the next build.
func (r *renderRun) feedOrMemo(memo *feedMemo, articles []*article.Article, extra string, paths feed.Links, kind feedKind, describe func() *feed.Feed) (*feedMemo, error) {
	m, fresh, err := r.b.feedMemoFor(memo, articles, extra, paths, kind, describe)
	if err != nil {
		return nil, err
	}
	r.keepFeed(m, fresh)
	return m, nil
}

// feedMemoFor is feedOrMemo without adding the documents to a run: memo
// itself when it is valid, else a fresh memo (fresh true).
func (b *Builder) feedMemoFor(memo *feedMemo, articles []*article.Article, extra string, paths feed.Links, kind feedKind, describe func() *feed.Feed) (m *feedMemo, fresh bool, err error) {
	if memo.valid(articles, extra) {
		return memo, false, nil
	}
	docs, err := b.renderFeed(describe(), paths, kind)
	if err != nil {
		return nil, false, err
	}
	return &feedMemo{articles: articles, extra: extra, feedDocs: docs}, true, nil
}

// keepFeed adds a feed's documents to the run, as freshly rendered or
// as reused, and counts what they had to leave out.
func (r *renderRun) keepFeed(m *feedMemo, fresh bool) {
	if fresh {
		for _, d := range m.docs {
			r.add(d)
		}
	} else {
		r.reuse(m.docs...)
	}
	r.stats.Summarized += m.fitted.Summarized
	r.stats.Dropped += m.fitted.Dropped
}

// mainFeedMemo returns the documents of the main feed of the given
// articles, the newest ones, without adding them to the run;
// archivePages is the number of archive pages, the newest of which its
// prev-archive link names (RFC 5005 §4).
func (r *renderRun) mainFeedMemo(as []*article.Article, archivePages int) (*feedMemo, bool, error) {
	b := r.b
	return b.feedMemoFor(b.memos.main, as, fmt.Sprint(archivePages), b.feedPaths, subscriptionFeed, func() *feed.Feed {
		f := b.feedOf(as, b.cfg.Feeds.FullContent)
		if archivePages > 0 {
			f.Archive.Prev = b.absoluteLinks(archivePaths(archivePages))
		}
		return f
	})
}

// feedOf describes the main feed: the given articles, newest first,
// with their content when full.
func (b *Builder) feedOf(as []*article.Article, full bool) *feed.Feed {
	return b.describeFeed(b.urls.tag("feed"), b.cfg.Site.Title, b.site.HomeURL, b.absoluteLinks(b.feedPaths), as, full)
}

// describeFeed describes a feed of the given articles, newest first,
// with the site's description, language, author and hubs, and with the
// articles' content when full.
func (b *Builder) describeFeed(id, title, home string, links feed.Links, as []*article.Article, full bool) *feed.Feed {
	f := &feed.Feed{
		ID:          id,
		Title:       title,
		Description: b.cfg.Site.Description,
		HomeURL:     home,
		Language:    b.cfg.Site.Language,
		Author:      feed.Person{Name: b.cfg.Site.Author, Email: b.cfg.Site.AuthorEmail},
		Generator:   generator,
		Links:       links,
		Hubs:        b.cfg.WebSub.Hubs,
		Items:       make([]feed.Item, len(as)),
	}
	for i, a := range as {
		f.Items[i] = b.itemOf(a, full)
		if a.Updated.After(f.Updated) {
			f.Updated = a.Updated
		}
	}
	return f
}

// absoluteLinks returns the absolute URLs of decoded site paths.
func (b *Builder) absoluteLinks(paths feed.Links) feed.Links {
	return feed.Links{RSS: b.urls.absolute(paths.RSS), Atom: b.urls.absolute(paths.Atom), JSON: b.urls.absolute(paths.JSON)}
}

// itemOf describes one article as a feed item. Its id is a tag URI built
// from the article's stable id, never from its title, URL or date, so
// readers recognise it after any edit or rename.
func (b *Builder) itemOf(a *article.Article, full bool) feed.Item {
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
	if full {
		it.ContentHTML = b.contentWithByline(a)
	}
	if e := a.Enclosure; e != nil {
		it.Enclosure = &feed.Enclosure{URL: e.URL, Length: e.Length, Type: e.Type}
	}
	return it
}

// contentWithByline is the article's HTML with its author's bio appended,
// as the article page shows it.
func (b *Builder) contentWithByline(a *article.Article) string {
	content := b.content(a)
	if a.Bio == "" {
		return content
	}
	return content + "\n<p class=\"byline\"><em>" + escapeText(a.Bio) + "</em></p>"
}

// content returns a's body as HTML, read again from its file when the
// library keeps it there (library.Options.BodiesOnDisk). A file that
// cannot be read any more, deleted or made unreadable since the scan
// (which brings another build), gives the summary, so that no page or
// item is left blank meanwhile.
func (b *Builder) content(a *article.Article) string {
	html, _ := b.contentAsRead(a)
	return html
}

// contentAsRead is content that also reports whether the body is the one
// a was read with (library.Library.ContentAsRead); the summary given for
// a file that cannot be read is not.
func (b *Builder) contentAsRead(a *article.Article) (string, bool) {
	if !a.BodyOnDisk {
		return a.ContentHTML, true
	}
	if html, ok := b.newest[a]; ok {
		return html, true
	}
	html, asRead, err := b.lib.ContentAsRead(a)
	if err != nil {
		return "<p>" + escapeText(a.Summary) + "</p>", false
	}
	return html, asRead
}

// newestBodies returns the bodies of the given articles, the newest,
// which every feed with full content shows, as read from their files: those
// of the last build's newest articles are kept, so a change that adds
// an article reads one body, where it read a whole feed's, and the new
// article's page takes its body from here too. Articles are immutable,
// so the same pointer has the same body.
func (b *Builder) newestBodies(latest []*article.Article) map[*article.Article]string {
	if !b.cfg.Feeds.FullContent {
		return nil
	}
	bodies := make(map[*article.Article]string, len(latest))
	for _, a := range latest {
		if !a.BodyOnDisk {
			continue
		}
		if html, asRead := b.contentAsRead(a); asRead {
			bodies[a] = html
		}
	}
	return bodies
}
