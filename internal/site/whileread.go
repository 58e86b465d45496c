package site

import (
	"sync"
	"time"

	"github.com/feedpub/feedpub/internal/article"
)

// A first start reads every article whole, for its summary and content
// key, and drops each body; rendering the article pages then read and
// parsed every file again, a fifth of the CPU time of a start at 10,000
// articles. Instead, the scan hands each body over as it reads it
// (library.Scanner.ScanHanding) and the page is rendered there; the
// build takes it for an article with the same page key, and renders the
// others as before.

// pagesRead holds the article pages rendered while the articles were
// read, with what each was rendered from, by article path.
type pagesRead struct {
	mu    sync.Mutex
	pages map[string]pageRead
}

type pageRead struct {
	key pageKey
	doc *Document
}

// RenderWhileReading returns what renders each article page from the
// body the scan hands over (library.Scanner.ScanHanding), for the next
// build to take, or nil when that build would not render them: when b
// rendered pages already, so that only the changed ones render again,
// and when the store holds the pages of the last run to reuse.
func (b *Builder) RenderWhileReading(now time.Time) func(a *article.Article, html string) {
	if b.pages != nil || b.lib != nil {
		return nil
	}
	if ix := b.loadIndex(); ix != nil && len(ix.pages) > 0 {
		return nil
	}
	read := &pagesRead{pages: map[string]pageRead{}}
	b.read = read
	return func(a *article.Article, html string) {
		if a.Status(now) != article.Published {
			return
		}
		key := b.pageKey(a)
		d, err := b.articlePage(a, html, key)
		if err != nil {
			return // the build renders it again, and reports why
		}
		read.mu.Lock()
		read.pages[a.Path] = pageRead{key: key, doc: d}
		read.mu.Unlock()
	}
}

// take returns the page rendered of the article at path from key, and
// forgets it, or nil.
func (r *pagesRead) take(path string, key pageKey) *Document {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	p, ok := r.pages[path]
	delete(r.pages, path)
	if !ok || p.key != key {
		return nil
	}
	return p.doc
}
