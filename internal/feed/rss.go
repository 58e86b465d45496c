package feed

import (
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/feeds"
)

// RSSContentType is the media type of an RSS 2.0 document.
const RSSContentType = "application/rss+xml; charset=utf-8"

// Namespaces of the RSS extensions in use; the prefixes are the ones
// readers expect.
const (
	atomNS    = "http://www.w3.org/2005/Atom"
	contentNS = "http://purl.org/rss/1.0/modules/content/"
	dcNS      = "http://purl.org/dc/elements/1.1/"
)

// rssDocument is the <rss> root. The library's wrapper declares only the
// content namespace; atom:link and dc:creator need theirs too, and an
// archive document RFC 5005's.
type rssDocument struct {
	feeds.RssFeedXml
	AtomNS    string      `xml:"xmlns:atom,attr"`
	DCNS      string      `xml:"xmlns:dc,attr"`
	HistoryNS string      `xml:"xmlns:fh,attr,omitempty"`
	Channel   *rssChannel `xml:"channel"`
}

// rssChannel is the <channel>. It is feeds.RssFeed's element order with
// the elements feedpub writes, its plain text written as plainText, and
// the links RSS itself cannot express, as atom:link elements: the self
// link the RSS Advisory Board's best practices ask for, WebSub hubs, and
// the archive links of RFC 5005 Appendix B, which also puts fh:archive
// in the channel of an archive document.
type rssChannel struct {
	XMLName        xml.Name  `xml:"channel"`
	Title          plainText `xml:"title"`
	Link           plainText `xml:"link"`
	Description    plainText `xml:"description"`
	Language       plainText `xml:"language,omitempty"`
	ManagingEditor plainText `xml:"managingEditor,omitempty"`
	PubDate        string    `xml:"pubDate,omitempty"`
	LastBuildDate  string    `xml:"lastBuildDate,omitempty"`
	Generator      plainText `xml:"generator,omitempty"`
	Links          []*rssAtomLink
	Archive        *struct{}  `xml:"fh:archive"`
	Items          []*rssItem `xml:"item"`
}

// rssAtomLink is an Atom link element inside RSS, under the atom prefix.
type rssAtomLink struct {
	XMLName xml.Name `xml:"atom:link"`
	feeds.AtomLink
}

// rssItem is an <item>. Unlike feeds.RssItem, description comes before
// content:encoded, as the RSS Best Practices Profile asks and the W3C
// validator checks (NeedDescriptionBeforeContent), and is left out
// rather than written empty; there is one category per tag (the
// library has a single string); and the author's name goes into
// dc:creator because RSS 2.0's <author> must be an email address.
// atom:updated carries the item's last change (RFC 4287 §4.2.15), which
// RSS has no element for, so all three formats report the same time.
type rssItem struct {
	XMLName     xml.Name  `xml:"item"`
	Title       plainText `xml:"title"`
	Link        plainText `xml:"link"`
	Description string    `xml:"description,omitempty"`
	Content     *feeds.RssContent
	Author      plainText   `xml:"author,omitempty"`
	Categories  []plainText `xml:"category"`
	Enclosure   *feeds.RssEnclosure
	Guid        rssGUID
	PubDate     string    `xml:"pubDate,omitempty"`
	Creator     plainText `xml:"dc:creator,omitempty"`
	Updated     string    `xml:"atom:updated,omitempty"`
}

// rssGUID is the item's <guid>, its text written as plainText.
type rssGUID struct {
	XMLName     xml.Name `xml:"guid"`
	IsPermaLink string   `xml:"isPermaLink,attr"`
	ID          string   `xml:",innerxml"` // escaped by plainEscape
}

// htmlEscaper escapes text for HTML character data, where only &, < and >
// are special.
var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// htmlText returns the plain text s as HTML that shows it literally.
func htmlText(s string) string { return htmlEscaper.Replace(s) }

