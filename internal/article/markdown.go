package article

import (
	"bytes"
	"strings"
	"sync"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
)

// parseMarkdown parses a Markdown article: optional TOML front matter
// between "+++" lines at the top, then a CommonMark body with the GitHub
// extensions (tables, strikethrough, task lists, autolinks) and footnotes.
// See Parse for the meaning of the results.
//
// The front matter keys are the .txt headers in lower case (title, date,
// tags…), checked by the same code. Without a title key, a level-1
// heading that opens the body is the title, and is left out of the body.
//
// Raw HTML in the body is left out unless opts.UnsafeHTML is set; then it
// is kept, and the whole rendered body is sanitised.
func parseMarkdown(src Source, opts Options) (*Article, []*ParseError, error) {
	p := &txtParser{src: src, loc: opts.Location}
	if p.loc == nil {
		p.loc = time.UTC
	}
	a, err := p.parseMarkdown(opts.UnsafeHTML)
	if err != nil {
		return nil, p.warnings, err
	}
	return a, p.warnings, nil
}

// parseMarkdown reads the front matter and renders the body. It shares
// txtParser's text cleaning, header validation and date rules with the
// house format, so the formats differ in their syntax only.
func (p *txtParser) parseMarkdown(unsafeHTML bool) (*Article, *ParseError) {
	lines := splitLines(p.cleanText(p.src.Data))
	fm, bodyLines, bodyLine, perr := p.splitFrontMatter(lines)
	if perr != nil {
		return nil, perr
	}
	a := &Article{
		Path:              p.src.Path,
		DeclaredWordCount: -1,
		ModTime:           p.src.ModTime.UTC(),
		Size:              int64(len(p.src.Data)),
	}
	if err := p.applyFrontMatter(a, fm); err != nil {
		return nil, err
	}
	body := []byte(strings.Join(bodyLines, "\n"))
	md := markdownFor(unsafeHTML)
	doc := md.Parser().Parse(text.NewReader(body))
	if p.seen[keyTitle] == 0 {
		if h := titleHeading(doc); h != nil {
			a.Title = strings.TrimSpace(xmlText(plainText(h, body)))
			p.seen[keyTitle] = bodyLine + lineOf(body, h)
			doc.RemoveChild(doc, h)
		}
	}
	if a.Title == "" {
		return nil, p.errorf(0, `missing title: add title = "…" to the front matter between "+++" lines at the top, or start the file with a "# Title" line`)
	}
	var out bytes.Buffer
	if err := md.Renderer().Render(&out, body, doc); err != nil {
		// Rendering writes to memory and fails only on a bug.
		return nil, p.errorf(0, "rendering Markdown: %v", err)
	}
	// Character references can name characters that XML forbids
	// ("&#1;"); the renderer writes them as they are.
	a.ContentHTML = xmlText(strings.TrimSpace(out.String()))
	if unsafeHTML {
		a.ContentHTML = sanitize(a.ContentHTML)
	}
	words, first := textContent(doc, body)
	a.WordCount = countWords(words)
	if a.Summary == "" && first != "" {
		a.Summary = summarize(xmlText(first))
	}
	a.ContentKey = contentKey(a.Title, []string{string(body)}, "")
	a.lines = lintLinesOf(&p.seen)
	p.resolveDates(a)
	return a, nil
}

// markdownFor returns the Markdown converter for the raw HTML setting.
// Converters are safe for concurrent use and built once.
func markdownFor(unsafeHTML bool) goldmark.Markdown {
	if unsafeHTML {
		return unsafeMarkdown()
	}
	return safeMarkdown()
}

var (
	safeMarkdown   = sync.OnceValue(func() goldmark.Markdown { return newMarkdown(false) })
	unsafeMarkdown = sync.OnceValue(func() goldmark.Markdown { return newMarkdown(true) })
)

// newMarkdown builds a converter. XHTML output closes void elements
// (<br />, <img … />), so the body is well-formed XML as well as HTML:
// feeds embed it, and some readers parse it as XML.
func newMarkdown(unsafeHTML bool) goldmark.Markdown {
	rendererOpts := []goldmark.Option{
		goldmark.WithExtensions(extension.GFM, extension.Footnote),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
	}
	htmlOpts := []renderer.Option{html.WithXHTML()}
	if unsafeHTML {
		htmlOpts = append(htmlOpts, html.WithUnsafe())
	}
	return goldmark.New(append(rendererOpts, goldmark.WithRendererOptions(htmlOpts...))...)
}

// titleHeading returns the level-1 heading that opens the document, or nil.
func titleHeading(doc ast.Node) *ast.Heading {
	h, ok := doc.FirstChild().(*ast.Heading)
	if !ok || h.Level != 1 {
		return nil
	}
	return h
}

// xmlText returns s without the characters XML 1.0 does not allow.
func xmlText(s string) string {
	if isCleanText([]byte(s)) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if !xmlChar(r) {
			return -1
		}
		return r
	}, s)
}

// lineOf returns the 0-based line of source on which block n starts.
func lineOf(source []byte, n ast.Node) int {
	lines := n.Lines()
	if lines == nil || lines.Len() == 0 {
		return 0
	}
	return bytes.Count(source[:lines.At(0).Start], []byte("\n"))
}
