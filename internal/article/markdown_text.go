package article

import (
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/util"
)

// textContent returns the text a reader sees in the Markdown document,
// blocks separated by newlines, for counting words, and the text of its
// first paragraph, for the summary. Raw HTML is not text; code is.
func textContent(doc ast.Node, source []byte) (all, firstPara string) {
	var b strings.Builder
	found := false
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.Type() {
		case ast.TypeBlock:
			if n.HasChildren() && !isCodeBlock(n) {
				b.WriteByte('\n')
				return ast.WalkContinue, nil
			}
			b.WriteByte('\n')
			writeBlockLines(&b, n, source)
			return ast.WalkSkipChildren, nil
		case ast.TypeInline:
			if !found && isParagraph(n.Parent()) {
				found = true
				firstPara = strings.TrimSpace(plainText(n.Parent(), source))
			}
			writeInline(&b, n, source)
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return b.String(), firstPara
}

func isParagraph(n ast.Node) bool {
	return n != nil && n.Kind() == ast.KindParagraph
}

func isCodeBlock(n ast.Node) bool {
	k := n.Kind()
	return k == ast.KindCodeBlock || k == ast.KindFencedCodeBlock
}

// writeBlockLines writes the text of a leaf block: the lines of a code
// block; nothing for raw HTML blocks and thematic breaks.
func writeBlockLines(b *strings.Builder, n ast.Node, source []byte) {
	if !isCodeBlock(n) {
		return
	}
	lines := n.Lines()
	for i := range lines.Len() {
		seg := lines.At(i)
		b.Write(seg.Value(source))
	}
}

// plainText returns the text of the inline content of n, with escapes and
// character references resolved and markup dropped: "Hello *world*" gives
// "Hello world".
func plainText(n ast.Node, source []byte) string {
	var b strings.Builder
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		writeInline(&b, c, source)
	}
	return b.String()
}

// writeInline writes the text of inline node n and its children.
func writeInline(b *strings.Builder, n ast.Node, source []byte) {
	switch n := n.(type) {
	case *ast.Text:
		value := n.Segment.Value(source)
		if !n.IsRaw() {
			value = resolveText(value)
		}
		b.Write(value)
		if n.SoftLineBreak() || n.HardLineBreak() {
			b.WriteByte(' ')
		}
		return
	case *ast.String:
		if n.IsCode() || n.IsRaw() {
			b.Write(n.Value)
		} else {
			b.Write(resolveText(n.Value))
		}
		return
	case *ast.AutoLink:
		b.Write(n.Label(source))
		return
	case *ast.RawHTML:
		return
	case *east.FootnoteLink, *east.FootnoteBacklink:
		return
	case *east.TaskCheckBox:
		return
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		writeInline(b, c, source)
	}
}

// resolveText undoes Markdown backslash escapes and resolves character
// references ("&amp;", "&#233;"), as the HTML renderer does.
func resolveText(value []byte) []byte {
	return util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(value)))
}
