package site

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"sync"
	"time"

	"github.com/feedpub/feedpub/internal/article"
)

//go:embed templates
var templateFS embed.FS

// parseTemplates parses every page template with the shared layout. Each
// page is its own template set, since they all define "head" and "foot".
func parseTemplates() (map[string]*template.Template, error) {
	sets := map[string]*template.Template{}
	for _, name := range []string{"index.html", "article.html", "notfound.html", "tag.html", "tags.html", "feedview.html"} {
		t, err := template.ParseFS(templateFS, "templates/layout.html", "templates/"+name)
		if err != nil {
			return nil, fmt.Errorf("parsing template %s: %w", name, err)
		}
		sets[name] = t.Lookup(name)
	}
	return sets, nil
}

// siteView is what every page shows of the site.
type siteView struct {
	Title, Description string
	HomeURL, StyleURL  string
	RSSURL, AtomURL    string
	JSONURL            string
	TagsURL, OPMLURL   string
}

// articleView is an article as the templates see it.
type articleView struct {
	Title, URL, Summary          string
	PublishedISO, PublishedHuman string
	Author, Bio, Lang            string
	Tags                         []tagLink
	Content                      template.HTML
}

// tagLink is a link to a tag's page.
type tagLink struct {
	Name, URL string
	Count     int // articles with the tag; on the tag list only
}

// feedLink is an autodiscovery link (<link rel="alternate">) to a feed.
type feedLink struct {
	// TypeAttr is the type attribute, written out whole so that the "+"
	// of the media type is not escaped as "&#43;" by html/template. It is
	// one of feedFormats' constants.
	TypeAttr   template.HTMLAttr
	Title, URL string
}

// pageData is the data of every page template.
type pageData struct {
	Site  siteView
	Lang  string
	Title string
	// Feeds are the autodiscovery links of the feeds that cover the
	// page, rendered (feedLinks): the site's, then those of the tag or
	// the article's tags. Empty means the site's.
	Feeds   []template.HTML
	Chrome  chrome
	Article articleView     // article page
	Entries []template.HTML // index, tag page: the articles' list entries
	Tag     tagLink         // tag page
	Tags    []tagLink       // tag list
	// FeedView is the HTML view of a feed (feedview.go).
	FeedView feedView
}

func (b *Builder) viewOf(a *article.Article) articleView {
	return articleView{
		Title:          a.Title,
		URL:            b.urls.absolute(articlePath(a.Slug)),
		Summary:        a.Summary,
		PublishedISO:   a.Published.UTC().Format(time.RFC3339),
		PublishedHuman: a.Published.UTC().Format("2 January 2006"),
		Author:         a.Author,
		Bio:            a.Bio,
		Lang:           a.Lang,
		Tags:           b.tagLinks(a.Tags),
	}
}

func (b *Builder) renderPage(name string, data pageData) ([]byte, error) {
	var page []byte
	err := b.executePage(name, data, func(body []byte) { page = bytes.Clone(body) })
	return page, err
}

// executePage renders the page template name with data into a buffer of
// pageBuffers and hands the bytes to use, which must not keep them.
func (b *Builder) executePage(name string, data pageData, use func(body []byte)) error {
	data.Site = b.site
	data.Chrome = b.chrome
	data.Lang = b.cfg.Site.Language
	if data.Feeds == nil {
		feeds, err := b.feedLinks(b.cfg.Site.Title, b.feedPaths)
		if err != nil {
			return err
		}
		data.Feeds = feeds
	}
	if data.Title == "" {
		data.Title = b.cfg.Site.Title
	}
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer pageBuffers.Put(buf)
	buf.Reset()
	if err := b.templates[name].Execute(buf, data); err != nil {
		return fmt.Errorf("rendering %s: %w", name, err)
	}
	use(buf.Bytes())
	return nil
}

// pageBuffers hold the buffers pages render into. A page keeps a copy of
// its exact size: a buffer that grew by doubling is on average half empty,
// which at 10,000 article pages held some 35 MB for nothing, and a
// reused buffer does not grow again for every page.
var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// articlePage renders a's page with content, its body as HTML, and
// returns its document (newPage), rendered from key.
func (b *Builder) articlePage(a *article.Article, content string, key pageKey) (*Document, error) {
	covering := []titledFeed{{b.cfg.Site.Title, b.feedPaths}}
	for _, tag := range a.Tags {
		if slug := b.slugOf(tag); slug != "" {
			covering = append(covering, titledFeed{b.cfg.Site.Title + ": " + tag, tagFeedPaths(slug)})
		}
	}
	feeds, err := b.pageFeedLinks(covering...)
	if err != nil {
		return nil, err
	}
	view := b.viewOf(a)
	// The body is produced by the article parsers, which escape plain
	// text and render (and sanitise) markup.
	view.Content = template.HTML(content)
	var d *Document
	err = b.executePage("article.html", pageData{
		Title:   a.Title + " · " + b.cfg.Site.Title,
		Feeds:   feeds,
		Article: view,
	}, func(body []byte) { d = b.newPage(articlePath(a.Slug), body) })
	if err != nil {
		return nil, err
	}
	if b.pageIndexKey != "" {
		d.pageKey = key
	}
	return d, nil
}

func (b *Builder) renderIndex(as []*article.Article) ([]byte, error) {
	list, err := b.summaryEntries(as)
	if err != nil {
		return nil, err
	}
	return b.renderPage("index.html", pageData{Entries: list})
}

// tagLinks returns links to the pages of tags, in the article's order and
// spelling; a tag without a slug gets no link.
func (b *Builder) tagLinks(tags []string) []tagLink {
	var links []tagLink
	for _, tag := range tags {
		if slug := b.slugOf(tag); slug != "" {
			links = append(links, tagLink{Name: tag, URL: b.urls.absolute(tagPath(slug))})
		}
	}
	return links
}
