package article

import (
	"regexp"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// sanitizePolicy is bluemonday's policy for user-generated content, which
// keeps formatting and links and drops scripts, styles, event handlers and
// javascript: URLs, plus what the Markdown renderer itself writes: code
// languages, footnote classes and task-list checkboxes.
var sanitizePolicy = sync.OnceValue(func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[\w.+#-]+$`)).OnElements("code")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^(footnote-ref|footnote-backref|footnotes)$`)).OnElements("a", "div")
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("checked", "disabled").Matching(regexp.MustCompile(`^(|checked|disabled)$`)).OnElements("input")
	return p
})

// sanitize returns rendered Markdown with raw HTML made safe to embed in a
// page or feed, as well-formed XHTML.
func sanitize(s string) string {
	return xhtml(sanitizePolicy().Sanitize(s))
}

// xhtml re-serialises an HTML fragment so that it is well-formed XML too:
// void elements self-closed, every element closed, attributes quoted and
// escaped. The sanitiser writes HTML, which an XML parser may reject (a
// bare <br>), and feeds are read by both kinds of parser.
func xhtml(s string) string {
	context := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(s), context)
	if err != nil {
		// Reading from a string fails only on a bug; keep the text
		// escaped rather than lose it.
		return html.EscapeString(s)
	}
	var b strings.Builder
	for _, n := range nodes {
		if err := html.Render(&b, n); err != nil {
			return html.EscapeString(s)
		}
	}
	return b.String()
}
