package site

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/internal/library"
)

// TestTagGroupsFollowChanges holds that the tag groups a build updates
// from the last build's (tagGroups) are those grouping every article
// gives (groupTags), names and merged-spelling warnings included,
// through random articles added, removed and retagged, a few at a time
// or more than an update takes; and that a group
// handed out is never changed afterwards (memos keep its articles).
func TestTagGroupsFollowChanges(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	spellings := []string{"Go", "go", "GO", "Rust", "rust", "Web Dev", "web-dev", "!!!", "News"}
	n := 0
	newArticle := func() *article.Article {
		n++
		a := &article.Article{Path: fmt.Sprintf("a%d.txt", n), ID: fmt.Sprint(n),
			Published: time.Date(2024, 1, 1+rng.IntN(20), 0, 0, 0, 0, time.UTC)}
		for range rng.IntN(4) {
			a.Tags = append(a.Tags, spellings[rng.IntN(len(spellings))])
		}
		return a
	}
	b := &Builder{slugs: map[string]string{}}
	var published []*article.Article
	type handed struct {
		g        *tagGroup
		name     string
		articles []*article.Article
	}
	var before []handed
	for step := range 300 {
		next := slices.Clone(published)
		for range 1 + rng.IntN(3) {
			switch i := rng.IntN(max(1, len(next))); {
			case len(next) == 0 || rng.IntN(3) == 0:
				next = append(next, newArticle())
			case rng.IntN(2) == 0:
				next = slices.Delete(next, i, i+1)
			default: // another version of the same file
				a := *newArticle()
				a.Path, a.ID = next[i].Path, next[i].ID
				next[i] = &a
			}
		}
		if step%100 == 99 { // more than an update takes
			for range maxTagUpdate + 1 {
				next = append(next, newArticle())
			}
		}
		slices.SortFunc(next, library.Compare)
		gone, added := library.Diff(published, next)
		groups, problems := b.tagGroups(next, gone, added)
		wantGroups, wantProblems := b.groupTags(next)
		if len(groups) != len(wantGroups) {
			t.Fatalf("step %d: %d groups, want %d", step, len(groups), len(wantGroups))
		}
		for i, g := range groups {
			w := wantGroups[i]
			if g.slug != w.slug || g.name != w.name || !slices.Equal(g.articles, w.articles) {
				t.Fatalf("step %d: group %s %q of %d articles, want %s %q of %d", step, g.slug, g.name, len(g.articles), w.slug, w.name, len(w.articles))
			}
		}
		if fmt.Sprint(problems) != fmt.Sprint(wantProblems) {
			t.Fatalf("step %d: problems\n%v\nwant\n%v", step, problems, wantProblems)
		}
		for _, h := range before {
			if h.g.name != h.name || !slices.Equal(h.g.articles, h.articles) {
				t.Fatalf("step %d: the group %s handed out before has changed", step, h.g.slug)
			}
		}
		before = before[:0]
		for _, g := range groups {
			before = append(before, handed{g, g.name, slices.Clone(g.articles)})
		}
		published = next
	}
}
