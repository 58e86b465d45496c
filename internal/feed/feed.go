// Package feed renders a list of items as RSS 2.0, Atom 1.0 and JSON Feed 1.1
// documents. It builds on github.com/gorilla/feeds' exported document structs
// and fills their gaps (self links, content:encoded, dc:creator, categories,
// stable ids, UTC dates) so every document is valid to the letter of its spec.
//
// Rendering is deterministic: the same Feed gives byte-identical documents.
package feed

import (
	"errors"
	"fmt"
	"time"
)

// Person is an author.
type Person struct {
	Name  string
	Email string // optional
	URL   string // optional
}

// Feed is everything a feed document says, independent of its format.
// Title and HomeURL are required; ID is required by Atom, whose feed must
// have an atom:id (RFC 4287 §4.1.1).
type Feed struct {
	// ID is the feed's permanent identity, a tag URI (RFC 4151).
	ID          string
	Title       string
	Description string
	// HomeURL is the absolute URL of the site's HTML index.
	HomeURL  string
	Language string // BCP 47, e.g. "en"; optional
	// Author is the site author; every Atom entry inherits it (RFC 4287
	// §4.1.1 requires an author on the feed or on every entry).
	Author    Person
	Generator string
	// Updated is the newest item's Updated time; it is not the build time,
	// so an unchanged article set renders unchanged bytes. When it is zero
	// the renderers compute that same value from Items. A feed with no
	// items has no such time: RSS then omits its channel dates and Atom,
	// whose atom:updated is mandatory (RFC 4287 §4.1.1), uses the Unix
	// epoch, a fixed value that says "nothing published yet".
	Updated time.Time
	// Links holds the absolute URLs of the feed's own documents, one per
	// format, used for rel="self" links and JSON Feed's feed_url. An
	// empty URL leaves that link out.
	Links Links
	// Hubs are the absolute URLs of the WebSub hubs the feed advertises:
	// atom:link rel="hub" in RSS and Atom, "hubs" in JSON Feed (WebSub
	// §4; JSON Feed 1.1 "hubs"). A hub needs the rel="self" link beside
	// it, so set Links too.
	Hubs []string
	// Archive is the feed's place in an archived feed (RFC 5005 §4);
	// the zero value is a feed without archives.
	Archive Archive
	Items   []Item
}

// Archive places a document in an archived feed (RFC 5005 §4): a
// subscription document, which has the newest entries and links to the
// newest archive document, or an archive document, which holds a fixed
// set of older entries and links to its neighbours.
type Archive struct {
	// IsArchive marks an archive document: RSS and Atom carry the
	// fh:archive element, which RFC 5005 §4 requires of one.
	IsArchive bool
	// Current is the subscription document (rel="current"); archive
	// documents only. In JSON Feed it is the feed_url, which identifies
	// the feed, rather than Links.JSON.
	Current Links
	// Prev is the next older archive document (rel="prev-archive"),
	// empty for the oldest. JSON Feed pages from newer to older, so
	// Prev.JSON is its next_url.
	Prev Links
	// Next is the next newer archive document (rel="next-archive"),
	// empty for the newest; the subscription document has none. JSON
	// Feed has no link back.
	Next Links
}

// Links are the absolute URLs at which a feed is published.
type Links struct {
	RSS  string
	Atom string
	JSON string
}

// Item is one article in a feed. ID, URL, Title and Published are
// required: every format identifies, links and dates each item.
type Item struct {
	// ID is the item's permanent identity, a tag URI (RFC 4151).
	ID    string
	URL   string // absolute URL of the article page
	Title string
	// Summary is plain text.
	Summary string
	// ContentHTML is the full article as HTML. Empty means summary only.
	ContentHTML string
	Author      Person // empty Name: the feed author
	Tags        []string
	Language    string // BCP 47; optional, empty means the feed's
	Published   time.Time
	// Updated is when the item last changed; zero means it has not
	// changed since Published.
	Updated time.Time
	// Enclosure is a media file attached to the item, or nil.
	Enclosure *Enclosure
}

// Enclosure is a media file attached to an item: RSS 2.0's <enclosure>,
// an Atom link rel="enclosure" (RFC 4287 §4.2.7.2) and a JSON Feed
// attachment.
type Enclosure struct {
	URL    string // absolute
	Length int64  // bytes; 0 means unknown
	Type   string // MIME type
}

// check reports the first missing field that every format needs, so the
// three renderers accept and reject the same feeds.
func (f *Feed) check() error {
	switch {
	case f.Title == "":
		return errors.New("feed has no title")
	case f.HomeURL == "":
		return errors.New("feed has no home URL")
	}
	for i := range f.Items {
		if err := f.Items[i].check(); err != nil {
			return fmt.Errorf("item %d: %w", i, err)
		}
	}
	return nil
}

func (it *Item) check() error {
	switch {
	case it.ID == "":
		return errors.New("no id")
	case it.URL == "":
		return fmt.Errorf("%s: no URL", it.ID)
	case it.Title == "":
		return fmt.Errorf("%s: no title", it.ID)
	case it.Published.IsZero():
		return fmt.Errorf("%s: no publication date", it.ID)
	}
	return nil
}

// authorOf returns the item's own author, or the feed's when the item
// names none.
func (f *Feed) authorOf(it *Item) Person {
	if it.Author.Name != "" {
		return it.Author
	}
	return f.Author
}

// modified is the item's last change: Updated, else Published.
func (it *Item) modified() time.Time {
	if it.Updated.IsZero() {
		return it.Published
	}
	return it.Updated
}

// updated is Feed.Updated, or the newest item change when that is zero;
// it is zero only for a feed without items.
func (f *Feed) updated() time.Time {
	if !f.Updated.IsZero() {
		return f.Updated
	}
	var newest time.Time
	for i := range f.Items {
		if m := f.Items[i].modified(); m.After(newest) {
			newest = m
		}
	}
	return newest
}

// rfc3339 formats t in UTC with a "Z" and whole seconds, the form shared
// by Atom (RFC 4287 §3.3) and JSON Feed; dropping fractions keeps every
// format reporting the same instant.
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// historyNS is the namespace of RFC 5005's fh:archive element.
const historyNS = "http://purl.org/syndication/history/1.0"

// relLink is one link relation of a feed document.
type relLink struct {
	Rel, Href, Type string
}

// docLinks returns the link relations of f's document in one format,
// whose URLs pick chooses from each Links and whose media type is typ:
// rel="self", then a rel="hub" per hub (WebSub §4 asks for both), then
// RFC 5005's current, prev-archive and next-archive. Empty URLs are left
// out.
func (f *Feed) docLinks(pick func(Links) string, typ string) []relLink {
	var links []relLink
	self := pick(f.Links)
	if self != "" {
		links = append(links, relLink{"self", self, typ})
		for _, hub := range f.Hubs {
			links = append(links, relLink{"hub", hub, ""})
		}
	}
	for _, l := range []relLink{
		{"current", pick(f.Archive.Current), typ},
		{"prev-archive", pick(f.Archive.Prev), typ},
		{"next-archive", pick(f.Archive.Next), typ},
	} {
		if l.Href != "" {
			links = append(links, l)
		}
	}
	return links
}

// rssURL, atomURL and jsonURL pick one format's URL from Links.
func rssURL(l Links) string  { return l.RSS }
func atomURL(l Links) string { return l.Atom }
func jsonURL(l Links) string { return l.JSON }
