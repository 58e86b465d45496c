package article

import (
	"html"
	"strings"
)

// paragraphsOf recovers the plain-text paragraphs of a .txt article from
// its ContentHTML, which holds each as an escaped <p> on its own line.
func paragraphsOf(a *Article) []string {
	if a.ContentHTML == "" {
		return nil
	}
	var paras []string
	for line := range strings.SplitSeq(a.ContentHTML, "\n") {
		line = strings.TrimSuffix(strings.TrimPrefix(line, "<p>"), "</p>")
		paras = append(paras, html.UnescapeString(line))
	}
	return paras
}
