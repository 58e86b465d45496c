package site

import (
	"bytes"
	"html/template"

	"github.com/feedpub/feedpub/internal/feed"
)

// chrome is the HTML every page shares, rendered once per configuration
// by the same templates: a page of a cold start of thousands then runs
// only the template actions of its own content. (html/template's URL
// filtering of each link is most of a small page's cost.)
type chrome struct {
	Stylesheet, Header, Footer template.HTML
}

// renderChrome renders the shared parts for the site.
func (b *Builder) renderChrome() (chrome, error) {
	var c chrome
	for _, part := range []struct {
		name string
		out  *template.HTML
	}{{"stylesheet", &c.Stylesheet}, {"header", &c.Header}, {"footer", &c.Footer}} {
		html, err := b.renderFragment(part.name, pageData{Site: b.site})
		if err != nil {
			return chrome{}, err
		}
		*part.out = html
	}
	return c, nil
}

// renderFragment renders one of the layout's templates on its own. The
// templates escape every value, so the result is safe HTML.
func (b *Builder) renderFragment(name string, data any) (template.HTML, error) {
	var buf bytes.Buffer
	if err := b.templates["index.html"].Lookup(name).Execute(&buf, data); err != nil {
		return "", err
	}
	return template.HTML(buf.String()), nil
}

// feedLinks returns the autodiscovery links (<link rel="alternate">) of
// the feed titled title at the decoded paths, one per format, rendered
// once per feed and remembered: every article page carries the site's
// and its tags'.
func (b *Builder) feedLinks(title string, paths feed.Links) ([]template.HTML, error) {
	key := title + "\x00" + paths.RSS + "\x00" + paths.Atom + "\x00" + paths.JSON
	b.feedLinksMu.Lock()
	defer b.feedLinksMu.Unlock()
	if links, ok := b.feedLinksHTML[key]; ok {
		return links, nil
	}
	links := make([]template.HTML, len(feedFormats))
	for i, f := range feedFormats {
		link := feedLink{TypeAttr: template.HTMLAttr(`type="` + f.mediaType + `"`), Title: title + " (" + f.name + ")", URL: b.urls.absolute(f.pick(paths))}
		html, err := b.renderFragment("feedlink", link)
		if err != nil {
			return nil, err
		}
		links[i] = html
	}
	b.feedLinksHTML[key] = links
	return links, nil
}

// pageFeedLinks returns the autodiscovery links of the given feeds, in
// order, each a title and its paths.
func (b *Builder) pageFeedLinks(feeds ...titledFeed) ([]template.HTML, error) {
	var out []template.HTML
	for _, f := range feeds {
		links, err := b.feedLinks(f.title, f.paths)
		if err != nil {
			return nil, err
		}
		out = append(out, links...)
	}
	return out, nil
}

// titledFeed names a feed for pageFeedLinks.
type titledFeed struct {
	title string
	paths feed.Links
}
