package feed

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gorilla/feeds"
)

// AtomContentType is the media type of an Atom document (RFC 4287 §7).
const AtomContentType = "application/atom+xml; charset=utf-8"

// atomEpoch is atom:updated for a feed that has no items yet: the element
// is mandatory (RFC 4287 §4.1.1) and a build time would make the bytes
// change on every render.
var atomEpoch = time.Unix(0, 0).UTC()

// atomDocument is the atom:feed element. The library's feed has a single
// link, no xml:lang, no generator and entries without category terms;
// the fields below replace or add those. Text constructs are type
// "text" and written as plainText.
type atomDocument struct {
	// Title, Subtitle and Author replace the library's, so their text is
	// written as plainText; the title comes first, where readers of the
	// source look for it.
	Title plainText `xml:"title"`
	feeds.AtomFeed
	Subtitle  plainText        `xml:"subtitle,omitempty"`
	Author    *atomPerson      `xml:"author"`
	Lang      string           `xml:"xml:lang,attr,omitempty"`
	HistoryNS string           `xml:"xmlns:fh,attr,omitempty"`
	Links     []feeds.AtomLink `xml:"link"`
	Generator string           `xml:"generator,omitempty"`
	// Archive is RFC 5005's fh:archive, which marks an archive document.
	Archive *struct{}    `xml:"fh:archive"`
	Entries []*atomEntry `xml:"entry"`
}

// atomEntry is an atom:entry with an optional xml:lang, one
// atom:category per tag, and its title, summary and author written as
// plainText.
type atomEntry struct {
	Title plainText `xml:"title"`
	feeds.AtomEntry
	Summary    *atomSummary   `xml:"summary"`
	Author     *atomPerson    `xml:"author"`
	Lang       string         `xml:"xml:lang,attr,omitempty"`
	Categories []atomCategory `xml:"category"`
}

// atomSummary is a type="text" atom:summary (RFC 4287 §4.2.13).
type atomSummary struct {
	Type string `xml:"type,attr"`
	Text string `xml:",innerxml"` // escaped by plainEscape
}

// atomPerson is an atom:author (RFC 4287 §3.2).
type atomPerson struct {
	Name  plainText `xml:"name"`
	URI   plainText `xml:"uri,omitempty"`
	Email plainText `xml:"email,omitempty"`
}

// atomCategory is atom:category, whose term attribute is required
// (RFC 4287 §4.2.2.1); the library writes the tag as element text.
type atomCategory struct {
	Term string `xml:"term,attr"`
}

// Atom renders f as an Atom 1.0 document (RFC 4287).
//
// The feed id is f.ID and must be set. The feed carries f.Author so that
// entries without their own author stay valid (RFC 4287 §4.1.1); when
// f.Author has no name, every item must name its own. Links are
// rel="self" to f.Links.Atom (left out when empty) and rel="alternate"
// to f.HomeURL; between them come a rel="hub" link per f.Hubs and
// f.Archive's current, prev-archive and next-archive (RFC 5005 §4), and
// an archive document carries fh:archive. An item's Enclosure becomes a
// rel="enclosure" link with its type and length. Entries carry the
// item's summary as text and its ContentHTML as escaped HTML
// (type="html"), left out when empty; the alternate link satisfies
// §4.1.1.3's need for a link when there is no content. updated is Item.Updated, else Published; for a feed without
// items it is the Unix epoch. Dates are RFC 3339 in UTC. Text
// constructs write & and < as hexadecimal character references (see
// plainText).
func Atom(f *Feed) ([]byte, error) {
	if err := checkAtom(f); err != nil {
		return nil, fmt.Errorf("rendering Atom: %w", err)
	}
	f = xmlSafeFeed(f)
	out, err := marshalXML(atomDocumentOf(f))
	if err != nil {
		return nil, fmt.Errorf("rendering Atom: %w", err)
	}
	return out, nil
}

// checkAtom adds Atom's own requirements to Feed.check: a feed id, and an
// author on the feed or on every entry.
func checkAtom(f *Feed) error {
	if err := f.check(); err != nil {
		return err
	}
	if f.ID == "" {
		return errors.New("feed has no id")
	}
	if f.Author.Name != "" {
		return nil
	}
	for i := range f.Items {
		if f.Items[i].Author.Name == "" {
			return fmt.Errorf("item %d: %s: no author, and the feed has none", i, f.Items[i].ID)
		}
	}
	return nil
}

func atomDocumentOf(f *Feed) *atomDocument {
	updated := f.updated()
	if updated.IsZero() {
		updated = atomEpoch
	}
	doc := &atomDocument{
		AtomFeed: feeds.AtomFeed{
			Xmlns:   atomNS,
			Id:      f.ID,
			Updated: rfc3339(updated),
		},
		Title:     plainText(f.Title),
		Subtitle:  plainText(f.Description),
		Author:    atomAuthor(f.Author),
		Lang:      f.Language,
		Generator: f.Generator,
		Entries:   make([]*atomEntry, len(f.Items)),
	}
	for _, l := range f.docLinks(atomURL, "application/atom+xml") {
		doc.Links = append(doc.Links, feeds.AtomLink{Href: l.Href, Rel: l.Rel, Type: l.Type})
	}
	doc.Links = append(doc.Links, feeds.AtomLink{Href: f.HomeURL, Rel: "alternate", Type: "text/html"})
	if f.Archive.IsArchive {
		doc.HistoryNS = historyNS
		doc.Archive = &struct{}{}
	}
	for i := range f.Items {
		doc.Entries[i] = atomEntryOf(&f.Items[i])
	}
	return doc
}

func atomEntryOf(it *Item) *atomEntry {
	e := &atomEntry{
		AtomEntry: feeds.AtomEntry{
			Id:        it.ID,
			Updated:   rfc3339(it.modified()),
			Published: rfc3339(it.Published),
			Links:     []feeds.AtomLink{{Href: it.URL, Rel: "alternate", Type: "text/html"}},
		},
		Title:      plainText(it.Title),
		Author:     atomAuthor(it.Author),
		Lang:       it.Language,
		Categories: make([]atomCategory, len(it.Tags)),
	}
	if enc := it.Enclosure; enc != nil {
		l := feeds.AtomLink{Href: enc.URL, Rel: "enclosure", Type: enc.Type}
		if enc.Length > 0 {
			// length is advisory and optional (RFC 4287 §4.2.7.6);
			// unknown is better said by leaving it out than by 0.
			l.Length = strconv.FormatInt(enc.Length, 10)
		}
		e.Links = append(e.Links, l)
	}
	if it.Summary != "" {
		e.Summary = &atomSummary{Type: "text", Text: plainEscape(it.Summary)}
	}
	if it.ContentHTML != "" {
		e.Content = &feeds.AtomContent{Content: it.ContentHTML, Type: "html"}
	}
	for i, tag := range it.Tags {
		e.Categories[i] = atomCategory{Term: tag}
	}
	return e
}

// atomAuthor is the atom:author for p, or nil when p has no name, which
// a Person construct requires (RFC 4287 §3.2.1).
func atomAuthor(p Person) *atomPerson {
	if p.Name == "" {
		return nil
	}
	return &atomPerson{Name: plainText(p.Name), URI: plainText(p.URL), Email: plainText(p.Email)}
}
