package feed

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/gorilla/feeds"
)

// JSONContentType is the media type of a JSON Feed 1.1 document.
const JSONContentType = "application/feed+json; charset=utf-8"

const jsonFeedVersion = "https://jsonfeed.org/version/1.1"

// jsonDocument is the top-level JSON Feed object. The library drops
// "items" when there are none, but the spec requires the key; this
// field, without omitempty, replaces it.
type jsonDocument struct {
	feeds.JSONFeed
	Items []*jsonItem `json:"items"`
}

// jsonAttachment is a JSON Feed 1.1 attachment. The library's type calls
// the size "size" and makes it 32 bits; the spec's key is size_in_bytes
// and podcasts pass 2 GiB.
type jsonAttachment struct {
	URL      string `json:"url"`
	MIMEType string `json:"mime_type"`
	Size     int64  `json:"size_in_bytes,omitempty"`
}

// jsonItem adds the 1.1 "language" key and writes dates as whole-second
// RFC 3339 in UTC, the same instants the XML formats carry.
type jsonItem struct {
	feeds.JSONItem
	DatePublished string           `json:"date_published,omitempty"`
	DateModified  string           `json:"date_modified,omitempty"`
	Language      string           `json:"language,omitempty"`
	Attachments   []jsonAttachment `json:"attachments,omitempty"`
}

// JSON renders f as a JSON Feed 1.1 document
// (https://jsonfeed.org/version/1.1), indented, with a final newline.
//
// Authors are written only as the 1.1 "authors" array, not also as the
// deprecated 1.0 "author" object: the version key says 1.1, and one
// source of truth cannot disagree with itself. An item has "authors"
// only when it names its own; readers fall back to the feed's. Each item
// needs content_html or content_text, so an item without ContentHTML
// carries its Summary (else its Title) as content_text. date_modified is
// Item.Updated, else Published. "hubs" lists f.Hubs as WebSub hubs.
// JSON Feed pages from newer to older (JSON Feed 1.1 next_url), so
// next_url is f.Archive.Prev.JSON, and the feed_url of an archive page is
// its subscription feed's, f.Archive.Current.JSON. An item's Enclosure
// becomes its one attachment, with size_in_bytes when the length is
// known. HTML in strings is not escaped as \u003c: JSON does
// not need it and readable output is worth more.
func JSON(f *Feed) ([]byte, error) {
	if err := f.check(); err != nil {
		return nil, fmt.Errorf("rendering JSON Feed: %w", err)
	}
	e := jsonEncoders.Get().(*jsonEncoder)
	defer jsonEncoders.Put(e)
	e.buf.Reset()
	if err := e.enc.Encode(jsonDocumentOf(f)); err != nil {
		return nil, fmt.Errorf("rendering JSON Feed: %w", err)
	}
	return bytes.Clone(e.buf.Bytes()), nil
}

// A jsonEncoder encodes JSON Feed documents into buf. They are pooled,
// as encodeBuffers are, and with their encoder, which keeps the buffer
// it indents into.
type jsonEncoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

var jsonEncoders = sync.Pool{New: func() any {
	e := &jsonEncoder{}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	e.enc.SetIndent("", "  ")
	return e
}}

func jsonDocumentOf(f *Feed) *jsonDocument {
	doc := &jsonDocument{
		JSONFeed: feeds.JSONFeed{
			Version:     jsonFeedVersion,
			Title:       f.Title,
			Language:    f.Language,
			HomePageUrl: f.HomeURL,
			FeedUrl:     f.Links.JSON,
			NextUrl:     f.Archive.Prev.JSON,
			Description: f.Description,
			Authors:     jsonAuthors(f.Author),
		},
		Items: make([]*jsonItem, len(f.Items)),
	}
	if f.Archive.Current.JSON != "" {
		// feed_url identifies the feed; every page of it shares one.
		doc.FeedUrl = f.Archive.Current.JSON
	}
	if doc.FeedUrl != "" {
		for _, hub := range f.Hubs {
			doc.Hubs = append(doc.Hubs, &feeds.JSONHub{Type: "WebSub", Url: hub})
		}
	}
	for i := range f.Items {
		doc.Items[i] = jsonItemOf(&f.Items[i])
	}
	return doc
}

func jsonItemOf(it *Item) *jsonItem {
	item := &jsonItem{
		JSONItem: feeds.JSONItem{
			Id:          it.ID,
			Url:         it.URL,
			Title:       it.Title,
			ContentHTML: it.ContentHTML,
			Summary:     it.Summary,
			Authors:     jsonAuthors(it.Author),
			Tags:        it.Tags,
		},
		DatePublished: rfc3339(it.Published),
		DateModified:  rfc3339(it.modified()),
		Language:      it.Language,
	}
	if e := it.Enclosure; e != nil {
		item.Attachments = []jsonAttachment{{URL: e.URL, MIMEType: e.Type, Size: e.Length}}
	}
	if it.ContentHTML == "" {
		item.ContentText = it.Summary
		if item.ContentText == "" {
			item.ContentText = it.Title
		}
	}
	return item
}

// jsonAuthors is the "authors" array for p, or nil when p has no name,
// matching Atom, where a person needs a name. JSON Feed has no email
// member, so the email is not published here.
func jsonAuthors(p Person) []*feeds.JSONAuthor {
	if p.Name == "" {
		return nil
	}
	return []*feeds.JSONAuthor{{Name: p.Name, Url: p.URL}}
}
