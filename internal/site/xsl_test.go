package site

import (
	"bytes"
	"encoding/xml"
	"io"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/feed"
	"github.com/feedpub/feedpub/internal/feed/feedtest"
)

func TestRelativeRef(t *testing.T) {
	tests := []struct{ from, to, want string }{
		{"/rss.xml", "/feed.xsl", "feed.xsl"},
		{"/feeds/rss.xml", "/feed.xsl", "../feed.xsl"},
		{"/a/b/atom.xml", "/feed.xsl", "../../feed.xsl"},
	}
	for _, tt := range tests {
		if got := relativeRef(tt.from, tt.to); got != tt.want {
			t.Errorf("relativeRef(%q, %q) = %q, want %q", tt.from, tt.to, got, tt.want)
		}
	}
}

// TestWithStylesheet holds that the feeds stay well-formed with the
// processing instruction in place, that it comes right after the XML
// declaration, and that the root element still begins within the first
// 512 bytes, where content sniffers look for it.
func TestWithStylesheet(t *testing.T) {
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f := &feed.Feed{
		ID: "tag:example.com,2026:feed", Title: "T & <t>", HomeURL: "https://example.com/", Author: feed.Person{Name: "Ed"},
		Links: feed.Links{RSS: "https://example.com/rss.xml", Atom: "https://example.com/atom.xml"},
		Items: []feed.Item{{ID: "tag:example.com,2026:a", URL: "https://example.com/a/", Title: "A", Published: when, Updated: when}},
	}
	for _, format := range []struct {
		name   string
		render func(*feed.Feed) ([]byte, error)
		root   string
	}{{"RSS", feed.RSS, "rss"}, {"Atom", feed.Atom, "feed"}} {
		doc, err := format.render(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := withStylesheet(doc, `../feed.xsl?a&b"`)
		if err != nil {
			t.Fatalf("%s: withStylesheet: %v", format.name, err)
		}
		pi, root := procInstAndRoot(t, got)
		if want := `type="text/xsl" href="../feed.xsl?a&amp;b&#34;"`; pi != want {
			t.Errorf("%s: xml-stylesheet instruction = %q, want %q", format.name, pi, want)
		}
		if root.Name.Local != format.root {
			t.Errorf("%s: root element = %q, want %q", format.name, root.Name.Local, format.root)
		}
		if i := bytes.Index(got, []byte("<"+format.root+" ")); i < 0 || i > 512 {
			t.Errorf("%s: root element begins at byte %d, want within the first 512", format.name, i)
		}
		if err := feedtest.CheckXML(got); err != nil {
			t.Errorf("%s: not well-formed with the stylesheet: %v", format.name, err)
		}
	}
	if _, err := withStylesheet([]byte(`{"version":"x"}`), "feed.xsl"); err == nil {
		t.Error("withStylesheet(JSON) succeeded, want an error")
	}
}

// procInstAndRoot decodes doc up to its root element and returns the
// xml-stylesheet instruction, which must directly follow the declaration.
func procInstAndRoot(t *testing.T, doc []byte) (string, xml.StartElement) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	var pis []xml.ProcInst
	for {
		tok, err := d.Token()
		if err == io.EOF {
			t.Fatal("no root element")
		}
		if err != nil {
			t.Fatal(err)
		}
		switch tok := tok.(type) {
		case xml.ProcInst:
			pis = append(pis, tok.Copy())
		case xml.StartElement:
			if len(pis) != 2 || pis[0].Target != "xml" || pis[1].Target != "xml-stylesheet" {
				t.Fatalf("processing instructions = %v, want the declaration then xml-stylesheet", pis)
			}
			return string(pis[1].Inst), tok
		}
	}
}

// TestStylesheetIsWellFormed parses the rendered XSLT stylesheet.
func TestStylesheetIsWellFormed(t *testing.T) {
	cfgSite := siteView{StyleURL: "https://example.com/style.css?a&b"}
	r := &renderRun{b: &Builder{site: cfgSite}, docs: map[string]*Document{}}
	if err := r.renderStylesheet(); err != nil {
		t.Fatal(err)
	}
	d := r.docs[StylesheetPath]
	if err := feedtest.CheckXML(d.Body); err != nil {
		t.Fatalf("feed.xsl is not well-formed: %v", err)
	}
	if !bytes.Contains(d.Body, []byte(`href="https://example.com/style.css?a&amp;b"`)) {
		t.Error("feed.xsl does not link the site stylesheet, escaped")
	}
	if err := r.renderStylesheet(); err == nil {
		t.Error("a second document at /feed.xsl was accepted, want an error")
	}
}
