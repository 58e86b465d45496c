package site

import (
	"iter"
	"maps"
	"net/url"
	"path"
	"slices"
	"strings"

	"golang.org/x/net/html"

	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/internal/library"
)

// Relative references in an article's HTML (a Markdown link to
// "../other.md", an image "img/chart.png") mean something only next to
// the article file. Feed readers show the HTML far from it, and resolve
// what is left relative against the feed's URL or not at all, so every
// page and feed gets the article with its references made absolute:
//
//   - a reference to another article's file points at that article's page;
//   - a reference to a media file (library.IsMediaFile) points at where it
//     is served, under /media/, resolved against the article file's own
//     directory;
//   - any other relative reference is resolved against the article's page;
//   - absolute URLs, network-path references ("//host/x"), fragments
//     ("#top") and other schemes (mailto:) are left as they are.

// linkTable is what resolving references depends on beyond the article
// itself: the slug of every article file, by path.
type linkTable map[string]string

func newLinkTable(lib *library.Library) linkTable {
	t := make(linkTable, len(lib.Articles))
	for _, a := range lib.Articles {
		t[a.Path] = a.Slug
	}
	return t
}

// links remembers the articles whose references were rewritten, so an
// unchanged article keeps the same *article.Article across builds and
// everything rendered from it can be reused.
type links struct {
	// table is the link table of the last build that needed one: made
	// only when some article's HTML is held, not left on disk.
	table linkTable
	// resolved maps an article as parsed to the copy with absolute
	// references, or to itself when it has nothing to rewrite. An
	// article whose body stays on disk has no reference
	// (article.DropBody) and is not in it: at 100,000 such articles,
	// filling it again at every build took a tenth of a one-file
	// rebuild.
	resolved map[*article.Article]*article.Article
	// plain holds the articles in resolved whose HTML has no reference
	// at all: they resolve to themselves whatever the table says, so a
	// new or deleted file need not look through them again.
	plain map[*article.Article]bool
}

// resolveAll returns published with every article replaced by the one
// whose ContentHTML has absolute references. Copies from the previous
// build are reused while the link table is unchanged.
func (b *Builder) resolveAll(lib *library.Library, published []*article.Article) []*article.Article {
	next := links{resolved: map[*article.Article]*article.Article{}, plain: map[*article.Article]bool{}}
	sameTable := false
	out := published
	for i, a := range bodiesInMemory(lib, published) {
		if next.table == nil {
			next.table = newLinkTable(lib)
			sameTable = maps.Equal(next.table, b.links.table)
			out = slices.Clone(published)
		}
		r, ok := b.links.resolved[a]
		plain := b.links.plain[a]
		if !ok || !(sameTable || plain) {
			r, plain = a, !article.HasReferences(a.ContentHTML)
			if content, changed := b.resolveReferences(a, next.table); changed {
				c := *a
				c.ContentHTML = content
				r = &c
			}
		}
		next.resolved[a] = r
		if plain {
			next.plain[a] = true
		}
		out[i] = r
	}
	b.links = next
	return out
}

// bodiesInMemory yields the articles of published (of lib, newest first)
// whose body is in memory, by their index in published. When the library
// knows them and they are few, it looks up each instead of looking at
// every article: at 100,000 articles with their bodies on disk, that was
// a fifth of a one-file rebuild, out of the CPU cache.
func bodiesInMemory(lib *library.Library, published []*article.Article) iter.Seq2[int, *article.Article] {
	return func(yield func(int, *article.Article) bool) {
		if inMemory, ok := lib.BodiesInMemory(); ok && len(inMemory) < len(published)/8 {
			for _, a := range inMemory {
				i, found := slices.BinarySearchFunc(published, a, library.Compare)
				if found && published[i] == a && !yield(i, a) {
					return
				}
			}
			return
		}
		for i, a := range published {
			if !a.BodyOnDisk && !yield(i, a) {
				return
			}
		}
	}
}

// referenceAttrs are the attributes that hold a URL to rewrite.
var referenceAttrs = map[string]bool{"href": true, "src": true}

// resolveReferences rewrites the href and src attributes of a's HTML and
// reports whether anything changed. Everything else is copied byte for
// byte; a rewritten tag is written again with its attributes escaped.
func (b *Builder) resolveReferences(a *article.Article, table linkTable) (string, bool) {
	content := a.ContentHTML
	if !article.HasReferences(content) {
		return content, false // plain text, as every .txt article is
	}
	var out strings.Builder
	changed := false
	z := html.NewTokenizer(strings.NewReader(content))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break // io.EOF: the string is read whole
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			out.Write(z.Raw())
			continue
		}
		raw := string(z.Raw())
		tok := z.Token()
		rewritten := false
		for i, attr := range tok.Attr {
			if attr.Namespace != "" || !referenceAttrs[attr.Key] {
				continue
			}
			if abs, ok := b.resolveReference(a, table, attr.Val); ok && abs != attr.Val {
				tok.Attr[i].Val = abs
				rewritten = true
			}
		}
		if !rewritten {
			out.WriteString(raw)
			continue
		}
		changed = true
		out.WriteString(tok.String())
	}
	if !changed {
		return content, false
	}
	return out.String(), true
}

// resolveReference returns the absolute URL for ref, a reference found in
// a's HTML, or false to leave ref as it is.
func (b *Builder) resolveReference(a *article.Article, table linkTable, ref string) (string, bool) {
	ref = strings.TrimSpace(ref)
	if ref == "" || strings.HasPrefix(ref, "#") || strings.HasPrefix(ref, "//") {
		return "", false
	}
	u, err := url.Parse(ref)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" {
		return "", false
	}
	if u.Path != "" && !strings.HasPrefix(u.Path, "/") {
		target := path.Join(path.Dir(a.Path), u.Path)
		if target != ".." && !strings.HasPrefix(target, "../") {
			if slug, ok := table[target]; ok {
				return b.urls.absolute(articlePath(slug)) + fragment(u), true
			}
			if library.IsMediaFile(target) {
				return b.urls.absolute(mediaPath(target)) + query(u) + fragment(u), true
			}
		}
	}
	page, err := url.Parse(b.urls.absolute(articlePath(a.Slug)))
	if err != nil {
		return "", false
	}
	return page.ResolveReference(u).String(), true
}

func fragment(u *url.URL) string {
	if u.Fragment == "" {
		return ""
	}
	return "#" + u.EscapedFragment()
}

func query(u *url.URL) string {
	if u.RawQuery == "" {
		return ""
	}
	return "?" + u.RawQuery
}
