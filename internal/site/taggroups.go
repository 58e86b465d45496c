package site

import (
	"cmp"
	"maps"
	"slices"

	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/internal/library"
)

// tagIndex is the grouping of the last build's published articles by tag
// (groupTags), kept so that a build takes out the articles that left and
// puts in those that came (library.Diff): grouping every article again
// looked at each, which at 100,000 articles was a quarter of a one-file
// rebuild. Its groups are never modified once made: a changed group is a
// new one, since memos hold the article lists of the old.
type tagIndex struct {
	groups    map[string]*tagGroup      // by slug
	spellings map[string]map[string]int // slug → spelling → uses
	// problems are those of the groups of more than one spelling, by
	// slug (mergedSpellings).
	problems map[string][]*article.ParseError
}

// maxTagUpdate is the most articles gone and added for a build to update
// the tag groups rather than make them again: each one put in moves the
// rest of its groups' lists.
const maxTagUpdate = 256

// tagGroups returns what groupTags returns for published, from the index
// of the last build updated with the articles gone and added since; with
// no index (a first build, or one after a failed build), or after many
// changes, it makes one.
func (b *Builder) tagGroups(published, gone, added []*article.Article) ([]*tagGroup, []*article.ParseError) {
	if b.tags == nil || len(gone)+len(added) > maxTagUpdate {
		b.tags = b.newTagIndex(published)
	} else {
		for slug := range b.tags.update(b, gone, added) {
			b.tags.settle(slug)
		}
	}
	return b.tags.sorted()
}

// newTagIndex groups the published articles (newest first) by tag slug.
func (b *Builder) newTagIndex(published []*article.Article) *tagIndex {
	ix := &tagIndex{groups: map[string]*tagGroup{}, spellings: map[string]map[string]int{}, problems: map[string][]*article.ParseError{}}
	for _, a := range published {
		for _, tag := range a.Tags {
			slug := b.slugOf(tag)
			if slug == "" {
				continue
			}
			g := ix.groups[slug]
			if g == nil {
				g = &tagGroup{slug: slug}
				ix.groups[slug] = g
				ix.spellings[slug] = map[string]int{}
			}
			// One article can list two spellings of one slug;
			// it appears once.
			if n := len(g.articles); n == 0 || g.articles[n-1] != a {
				g.articles = append(g.articles, a)
			}
			ix.spellings[slug][tag]++
		}
	}
	for slug := range ix.groups {
		ix.settle(slug)
	}
	return ix
}

// sorted returns the groups sorted by slug, and their problems.
func (ix *tagIndex) sorted() ([]*tagGroup, []*article.ParseError) {
	groups := slices.SortedFunc(maps.Values(ix.groups), func(x, y *tagGroup) int { return cmp.Compare(x.slug, y.slug) })
	var problems []*article.ParseError
	for _, g := range groups {
		problems = append(problems, ix.problems[g.slug]...)
	}
	return groups, problems
}

// update takes the articles gone out of the groups and the articles added
// into them, each in new groups, and returns the slugs changed.
func (ix *tagIndex) update(b *Builder, gone, added []*article.Article) map[string]bool {
	changed := map[string]bool{}
	edit := func(slug string) *tagGroup {
		g := ix.groups[slug]
		if !changed[slug] {
			changed[slug] = true
			fresh := &tagGroup{slug: slug}
			if g != nil {
				fresh.name, fresh.articles = g.name, slices.Clone(g.articles)
			}
			ix.groups[slug], g = fresh, fresh
		}
		return g
	}
	for _, a := range gone {
		for slug, tags := range b.tagsBySlug(a) {
			g := edit(slug)
			if i := slices.Index(g.articles, a); i >= 0 {
				g.articles = slices.Delete(g.articles, i, i+1)
			}
			for _, tag := range tags {
				if ix.spellings[slug][tag]--; ix.spellings[slug][tag] <= 0 {
					delete(ix.spellings[slug], tag)
				}
			}
		}
	}
	for _, a := range added {
		for slug, tags := range b.tagsBySlug(a) {
			g := edit(slug)
			i, _ := slices.BinarySearchFunc(g.articles, a, library.Compare)
			g.articles = slices.Insert(g.articles, i, a)
			if ix.spellings[slug] == nil {
				ix.spellings[slug] = map[string]int{}
			}
			for _, tag := range tags {
				ix.spellings[slug][tag]++
			}
		}
	}
	return changed
}

// settle drops the group of slug if it lost its last article, or else
// names it and finds its problems again.
func (ix *tagIndex) settle(slug string) {
	g := ix.groups[slug]
	if len(g.articles) == 0 {
		delete(ix.groups, slug)
		delete(ix.spellings, slug)
		delete(ix.problems, slug)
		return
	}
	g.name = mostUsed(ix.spellings[slug])
	delete(ix.problems, slug)
	if len(ix.spellings[slug]) > 1 {
		ix.problems[slug] = mergedSpellings(g)
	}
}

// tagsBySlug returns a's tags by the slug of their page, leaving out tags
// without one; an article listing two spellings of one slug is one
// article of its group and counts both spellings.
func (b *Builder) tagsBySlug(a *article.Article) map[string][]string {
	var bySlug map[string][]string
	for _, tag := range a.Tags {
		if slug := b.slugOf(tag); slug != "" {
			if bySlug == nil {
				bySlug = map[string][]string{}
			}
			bySlug[slug] = append(bySlug[slug], tag)
		}
	}
	return bySlug
}
