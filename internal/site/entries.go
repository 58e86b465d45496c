package site

import (
	"html/template"
	"slices"

	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/internal/parallel"
)

// entries holds each published article's entry in the lists of the tag
// pages, rendered once per article, for the articles with tags: no other
// page lists these entries (in a generated corpus of 100,000 articles,
// 60 % have no tags, whose entries had taken 14 MB). A popular tag's
// page lists thousands of articles; rendering every entry again whenever
// one of them changes would make that page most of a rebuild. Articles are immutable, so an
// entry stays valid while its article pointer is published. The index
// lists only the newest articles, with their summaries: it renders its
// entries when it renders (summaryEntries), so the summaries of the
// whole site are not held twice.
type entries map[*article.Article]template.HTML

// entryData is the data of the "entry" template.
type entryData struct {
	View        articleView
	WithSummary bool
}

// renderEntries returns the entries of the tagged articles published:
// those of the last build but for the articles gone since, and those of
// the articles added, rendered on every core.
func (b *Builder) renderEntries(gone, added []*article.Article) (entries, error) {
	next := b.entries // the builder's own, updated in place
	if next == nil {
		next = make(entries, len(added))
	}
	for _, a := range gone {
		delete(next, a)
	}
	// Only tag pages list entries: an article without tags needs none.
	untagged := func(a *article.Article) bool { return len(a.Tags) == 0 }
	added = slices.DeleteFunc(slices.Clone(added), untagged)
	rendered := make([]template.HTML, len(added))
	errs := make([]error, len(added))
	b.progress.Begin("rendering the lists of articles", len(added))
	parallel.Each(len(added), func(i int) {
		rendered[i], errs[i] = b.renderEntry(added[i], false)
		b.progress.Add(1)
	})
	for i, a := range added {
		if errs[i] != nil {
			return nil, errs[i]
		}
		next[a] = rendered[i]
	}
	return next, nil
}

// renderEntry renders a's list entry, with its summary or without.
func (b *Builder) renderEntry(a *article.Article, withSummary bool) (template.HTML, error) {
	return b.renderFragment("entry", entryData{View: b.viewOf(a), WithSummary: withSummary})
}

// list returns the entries of as.
func (e entries) list(as []*article.Article) []template.HTML {
	out := make([]template.HTML, len(as))
	for i, a := range as {
		out[i] = e[a]
	}
	return out
}

// summaryEntries renders the entries of as with their summaries.
func (b *Builder) summaryEntries(as []*article.Article) ([]template.HTML, error) {
	out := make([]template.HTML, len(as))
	for i, a := range as {
		var err error
		if out[i], err = b.renderEntry(a, true); err != nil {
			return nil, err
		}
	}
	return out, nil
}
