// Package feed renders a list of items as RSS 2.0, Atom 1.0 and JSON Feed 1.1
// documents. It builds on github.com/gorilla/feeds' exported document structs
// and fills their gaps (self links, content:encoded, dc:creator, categories,
// stable ids, UTC dates) so every document is valid to the letter of its spec.
//
// Rendering is deterministic: the same Feed gives byte-identical documents.
package feed

import "time"

// Person is an author.
type Person struct {
	Name  string
	Email string // optional
	URL   string // optional
}

// Feed is everything a feed document says, independent of its format.
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
	// so an unchanged article set renders unchanged bytes.
	Updated time.Time
	// Links holds the absolute URLs of the feed's own documents, one per
	// format, used for rel="self" and rel="alternate" links.
	Links Links
	Items []Item
}

// Links are the absolute URLs at which a feed is published.
type Links struct {
	RSS  string
	Atom string
	JSON string
}

// Item is one article in a feed.
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
	Language    string
	Published   time.Time
	Updated     time.Time
}
