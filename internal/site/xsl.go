package site

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"path"
	"strings"
	"text/template"
)

// Browsers render an XML feed as a tree of tags or download it; an
// <?xml-stylesheet?> processing instruction pointing at an XSLT stylesheet
// makes them show a readable page instead: what the feed is, how to
// subscribe, and its items. Feed readers ignore the instruction. The
// server sends browsers the feed's HTML view instead (feedview.go), since
// browsers are removing XSLT; the instruction stays for static hosts,
// which cannot negotiate.

// StylesheetPath is where the feeds' XSLT stylesheet is served.
const StylesheetPath = "/feed.xsl"

// XSLContentType is the media type of the stylesheet. Browsers load an
// XSLT stylesheet served as text/xsl or any XML type.
const XSLContentType = "text/xsl; charset=utf-8"

// xslTemplate is the stylesheet, parsed once; it takes the site's
// stylesheet URL, which it links from the page it makes.
var xslTemplate = template.Must(template.ParseFS(templateFS, "templates/feed.xsl"))

// renderStylesheet adds the feeds' XSLT stylesheet to the snapshot.
func (r *renderRun) renderStylesheet() error {
	if _, taken := r.docs[StylesheetPath]; taken {
		return fmt.Errorf("a feed is configured at %s, where the feed stylesheet is served", StylesheetPath)
	}
	var buf bytes.Buffer
	data := struct{ StyleURL string }{html.EscapeString(r.b.site.StyleURL)}
	if err := xslTemplate.Execute(&buf, data); err != nil {
		return fmt.Errorf("rendering %s: %w", StylesheetPath, err)
	}
	r.add(newDocument(StylesheetPath, XSLContentType, KindAsset, buf.Bytes()))
	return nil
}

// withStylesheet returns the XML document doc with an xml-stylesheet
// processing instruction for href inserted right after its XML
// declaration, where the instruction belongs (it must precede the root
// element, and content sniffers look for the root element in the first
// 512 bytes). doc must begin with a declaration.
func withStylesheet(doc []byte, href string) ([]byte, error) {
	if !bytes.HasPrefix(doc, []byte("<?xml ")) {
		return nil, errors.New("document has no XML declaration")
	}
	end := bytes.Index(doc, []byte("?>"))
	if end < 0 {
		return nil, errors.New("XML declaration is not closed")
	}
	end += len("?>")
	pi := "\n" + `<?xml-stylesheet type="text/xsl" href="` + html.EscapeString(href) + `"?>`
	out := make([]byte, 0, len(doc)+len(pi))
	out = append(out, doc[:end]...)
	out = append(out, pi...)
	return append(out, doc[end:]...), nil
}

// relativeRef returns the relative reference from the document at the
// clean site path from to the one at to ("/feeds/rss.xml" to "/feed.xsl"
// gives "../feed.xsl"). Browsers load XSLT only from the feed's own
// origin, so the reference is relative: it works whatever host and port
// the site is reached by, and under a base URL with a path.
func relativeRef(from, to string) string {
	dir := path.Dir(from)
	ups := strings.Count(strings.TrimPrefix(dir, "/"), "/")
	if dir != "/" {
		ups++
	}
	return strings.Repeat("../", ups) + strings.TrimPrefix(to, "/")
}
