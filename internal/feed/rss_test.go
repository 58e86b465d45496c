package feed

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/feedpub/feedpub/internal/feed/feedtest"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// literalSummary is plain text that looks like markup: a reader must show
// it as written, not as bold text, and must not swallow the CDATA opener.
const literalSummary = "Use <b>bold</b> & AT&T. <![CDATA[ stays text."

func literalFeed() *Feed {
	f := sampleFeed()
	f.Items = f.Items[:1]
	f.Items[0].Summary = literalSummary
	return f
}

// shownText is the text a browser shows for the HTML fragment s.
func shownText(t *testing.T, s string) string {
	t.Helper()
	nodes, err := html.ParseFragment(strings.NewReader(s), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		t.Fatalf("parsing %q as HTML: %v", s, err)
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return b.String()
}

// TestRSSDescriptionIsHTML holds RSS 2.0's reading of <description> as
// HTML: the plain-text summary is escaped for HTML before XML, so a
// reader rendering it shows the literal text. Atom's type="text" summary
// and JSON Feed's summary stay plain text.
func TestRSSDescriptionIsHTML(t *testing.T) {
	f := literalFeed()
	doc, err := RSS(f)
	if err != nil {
		t.Fatal(err)
	}
	var rss struct {
		Items []struct {
			Description string `xml:"description"`
		} `xml:"channel>item"`
	}
	if err := xml.Unmarshal(doc, &rss); err != nil {
		t.Fatal(err)
	}
	if len(rss.Items) != 1 {
		t.Fatalf("%d items, want 1", len(rss.Items))
	}
	if got := shownText(t, rss.Items[0].Description); got != literalSummary {
		t.Errorf("RSS description %q shows as %q, want %q", rss.Items[0].Description, got, literalSummary)
	}

	doc, err = Atom(f)
	if err != nil {
		t.Fatal(err)
	}
	var atom struct {
		Entries []struct {
			Summary struct {
				Type string `xml:"type,attr"`
				Text string `xml:",chardata"`
			} `xml:"summary"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(doc, &atom); err != nil {
		t.Fatal(err)
	}
	if s := atom.Entries[0].Summary; s.Type != "text" || s.Text != literalSummary {
		t.Errorf("Atom summary type=%q %q, want type=\"text\" %q", s.Type, s.Text, literalSummary)
	}

	doc, err = JSON(f)
	if err != nil {
		t.Fatal(err)
	}
	var jf struct {
		Items []struct {
			Summary string `json:"summary"`
		} `json:"items"`
	}
	if err := json.Unmarshal(doc, &jf); err != nil {
		t.Fatal(err)
	}
	if got := jf.Items[0].Summary; got != literalSummary {
		t.Errorf("JSON summary %q, want %q", got, literalSummary)
	}
}

// TestFeedparserShowsLiteralSummary has Universal Feed Parser, which
// reads RSS descriptions as text/html, report the summary text a reader
// shows for every item of the sample feed, in RSS and Atom: it must be
// the plain-text summary as written, markup-like text and all.
func TestFeedparserShowsLiteralSummary(t *testing.T) {
	f := sampleFeed()
	var want []string
	for _, it := range f.Items {
		want = append(want, it.Summary)
	}
	if !strings.HasSuffix(want[len(want)-1], literalSummary) {
		t.Fatalf("the sample feed's last summary should end in %q", literalSummary)
	}
	for _, r := range []renderer{{"RSS", RSS}, {"Atom", Atom}} {
		t.Run(r.name, func(t *testing.T) {
			doc, err := r.render(f)
			if err != nil {
				t.Fatal(err)
			}
			if got := feedtest.FeedparserSummaries(t, doc); !slices.Equal(got, want) {
				t.Errorf("feedparser shows summaries\n%q\nwant\n%q", got, want)
			}
		})
	}
}

// leafElements calls fn with the name, parent and raw inner bytes (as
// written, before any unescaping) of every element of the RSS or Atom
// document doc that has no child elements.
func leafElements(t *testing.T, doc []byte, fn func(name, parent string, raw []byte)) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	type open struct {
		name     string
		start    int64
		children bool
	}
	var stack []open
	for {
		before := d.InputOffset()
		tok, err := d.RawToken()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			if len(stack) > 0 {
				stack[len(stack)-1].children = true
			}
			stack = append(stack, open{name: qname(tk.Name), start: d.InputOffset()})
		case xml.EndElement:
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if top.children {
				continue
			}
			parent := ""
			if len(stack) > 0 {
				parent = stack[len(stack)-1].name
			}
			fn(top.name, parent, doc[top.start:before])
		}
	}
}

func qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// TestPlainTextCharacterReferences holds the RSS Best Practices
// Profile's rule the W3C validator warns about ("CharacterData", and for
// Atom text constructs "ContainsUndeclaredHTML"): in plain-text
// elements, & and < are written as the hexadecimal character references
// &#x26; and &#x3C;, never as &amp; and &lt;, so a reader cannot mistake
// the text for escaped HTML. HTML is exempt: an RSS item's description,
// content:encoded, and Atom's content type="html".
func TestPlainTextCharacterReferences(t *testing.T) {
	html := map[string]bool{"RSS description in item": true, "RSS content:encoded in item": true, "Atom content in entry": true}
	for _, r := range []renderer{{"RSS", RSS}, {"Atom", Atom}} {
		for _, build := range []func() *Feed{sampleFeed, archiveFeed, literalFeed} {
			doc, err := r.render(build())
			if err != nil {
				t.Fatal(err)
			}
			var seen int
			leafElements(t, doc, func(name, parent string, raw []byte) {
				if html[r.name+" "+name+" in "+parent] {
					return
				}
				if bytes.Contains(raw, []byte("&#x26;")) || bytes.Contains(raw, []byte("&#x3C;")) {
					seen++
				}
				for _, entity := range []string{"&amp;", "&lt;"} {
					if bytes.Contains(raw, []byte(entity)) {
						t.Errorf("%s: <%s> in <%s> has %s: %s", r.name, name, parent, entity, raw)
					}
				}
			})
			if seen == 0 {
				t.Errorf("%s: no plain-text element holds & or <: the test checks nothing", r.name)
			}
		}
	}
}

// TestRSSDescriptionBeforeContent holds the W3C validator's
// NeedDescriptionBeforeContent: in every item, <description> precedes
// <content:encoded>.
func TestRSSDescriptionBeforeContent(t *testing.T) {
	doc, err := RSS(sampleFeed())
	if err != nil {
		t.Fatal(err)
	}
	var checked int
	var description bool
	leafElements(t, doc, func(name, parent string, _ []byte) {
		if parent != "item" {
			return
		}
		switch name {
		case "title":
			description = false // the first element of the next item
		case "description":
			description = true
		case "content:encoded":
			checked++
			if !description {
				t.Errorf("content:encoded before description")
			}
		}
	})
	if checked == 0 {
		t.Fatal("no item has content:encoded")
	}
}
