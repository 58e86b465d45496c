package library

import (
	"cmp"
	"slices"

	"github.com/feedpub/feedpub/internal/article"
)

// maxIncremental is the most files a scan may have read or lost for it to
// update the last scan's article list rather than make it again.
const maxIncremental = 256

// published is the article list of the last scan (Library.Articles), with
// the paths owning each id and slug, kept so that a scan that read a few
// files updates it: checking and sorting every article again took a
// third of a one-file rebuild at 100,000 articles.
type published struct {
	articles           []*article.Article
	idOwner, slugOwner map[string]string
	// visible are the articles that are not drafts, and inMemory those
	// whose body is in memory (not BodyOnDisk), in the same order
	// (Library.Published, Library.BodiesInMemory).
	visible, inMemory []*article.Article
}

// publish returns the articles to publish, newest first, with the lists
// derived from them, and a problem for each one left out for repeating
// another's id or slug. Of the files listed, read were read in this scan;
// removed are gone; prev holds the last scan's entries of those paths.
// The caller must not modify what it returns.
func (s *Scanner) publish(files []fileInfo, prev map[string]*entry, read []fileInfo, removed []string) (*published, []*article.ParseError) {
	if p := s.published; p != nil && len(read)+len(removed) <= maxIncremental {
		if p.update(prev, s.cache, read, removed) {
			return p, nil
		}
	}
	all := make([]*article.Article, 0, len(files))
	for _, f := range files {
		if e := s.cache[f.rel]; e.good != nil {
			all = append(all, e.good)
		}
	}
	p, problems := rejectDuplicates(all)
	slices.SortFunc(p.articles, newestFirst)
	p.visible, p.inMemory = derive(p.articles)
	// Which of two articles with one id is kept depends on the order of
	// their paths, which an update does not see: with duplicates, every
	// scan checks them all.
	s.published = nil
	if len(problems) == 0 {
		s.published = p
	}
	return p, problems
}

// update takes the last versions of the files read or removed out of p's
// articles and puts the new ones in, in a new slice, and returns false,
// changing nothing, when a new version would repeat another article's id
// or slug.
func (p *published) update(prev, next map[string]*entry, read []fileInfo, removed []string) bool {
	var out, in []*article.Article
	leaving := map[string]bool{}
	note := func(path string) {
		if e := prev[path]; e != nil && e.good != nil {
			out = append(out, e.good)
			leaving[path] = true
		}
		if e := next[path]; e != nil && e.good != nil {
			in = append(in, e.good)
		}
	}
	for _, f := range read {
		note(f.rel)
	}
	for _, path := range removed {
		note(path)
	}
	ids, slugs := map[string]bool{}, map[string]bool{}
	for _, a := range in {
		if owner, ok := p.idOwner[a.ID]; (ok && !leaving[owner]) || ids[a.ID] {
			return false
		}
		if owner, ok := p.slugOwner[a.Slug]; (ok && !leaving[owner]) || slugs[a.Slug] {
			return false
		}
		ids[a.ID], slugs[a.Slug] = true, true
	}
	articles, visible, inMemory := slices.Clone(p.articles), slices.Clone(p.visible), slices.Clone(p.inMemory)
	for _, a := range out {
		articles = remove(articles, a)
		visible = remove(visible, a)
		inMemory = remove(inMemory, a)
		if p.idOwner[a.ID] == a.Path {
			delete(p.idOwner, a.ID)
		}
		if p.slugOwner[a.Slug] == a.Path {
			delete(p.slugOwner, a.Slug)
		}
	}
	for _, a := range in {
		articles = insert(articles, a)
		if !a.Draft {
			visible = insert(visible, a)
		}
		if !a.BodyOnDisk {
			inMemory = insert(inMemory, a)
		}
		p.idOwner[a.ID], p.slugOwner[a.Slug] = a.Path, a.Path
	}
	p.articles, p.visible, p.inMemory = articles, visible, inMemory
	return true
}

// insert puts a into as, sorted newestFirst, at its place.
func insert(as []*article.Article, a *article.Article) []*article.Article {
	i, _ := slices.BinarySearchFunc(as, a, newestFirst)
	return slices.Insert(as, i, a)
}

// remove removes a from as, sorted newestFirst, if it is there.
func remove(as []*article.Article, a *article.Article) []*article.Article {
	if i, found := slices.BinarySearchFunc(as, a, newestFirst); found && as[i] == a {
		return slices.Delete(as, i, i+1)
	}
	return as
}

// derive returns the articles of as that are not drafts, and those whose
// body is in memory, in the same order.
func derive(as []*article.Article) (visible, inMemory []*article.Article) {
	return slices.DeleteFunc(slices.Clone(as), isDraft), slices.DeleteFunc(slices.Clone(as), bodyOnDisk)
}

func isDraft(a *article.Article) bool    { return a.Draft }
func bodyOnDisk(a *article.Article) bool { return a.BodyOnDisk }

// Compare orders articles as Library.Articles holds them (newestFirst).
func Compare(a, b *article.Article) int { return newestFirst(a, b) }

// newestFirst orders articles by publication time, newest first, then by
// ID, then by path, so equal dates never reorder between rebuilds.
func newestFirst(a, b *article.Article) int {
	if c := b.Published.Compare(a.Published); c != 0 {
		return c
	}
	if c := cmp.Compare(a.ID, b.ID); c != 0 {
		return c
	}
	return cmp.Compare(a.Path, b.Path)
}

// fileProblems returns the problems of the current files: those the
// scanner keeps by path, updated for the files read in this scan (with
// the problems found, readProblems[i] for read[i]) and removed.
func (s *Scanner) fileProblems(read []fileInfo, readProblems [][]*article.ParseError, removed []string) []*article.ParseError {
	if s.problems == nil {
		s.problems = map[string][]*article.ParseError{}
	}
	for _, path := range removed {
		delete(s.problems, path)
	}
	for i, f := range read {
		if ps := readProblems[i]; len(ps) > 0 {
			s.problems[f.rel] = ps
		} else {
			delete(s.problems, f.rel)
		}
	}
	var out []*article.ParseError
	for _, ps := range s.problems {
		out = append(out, ps...)
	}
	return out
}

// Diff returns the articles of old that are not in new and those of new
// that are not in old, both lists sorted as Library.Articles is: an
// edited article is in both, as its old and its new version. It walks
// the lists once, so a change among 100,000 articles costs a
// comparison of pointers per article.
func Diff(old, new []*article.Article) (gone, added []*article.Article) {
	i, j := 0, 0
	for i < len(old) && j < len(new) {
		a, b := old[i], new[j]
		if a == b {
			i, j = i+1, j+1
			continue
		}
		switch c := newestFirst(a, b); {
		case c < 0:
			gone, i = append(gone, a), i+1
		case c > 0:
			added, j = append(added, b), j+1
		default: // the same place, another version
			gone, added, i, j = append(gone, a), append(added, b), i+1, j+1
		}
	}
	return append(gone, old[i:]...), append(added, new[j:]...)
}
