package library

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/internal/gitdates"
	"github.com/feedpub/feedpub/internal/state"
)

// assignIdentities fills in the id, slug and publication date of every
// article read in this scan (files, in path order). Ids come from, in
// order: an ID header; the id remembered for the path; the id of an
// article with the same content that vanished in this scan (a rename or
// move); the id of the one remembered path with the same content that no
// longer exists (a rename made while feedpub was stopped); a new id made
// from the path.
func (s *Scanner) assignIdentities(files []fileInfo, vanished map[string][]*article.Article) {
	ids := newIDSet(s.opts.State)
	for _, f := range files {
		if e := s.cache[f.rel]; e.current != nil && e.current.ExplicitID {
			ids.explicit[e.current.ID] = true
		}
	}
	gone := s.goneCandidates(files)
	for _, f := range files {
		e := s.cache[f.rel]
		if e.current != nil && !e.assigned {
			s.assign(e.current, ids, vanished, gone)
			e.assigned = true
		}
	}
}

func (s *Scanner) assign(a *article.Article, ids *idSet, vanished map[string][]*article.Article, gone goneSet) {
	remembered, known := s.opts.State.Article(a.Path)
	switch {
	case a.ExplicitID:
		remembered.ID = a.ID
	case known:
		a.ID = remembered.ID
	default:
		if old := takeVanished(vanished, a.ContentKey); old != nil {
			if prev, ok := s.opts.State.Article(old.Path); ok {
				remembered, known = prev, true
				s.opts.State.DeleteArticle(old.Path)
			}
			a.ID = old.ID
		} else if oldPath, prev, ok := s.takeGone(gone, a); ok {
			remembered, known = prev, true
			s.opts.State.DeleteArticle(oldPath)
			a.ID = prev.ID
		} else {
			a.ID = ids.fresh(idFromPath(a.Path))
		}
		remembered.ID = a.ID
	}
	if !known {
		remembered.FirstSeen = earliest(a.ModTime, s.opts.Now().UTC())
	}
	remembered.ContentKey = a.ContentKey
	s.opts.State.SetArticle(a.Path, remembered)
	s.complete(a, remembered.FirstSeen)
}

// complete gives a, whose id is assigned, its slug and dates.
func (s *Scanner) complete(a *article.Article, firstSeen time.Time) {
	if a.Slug == "" {
		a.Slug = a.ID
	}
	s.fillDates(a, firstSeen)
	if a.Updated.Before(a.Published) {
		a.Updated = a.Published
	}
}

// asRemembered returns a copy of a, freshly parsed, with the identity
// assign gives it when the state remembers its path (as ScanFront
// leaves it for every file), or nil when the state does not.
func (s *Scanner) asRemembered(a *article.Article) *article.Article {
	remembered, known := s.opts.State.Article(a.Path)
	if !known {
		return nil
	}
	c := *a
	if !c.ExplicitID {
		c.ID = remembered.ID
	}
	s.complete(&c, remembered.FirstSeen)
	return &c
}

// goneSet pairs the articles of a scan that need an id with remembered
// paths that no longer exist, by content key.
type goneSet struct {
	// remembered holds, by content key, the remembered paths that are
	// not in the directory.
	remembered map[string][]string
	// wanting counts, by content key, the articles of this scan that
	// have neither an ID header nor a remembered path.
	wanting map[string]int
}

// goneCandidates returns the goneSet of the articles read in this scan
// (files). The state is only searched when some article is new to it,
// and then only for their content keys.
func (s *Scanner) goneCandidates(files []fileInfo) goneSet {
	g := goneSet{wanting: map[string]int{}}
	for _, f := range files {
		e := s.cache[f.rel]
		if e.current == nil || e.assigned || e.current.ExplicitID {
			continue
		}
		if _, known := s.opts.State.Article(f.rel); !known {
			g.wanting[e.current.ContentKey]++
		}
	}
	if len(g.wanting) == 0 {
		return g
	}
	g.remembered = map[string][]string{}
	for key := range g.wanting {
		for _, p := range s.opts.State.PathsWithContent(key) {
			if _, present := s.cache[p]; !present {
				g.remembered[key] = append(g.remembered[key], p)
			}
		}
	}
	return g
}

