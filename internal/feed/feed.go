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
	Items []Item
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