// RSS renders f as an RSS 2.0 document
// (https://www.rssboard.org/rss-specification).
//
// The channel description falls back to the title because RSS requires
// a non-empty one. lastBuildDate is the feed's Updated time and pubDate
// the newest item's publication; both are left out for a feed without
// items. The channel's atom:link elements are rel="self" (f.Links.RSS),
// one rel="hub" per f.Hubs, and f.Archive's current, prev-archive and
// next-archive (RFC 5005 Appendix B); an archive document also has
// fh:archive. An item's Enclosure becomes <enclosure url length type>.
// managingEditor and item <author> appear only when an email is
// known, in the spec's "email (Name)" form. Each item's description is
// its Summary as HTML (omitted when empty): readers render RSS
// descriptions as HTML, so the plain text is escaped for HTML and then,
// by the encoder, for XML. content:encoded holds
// ContentHTML, and guid is the item ID with isPermaLink="false", since
// the ID is a tag URI rather than a URL. Dates are RFC 1123 with a
// numeric zone, always +0000. Plain-text elements write & and < as
// hexadecimal character references (see plainText).
func RSS(f *Feed) ([]byte, error) {
	if err := f.check(); err != nil {
		return nil, fmt.Errorf("rendering RSS: %w", err)
	}
	f = xmlSafeFeed(f)
	doc := &rssDocument{
		RssFeedXml: feeds.RssFeedXml{Version: "2.0", ContentNamespace: contentNS},
		AtomNS:     atomNS,
		DCNS:       dcNS,
		Channel:    rssChannelOf(f),
	}
	if f.Archive.IsArchive {
		doc.HistoryNS = historyNS
	}
	out, err := marshalXML(doc)
	if err != nil {
		return nil, fmt.Errorf("rendering RSS: %w", err)
	}
	return out, nil
}

func rssChannelOf(f *Feed) *rssChannel {
	description := f.Description
	if description == "" {
		description = f.Title
	}
	ch := &rssChannel{
		Title:          plainText(f.Title),
		Link:           plainText(f.HomeURL),
		Description:    plainText(description),
		Language:       plainText(f.Language),
		ManagingEditor: plainText(rssPerson(f.Author)),
		PubDate:        rfc1123(newestPublished(f.Items)),
		LastBuildDate:  rfc1123(f.updated()),
		Generator:      plainText(f.Generator),
		Items:          make([]*rssItem, len(f.Items)),
	}
	for _, l := range f.docLinks(rssURL, "application/rss+xml") {
		ch.Links = append(ch.Links, &rssAtomLink{AtomLink: feeds.AtomLink{Href: l.Href, Rel: l.Rel, Type: l.Type}})
	}
	if f.Archive.IsArchive {
		ch.Archive = &struct{}{}
	}
	for i := range f.Items {
		ch.Items[i] = rssItemOf(f, &f.Items[i])
	}
	return ch
}

func rssItemOf(f *Feed, it *Item) *rssItem {
	author := f.authorOf(it)
	item := &rssItem{
		Title:       plainText(it.Title),
		Link:        plainText(it.URL),
		Description: htmlText(it.Summary),
		Author:      plainText(rssPerson(author)),
		Categories:  make([]plainText, len(it.Tags)),
		Guid:        rssGUID{ID: plainEscape(it.ID), IsPermaLink: "false"},
		PubDate:     rfc1123(it.Published),
		Creator:     plainText(author.Name),
		Updated:     rfc3339(it.modified()),
	}
	for i, tag := range it.Tags {
		item.Categories[i] = plainText(tag)
	}
	if e := it.Enclosure; e != nil {
		item.Enclosure = &feeds.RssEnclosure{Url: e.URL, Length: strconv.FormatInt(e.Length, 10), Type: e.Type}
	}
	if it.ContentHTML != "" {
		// encoding/xml splits the CDATA section around any "]]>" in
		// the content, so the HTML needs no escaping of its own.
		item.Content = &feeds.RssContent{Content: it.ContentHTML}
	}
	return item
}

// rssPerson is the "email (Name)" form RSS 2.0 requires of
// managingEditor and item <author>, or "" when there is no email: a bare
// name there is invalid.
func rssPerson(p Person) string {
	switch {
	case p.Email == "":
		return ""
	case p.Name == "":
		return p.Email
	}
	return p.Email + " (" + p.Name + ")"
}

// rfc1123 formats t as RSS 2.0 dates are written (RFC 822 with a
// four-digit year), in UTC, or "" for the zero time.
func rfc1123(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC1123Z)
}

// newestPublished is the latest publication time among items, zero for
// none.
func newestPublished(items []Item) time.Time {
	var newest time.Time
	for i := range items {
		if items[i].Published.After(newest) {
			newest = items[i].Published
		}
	}
	return newest
}
