package site

import (
	"bufio"
	"bytes"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/net/html"

	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/internal/library"
)

// referenceProblems finds the relative references in the published
// articles that a reader would trip over: a link to an article file that
// does not exist (its URL would be a 404), an image or media file that is
// not there, and a link to a draft or to an article not yet published. The
// line is that of the reference in the article's file, when it is found.
func (b *Builder) referenceProblems(lib *library.Library, now time.Time) []*article.ParseError {
	articles := make(map[string]*article.Article, len(lib.Articles))
	for _, a := range lib.Articles {
		articles[a.Path] = a
	}
	media := make(map[string]bool, len(lib.Media))
	for _, m := range lib.Media {
		media[m.Path] = true
	}
	var ps []*article.ParseError
	for _, a := range lib.Published(now) {
		for _, ref := range relativeReferences(a.ContentHTML) {
			msg := referenceProblem(a, ref, articles, media, now)
			if msg == "" {
				continue
			}
			ps = append(ps, &article.ParseError{
				Path: a.Path, Line: b.lineOf(a.Path, ref), Severity: article.SeverityWarning, Msg: msg,
			})
		}
	}
	return ps
}

// referenceProblem says what is wrong with ref, a relative reference in a,
// or "" when nothing is.
func referenceProblem(a *article.Article, ref string, articles map[string]*article.Article, media map[string]bool, now time.Time) string {
	u, err := url.Parse(ref)
	if err != nil || u.Path == "" || strings.HasPrefix(u.Path, "/") {
		return ""
	}
	target := path.Join(path.Dir(a.Path), u.Path)
	if target == ".." || strings.HasPrefix(target, "../") {
		return ""
	}
	if t, ok := articles[target]; ok {
		switch {
		case t.Draft:
			return fmt.Sprintf("links to %s, a draft: the link leads to a page that does not exist until the draft is published", ref)
		case t.Published.After(now):
			return fmt.Sprintf("links to %s, published only at %s: until then the link leads to a page that does not exist", ref, t.Published.UTC().Format(time.RFC3339))
		}
		return ""
	}
	switch {
	case library.IsMediaFile(target):
		if !media[target] {
			return fmt.Sprintf("refers to %s, but there is no file %s in the articles directory: readers would see a broken image or link", ref, target)
		}
	case article.IsArticleFile(target):
		return fmt.Sprintf("links to %s, but there is no article %s in the articles directory: the link would be a 404; fix the path or write the article", ref, target)
	}
	return ""
}

// relativeReferences returns the href and src values of html that are
// relative references with a path: the ones resolved against the
// article's file.
func relativeReferences(content string) []string {
	if !strings.Contains(content, "href=") && !strings.Contains(content, "src=") {
		return nil
	}
	var refs []string
	z := html.NewTokenizer(strings.NewReader(content))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return refs
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		for _, attr := range z.Token().Attr {
			if attr.Namespace != "" || !referenceAttrs[attr.Key] {
				continue
			}
			ref := strings.TrimSpace(attr.Val)
			if u, err := url.Parse(ref); err == nil && u.Scheme == "" && u.Host == "" && u.Opaque == "" && u.Path != "" && !strings.HasPrefix(ref, "//") {
				refs = append(refs, ref)
			}
		}
	}
}

// lineOf returns the first line of the article file at rel that holds
// ref, or 0.
func (b *Builder) lineOf(rel, ref string) int {
	data, err := os.ReadFile(filepath.Join(b.cfg.Articles.Dir, filepath.FromSlash(rel)))
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), len(data)+1)
	for n := 1; sc.Scan(); n++ {
		if strings.Contains(sc.Text(), ref) {
			return n
		}
	}
	return 0
}