// takeGone returns the remembered path, and what the state holds for it,
// whose id a should inherit: the one remembered path that no longer
// exists and had a's content, when a is the only new article with that
// content. With more than one candidate on either side the pairing would
// be a guess, so there is none, and a warning says why a gets a new id.
func (s *Scanner) takeGone(g goneSet, a *article.Article) (string, state.Article, bool) {
	var candidates []string
	for _, p := range g.remembered[a.ContentKey] {
		if _, ok := s.opts.State.Article(p); ok { // not taken by a rename in this scan
			candidates = append(candidates, p)
		}
	}
	switch {
	case len(candidates) == 0:
		return "", state.Article{}, false
	case len(candidates) > 1:
		slices.Sort(candidates)
		s.opts.Logger.Warn("article has the content of several remembered articles that are gone; it gets a new id",
			"file", a.Path, "remembered", strings.Join(candidates, ", "))
		return "", state.Article{}, false
	case g.wanting[a.ContentKey] > 1:
		s.opts.Logger.Warn("several new articles have the content of one remembered article that is gone; each gets a new id",
			"file", a.Path, "remembered", candidates[0])
		return "", state.Article{}, false
	}
	prev, _ := s.opts.State.Article(candidates[0])
	return candidates[0], prev, true
}

// fillDates sets the dates a does not declare, as opts.Undated says.
func (s *Scanner) fillDates(a *article.Article, firstSeen time.Time) {
	switch s.opts.Undated {
	case UndatedGit:
		if d, ok := s.Committed(a.Path); ok {
			if !a.DateDeclared {
				a.Published = d.Added
			}
			if !a.UpdatedDeclared {
				a.Updated = d.Changed
			}
			return
		}
	case UndatedModTime:
		if !a.DateDeclared {
			a.Published = a.ModTime
		}
		return
	}
	if !a.DateDeclared {
		a.Published = firstSeen.UTC()
	}
}

// Committed returns the history dates of the article file at path
// (relative to the articles directory), and false when Undated is not
// UndatedGit or no commit has the file.
func (s *Scanner) Committed(path string) (gitdates.Dates, bool) {
	if s.opts.Undated != UndatedGit || s.opts.History == nil {
		return gitdates.Dates{}, false
	}
	return s.opts.History.Lookup(path)
}

// takeVanished removes and returns a vanished article with the content key,
// if there is one whose id came from feedpub rather than an ID header.
func takeVanished(vanished map[string][]*article.Article, key string) *article.Article {
	for i, old := range vanished[key] {
		if !old.ExplicitID {
			vanished[key] = append(vanished[key][:i:i], vanished[key][i+1:]...)
			return old
		}
	}
	return nil
}

// idFromPath is the path without its extension: "2024/hello.txt" → "2024/hello".
func idFromPath(p string) string {
	return strings.TrimSuffix(p, path.Ext(p))
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}

// idSet tells the ids in use, so a new id never repeats one that a
// remembered or current article holds: those the state remembers (which
// records each id as it is given) and those of the ID headers of the
// articles read in this scan, which it may not hold yet.
type idSet struct {
	st       *state.State
	explicit map[string]bool
}

func newIDSet(st *state.State) *idSet {
	return &idSet{st: st, explicit: map[string]bool{}}
}

// fresh returns base, or base-2, base-3… if base is taken. The caller
// records it in the state before asking for another.
func (ids *idSet) fresh(base string) string {
	id := base
	for n := 2; ids.st.IDInUse(id) || ids.explicit[id]; n++ {
		id = fmt.Sprintf("%s-%d", base, n)
	}
	return id
}

// rejectDuplicates keeps the first article (in path order) of each id and
// slug and reports the others: publishing two items with one id would make
// readers merge them.
func rejectDuplicates(articles []*article.Article) (*published, []*article.ParseError) {
	p := &published{
		articles:  articles[:0:0],
		idOwner:   make(map[string]string, len(articles)),
		slugOwner: make(map[string]string, len(articles)),
	}
	var problems []*article.ParseError
	for _, a := range articles {
		if owner, dup := p.idOwner[a.ID]; dup {
			problems = append(problems, &article.ParseError{Path: a.Path,
				Msg: fmt.Sprintf("duplicate id %q: %s has it too; give one of them a different ID header", a.ID, owner)})
			continue
		}
		if owner, dup := p.slugOwner[a.Slug]; dup {
			problems = append(problems, &article.ParseError{Path: a.Path,
				Msg: fmt.Sprintf("duplicate slug %q: %s has it too; give one of them a different Slug header", a.Slug, owner)})
			continue
		}
		p.idOwner[a.ID], p.slugOwner[a.Slug] = a.Path, a.Path
		p.articles = append(p.articles, a)
	}
	return p, problems
}
