package site

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
)

// opmlPath is where the list of the site's feeds is served.
const opmlPath = "/feeds.opml"

// OPMLContentType is the media type of the feed list. OPML has no
// registered type; text/x-opml is the one readers and browsers know.
const OPMLContentType = "text/x-opml; charset=utf-8"

// opmlDocument is an OPML 2.0 document (http://opml.org/spec2.opml).
type opmlDocument struct {
	XMLName xml.Name      `xml:"opml"`
	Version string        `xml:"version,attr"`
	Title   string        `xml:"head>title"`
	Owner   string        `xml:"head>ownerName,omitempty"`
	Docs    string        `xml:"head>docs"`
	Body    []opmlOutline `xml:"body>outline"`
}

// opmlOutline is an outline element: a feed (type="rss", with xmlUrl and
// text required, OPML 2.0 "Subscription lists") or a folder of them.
type opmlOutline struct {
	Type     string        `xml:"type,attr,omitempty"`
	Text     string        `xml:"text,attr"`
	Title    string        `xml:"title,attr,omitempty"`
	XMLURL   string        `xml:"xmlUrl,attr,omitempty"`
	HTMLURL  string        `xml:"htmlUrl,attr,omitempty"`
	Language string        `xml:"language,attr,omitempty"`
	Outlines []opmlOutline `xml:"outline"`
}

// renderOPML renders /feeds.opml, the subscription list a reader imports
// to follow the site and every tag: the main feed, then a "Tags" folder
// with one outline per tag. Each feed is listed once, as RSS; listing
// every format would subscribe an importing reader to each feed three
// times. The document carries no date: it would be the build time, or
// change with every article, and readers do not need it.
func (r *renderRun) renderOPML(groups []*tagGroup) (*pageMemo, error) {
	b := r.b
	var key strings.Builder
	for _, g := range groups {
		key.WriteString(g.slug + "\x00" + g.name + "\x00")
	}
	return r.docOrMemo(b.memos.opml, nil, key.String(), func() (*Document, error) {
		doc := opmlDocument{
			Version: "2.0",
			Title:   b.cfg.Site.Title,
			Owner:   b.cfg.Site.Author,
			Docs:    "http://opml.org/spec2.opml",
			Body:    []opmlOutline{b.opmlFeed(b.cfg.Site.Title, b.site.HomeURL, b.site.RSSURL)},
		}
		if len(groups) > 0 {
			folder := opmlOutline{Text: "Tags", Title: "Tags"}
			for _, g := range groups {
				folder.Outlines = append(folder.Outlines, b.opmlFeed(b.cfg.Site.Title+": "+g.name,
					b.urls.absolute(tagPath(g.slug)), b.urls.absolute(tagFeedPaths(g.slug).RSS)))
			}
			doc.Body = append(doc.Body, folder)
		}
		var buf bytes.Buffer
		buf.WriteString(xml.Header)
		enc := xml.NewEncoder(&buf)
		enc.Indent("", "  ")
		if err := enc.Encode(doc); err != nil {
			return nil, fmt.Errorf("rendering %s: %w", opmlPath, err)
		}
		buf.WriteByte('\n')
		return newDocument(opmlPath, OPMLContentType, KindAsset, buf.Bytes()), nil
	})
}

func (b *Builder) opmlFeed(title, home, rss string) opmlOutline {
	return opmlOutline{Type: "rss", Text: title, Title: title, XMLURL: rss, HTMLURL: home, Language: b.cfg.Site.Language}
}
