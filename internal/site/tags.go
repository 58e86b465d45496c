package site

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/internal/feed"
)

// tagsPath is the page listing every tag.
const tagsPath = "/tags/"

// tagSlug maps a tag to the path segment of its pages and feeds
// (/tags/{slug}/). Slugs are stable (a function of the tag alone),
// readable in every script and safe as a URL path segment and a file
// name:
//
//   - letters are lower-cased, Unicode-aware ("Ünïcode" → "ünïcode",
//     "Go" → "go"), so tags differing only in case share a page;
//   - runs of white space and the path separators "/" and "\" become one
//     "-" ("machine learning" → "machine-learning");
//   - control characters are dropped, and so are leading dots, which
//     would make "." and ".." path segments or hidden files;
//   - everything else is kept: non-ASCII letters, "+", "#", "%", "?" and
//     "&". The snapshot holds decoded paths and URLs are built by
//     percent-encoding each segment, so "c++" is served at /tags/c++/
//     and "c#" at /tags/c%23/: they stay distinct, and the static build
//     writes them as the directories "c++" and "c#".
//
// Tags that map to the same slug share one page and feed; Build reports
// each spelling that differs from the chosen one by more than case.
// A tag whose slug is empty (only dots or control characters) gets no
// page.
func tagSlug(tag string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.TrimSpace(tag) {
		switch {
		case unicode.IsSpace(r) || r == '/' || r == '\\':
			space = true
			continue
		case unicode.IsControl(r):
			continue
		case r == '.' && b.Len() == 0:
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte('-')
		}
		space = false
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// tagPath returns the decoded path of a tag's page.
func tagPath(slug string) string { return tagsPath + slug + "/" }

// tagFeedPaths returns the decoded paths of a tag's feeds.
func tagFeedPaths(slug string) feed.Links {
	dir := tagPath(slug)
	return feed.Links{RSS: dir + "rss.xml", Atom: dir + "atom.xml", JSON: dir + "feed.json"}
}

// tagGroup is one tag page: the articles whose tags map to its slug.
type tagGroup struct {
	slug string
	// name is the spelling shown: the one most articles use, ties going
	// to the first in Unicode order, so it does not flicker between
	// builds.
	name string
	// articles are newest first.
	articles []*article.Article
}

// slugOf returns the slug of tag, remembered across builds: the same few
// hundred tags come back on every rebuild. Pages render in parallel, so
// the memory is guarded.
func (b *Builder) slugOf(tag string) string {
	b.slugsMu.Lock()
	defer b.slugsMu.Unlock()
	s, ok := b.slugs[tag]
	if !ok {
		s = tagSlug(tag)
		b.slugs[tag] = s
	}
	return s
}

// groupTags groups the published articles (newest first) by tag slug,
// sorted by slug, and reports the spellings merged into another: a
// warning on every article whose tag differs from its page's name by
// more than case, so feedpub check shows where to make them agree.
func (b *Builder) groupTags(published []*article.Article) ([]*tagGroup, []*article.ParseError) {
	return b.newTagIndex(published).sorted()
}

// mostUsed returns the key with the highest count, ties going to the
// smallest key.
func mostUsed(counts map[string]int) string {
	best, bestN := "", -1
	for s, n := range counts {
		if n > bestN || (n == bestN && s < best) {
			best, bestN = s, n
		}
	}
	return best
}

// mergedSpellings warns about every article of g that spells its tag in a
// way that differs from g.name by more than case.
func mergedSpellings(g *tagGroup) []*article.ParseError {
	var problems []*article.ParseError
	for _, a := range g.articles {
		for _, tag := range a.Tags {
			if tagSlug(tag) != g.slug || strings.EqualFold(tag, g.name) {
				continue
			}
			problems = append(problems, &article.ParseError{
				Path:     a.Path,
				Severity: article.SeverityWarning,
				Msg: fmt.Sprintf("tag %q has the same URL (%s) as %q in other articles, so they share one page and feed; spell them alike",
					tag, tagPath(g.slug), g.name),
			})
		}
	}
	return problems
}

// tagMemo remembers the documents of one tag: its feeds, keyed by the
// newest articles they hold, and its page, keyed by all its articles.
type tagMemo struct {
	feeds *feedMemo
	page  *pageMemo
}

// renderTags renders every tag's page and feeds and the page listing the
// tags, reusing the documents of every tag whose articles did not change.
func (r *renderRun) renderTags(groups []*tagGroup) error {
	b := r.b
	r.memos.tags = make(map[string]*tagMemo, len(groups))
	for _, g := range groups {
		old := b.memos.tags[g.slug]
		if old == nil {
			old = &tagMemo{}
		}
		latest := limit(g.articles, b.cfg.Feeds.Limit)
		feeds, err := r.feedOrMemo(old.feeds, latest, g.name, tagFeedPaths(g.slug), subscriptionFeed, func() *feed.Feed {
			return b.tagFeedOf(g, latest)
		})
		if err != nil {
			return err
		}
		page, err := r.pageOrMemo(old.page, tagPath(g.slug), g.articles, g.name, func() ([]byte, error) {
			return b.renderTagPage(g)
		})
		if err != nil {
			return err
		}
		r.memos.tags[g.slug] = &tagMemo{feeds: feeds, page: page}
		b.progress.Add(1)
	}
	var key strings.Builder
	for _, g := range groups {
		key.WriteString(g.slug + "\x00" + g.name + "\x00" + strconv.Itoa(len(g.articles)) + "\x00")
	}
	page, err := r.pageOrMemo(b.memos.tagIndex, tagsPath, nil, key.String(), func() ([]byte, error) {
		return b.renderTagIndex(groups)
	})
	r.memos.tagIndex = page
	return err
}

// tagFeedOf describes the feed of a tag: its newest articles. Its id is
// a tag URI of its slug, which, unlike the shown name, never changes.
func (b *Builder) tagFeedOf(g *tagGroup, latest []*article.Article) *feed.Feed {
	return b.describeFeed(b.urls.tag("tags/"+g.slug), b.cfg.Site.Title+": "+g.name,
		b.urls.absolute(tagPath(g.slug)), b.absoluteLinks(tagFeedPaths(g.slug)), latest, b.cfg.Feeds.FullContent)
}

// renderTagPage renders the page of a tag: every article with it, newest
// first, with autodiscovery links to its feeds and the site's.
func (b *Builder) renderTagPage(g *tagGroup) ([]byte, error) {
	feeds, err := b.pageFeedLinks(
		titledFeed{b.cfg.Site.Title + ": " + g.name, tagFeedPaths(g.slug)},
		titledFeed{b.cfg.Site.Title, b.feedPaths})
	if err != nil {
		return nil, err
	}
	return b.renderPage("tag.html", pageData{
		Title:   g.name + " · " + b.cfg.Site.Title,
		Feeds:   feeds,
		Tag:     tagLink{Name: g.name, URL: b.urls.absolute(tagPath(g.slug)), Count: len(g.articles)},
		Entries: b.entries.list(g.articles),
	})
}

// renderTagIndex renders the list of every tag with its article count.
func (b *Builder) renderTagIndex(groups []*tagGroup) ([]byte, error) {
	tags := make([]tagLink, len(groups))
	for i, g := range groups {
		tags[i] = tagLink{Name: g.name, URL: b.urls.absolute(tagPath(g.slug)), Count: len(g.articles)}
	}
	return b.renderPage("tags.html", pageData{Title: "Tags · " + b.cfg.Site.Title, Tags: tags})
}
