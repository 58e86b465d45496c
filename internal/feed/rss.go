package feed

import (
	"encoding/xml"
	"fmt"
	"strconv"
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

// rssChannel adds the links RSS itself cannot express, as atom:link
// elements: the self link the RSS Advisory Board's best practices ask
// for, WebSub hubs, and the archive links of RFC 5005 Appendix B, which
// also puts fh:archive in the channel of an archive document.
type rssChannel struct {
	feeds.RssFeed
	Links   []*rssAtomLink
	Archive *struct{}  `xml:"fh:archive"`
	Items   []*rssItem `xml:"item"`
}

// rssAtomLink is an Atom link element inside RSS, under the atom prefix.
type rssAtomLink struct {
	XMLName xml.Name `xml:"atom:link"`
	feeds.AtomLink
}

// rssItem fixes feeds.RssItem where it falls short: description is left
// out rather than written empty, there is one category per tag (the
// library has a single string), and the author's name goes into
// dc:creator because RSS 2.0's <author> must be an email address.
// atom:updated carries the item's last change (RFC 4287 §4.2.15), which
// RSS has no element for, so all three formats report the same time.
type rssItem struct {
	feeds.RssItem
	Description string   `xml:"description,omitempty"`
	Categories  []string `xml:"category"`
	Creator     string   `xml:"dc:creator,omitempty"`
	Updated     string   `xml:"atom:updated,omitempty"`
}

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
// its Summary as plain text (omitted when empty), content:encoded holds
// ContentHTML, and guid is the item ID with isPermaLink="false", since
// the ID is a tag URI rather than a URL. Dates are RFC 1123 with a
// numeric zone, always +0000.
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
		RssFeed: feeds.RssFeed{
			Title:          f.Title,
			Link:           f.HomeURL,
			Description:    description,
			Language:       f.Language,
			ManagingEditor: rssPerson(f.Author),
			PubDate:        rfc1123(newestPublished(f.Items)),
			LastBuildDate:  rfc1123(f.updated()),
			Generator:      f.Generator,
		},
		Items: make([]*rssItem, len(f.Items)),
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
		RssItem: feeds.RssItem{
			Title:   it.Title,
			Link:    it.URL,
			Author:  rssPerson(author),
			Guid:    &feeds.RssGuid{Id: it.ID, IsPermaLink: "false"},
			PubDate: rfc1123(it.Published),
		},
		Description: it.Summary,
		Categories:  it.Tags,
		Creator:     author.Name,
		Updated:     rfc3339(it.modified()),
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
