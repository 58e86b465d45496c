package site

import (
	"slices"

	"github.com/feedpub/feedpub/internal/article"
)

// A rebuild renders only what changed. Articles are immutable and a
// rescan reuses the *article.Article of every unchanged file, so a
// document rendered from a list of articles is reused while its list
// holds the same pointers in the same order and nothing else it depends
// on (its extra key) changed. Reused documents keep their bytes, ETag,
// Last-Modified and compressed variant, and are not counted in
// BuildStats.Rendered.

// memos are the documents a build keeps for the next one, beyond the
// article pages (Builder.pages).
type memos struct {
	main     *feedMemo
	index    *pageMemo
	archive  []*feedMemo         // by page number - 1
	tags     map[string]*tagMemo // by slug
	tagIndex *pageMemo
	opml     *pageMemo
	notFound *pageMemo
	style    *pageMemo
}

// pageMemo remembers one document rendered from a list of articles.
type pageMemo struct {
	articles []*article.Article
	extra    string
	doc      *Document
}

// valid reports whether m holds the document for articles and extra.
func (m *pageMemo) valid(articles []*article.Article, extra string) bool {
	return m != nil && m.extra == extra && slices.Equal(m.articles, articles)
}

// docOrMemo returns memo when it holds the document for articles and
// extra, adding its document to the run as reused, or else a new memo
// with the document render returns, added as fresh.
func (r *renderRun) docOrMemo(memo *pageMemo, articles []*article.Article, extra string, render func() (*Document, error)) (*pageMemo, error) {
	if memo.valid(articles, extra) {
		r.reuse(memo.doc)
		return memo, nil
	}
	d, err := render()
	if err != nil {
		return nil, err
	}
	r.add(d)
	return &pageMemo{articles: articles, extra: extra, doc: d}, nil
}

// pageOrMemo is docOrMemo for an HTML page at path.
func (r *renderRun) pageOrMemo(memo *pageMemo, path string, articles []*article.Article, extra string, render func() ([]byte, error)) (*pageMemo, error) {
	return r.docOrMemo(memo, articles, extra, func() (*Document, error) {
		body, err := render()
		if err != nil {
			return nil, err
		}
		return newDocument(path, HTMLContentType, KindPage, body), nil
	})
}

// reuse adds documents of the previous build to the run; they keep their
// Last-Modified and are not counted as rendered.
func (r *renderRun) reuse(docs ...*Document) {
	for _, d := range docs {
		if d.Path == "" {
			r.notFound = d
			continue
		}
		r.docs[d.Path] = d
	}
}
