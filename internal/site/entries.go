package site

import (
	"bytes"
	"html/template"

	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/internal/parallel"
)

// entries holds each published article's entry in the lists of the index
// and the tag pages, rendered once per article. A popular tag's page lists
// thousands of articles; rendering every entry again whenever one of them
// changes would make that page most of a rebuild. Articles are immutable,
// so an entry stays valid while its article pointer is published.
type entries map[*article.Article]*entry

// entry is one article's list entry, with and without its summary.
type entry struct {
	withSummary, brief template.HTML
}

// entryData is the data of the "entry" template.
type entryData struct {
	View        articleView
	WithSummary bool
}

// renderEntries returns the entries of the published articles: those of
// prev for articles it has, the others rendered on every core.
func (b *Builder) renderEntries(prev entries, published []*article.Article) (entries, error) {
	next := make(entries, len(published))
	var todo []*article.Article
	for _, a := range published {
		if e, ok := prev[a]; ok {
			next[a] = e
		} else {
			todo = append(todo, a)
		}
	}
	rendered := make([]*entry, len(todo))
	errs := make([]error, len(todo))
	b.progress.Begin("rendering the lists of articles", len(todo))
	parallel.Each(len(todo), func(i int) {
		rendered[i], errs[i] = b.renderEntry(todo[i])
		b.progress.Add(1)
	})
	for i, a := range todo {
		if errs[i] != nil {
			return nil, errs[i]
		}
		next[a] = rendered[i]
	}
	return next, nil
}

func (b *Builder) renderEntry(a *article.Article) (*entry, error) {
	view := b.viewOf(a)
	t := b.templates["index.html"].Lookup("entry")
	var full, brief bytes.Buffer
	if err := t.Execute(&full, entryData{View: view, WithSummary: true}); err != nil {
		return nil, err
	}
	if err := t.Execute(&brief, entryData{View: view}); err != nil {
		return nil, err
	}
	// The template escaped every value, so the result is safe HTML.
	return &entry{withSummary: template.HTML(full.String()), brief: template.HTML(brief.String())}, nil
}

// list returns the entries of as, with or without summaries.
func (e entries) list(as []*article.Article, withSummary bool) []template.HTML {
	out := make([]template.HTML, len(as))
	for i, a := range as {
		if withSummary {
			out[i] = e[a].withSummary
		} else {
			out[i] = e[a].brief
		}
	}
	return out
}
