package site

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/internal/feed"
	"github.com/feedpub/feedpub/internal/parallel"
)

// The archive publishes a site's articles as an archived feed (RFC 5005
// §4): the subscription feeds (/rss.xml, ...) keep the newest [feeds]
// limit articles and link with prev-archive to the newest archive page;
// /archive/{n}/rss.xml, atom.xml and feed.json hold every other article,
// [feeds] archive_size each, numbered from the oldest, and link to their
// neighbours and to the subscription feed. JSON Feed walks the same pages
// through next_url, from the subscription feed to page 1. A client that
// backfills by walking from the subscription feed therefore sees each
// article exactly once; a site with no more articles than the limit has
// no archive.
//
// Pages are filled by position in publication order, oldest first, so
// page 1 always holds the first archive_size articles ever archived.
// RFC 5005 §4 wants an archive document's entries never to change; this
// scheme comes as close as a fixed page size allows:
//
//   - publishing an article pushes the oldest article of the
//     subscription feed into the archive, where it is the newest; so it
//     changes only the newest page (which is still filling up) and the
//     subscription feeds; a full page gains its next-archive link once,
//     when the page after it is started;
//   - editing an article changes only its page, since an edit keeps the
//     article's place;
//   - deleting or unpublishing an article, or publishing one dated before
//     the archived ones, moves every later article one place and so
//     changes its page and every page after it. Readers lose nothing:
//     entries keep their ids, and clients merge archive pages by id
//     (RFC 5005 §4.2).
//
// A stable per-article key (such as when feedpub first saw it) would keep
// later pages put on a delete, but pages would then fill unevenly and the
// walk would no longer follow publication order; deletes are rare enough
// that re-packing is the better trade.
//
// A subscription feed over [feeds] max_bytes even with summaries only
// leaves out its oldest items (feed.Fit); the archive then starts that
// many articles later, at the most any one format left out, so no format's
// walk misses an article (the others may see those few twice).

// renderMainFeed renders the main feed of latest, the newest of the
// published articles (newest first, as Build gets them), and returns the
// articles the archive holds: the rest, and the ones the main feed had to
// leave out to stay within feeds.max_bytes.
//
// The main feed's prev-archive link names the newest page, whose number
// depends on how many articles the main feed left out, which depends on
// the link's length; so the main feed is rendered again in the rare case
// where leaving items out adds a page. A longer link never lets the feed
// keep more items, so the loop ends, after at most a few renders.
func (r *renderRun) renderMainFeed(published, latest []*article.Article) ([]*article.Article, error) {
	size := r.b.cfg.Feeds.ArchiveSize
	pages := archivePageCount(len(published)-len(latest), size)
	for {
		memo, fresh, err := r.mainFeedMemo(latest, pages)
		if err != nil {
			return nil, err
		}
		archived := published[len(latest)-memo.mostDropped:]
		if n := archivePageCount(len(archived), size); n > pages {
			pages = n
			continue
		}
		r.keepFeed(memo, fresh)
		r.memos.main = memo
		return archived, nil
	}
}

// archivePaths returns the decoded paths of archive page n.
func archivePaths(n int) feed.Links {
	dir := "/archive/" + strconv.Itoa(n) + "/"
	return feed.Links{RSS: dir + "rss.xml", Atom: dir + "atom.xml", JSON: dir + "feed.json"}
}

// archivePageCount is the number of archive pages for n articles.
func archivePageCount(n, size int) int {
	return (n + size - 1) / size
}

// renderArchive renders the archive pages of the archived articles,
// newest first, reusing the documents of every page whose articles and
// links did not change.
func (r *renderRun) renderArchive(archived []*article.Article) error {
	b := r.b
	size := b.cfg.Feeds.ArchiveSize
	oldest := slices.Clone(archived)
	slices.Reverse(oldest)
	pages := archivePageCount(len(oldest), size)
	r.memos.archive = make([]*feedMemo, pages)
	fresh := make([]bool, pages)
	errs := make([]error, pages)
	// On every core: a cold start at 100,000 articles renders some 2,000
	// pages in three formats.
	parallel.Each(pages, func(i int) {
		n := i + 1
		page := oldest[i*size : min(n*size, len(oldest))]
		var old *feedMemo
		if i < len(b.memos.archive) {
			old = b.memos.archive[i]
		}
		r.memos.archive[i], fresh[i], errs[i] = b.archiveMemo(old, r.index.archivePage(n), page, n, n < pages)
		if fresh[i] {
			// At once, not with the other pages at the end of the
			// build: at 100,000 articles the archive is some 400 MB.
			b.storeFeed(r.memos.archive[i])
		}
		b.progress.Add(1)
	})
	for i, memo := range r.memos.archive {
		if errs[i] != nil {
			return errs[i]
		}
		r.keepFeed(memo, fresh[i])
		if fresh[i] {
			b.pagesVersion = pagesVersions.Add(1)
			if memo.indexed {
				r.reusedPages += len(memo.docs)
			}
		}
		if !memo.indexed || !memo.allCompressed() {
			r.indexChanged = true
		}
	}
	if len(b.memos.archive) > pages {
		b.pagesVersion = pagesVersions.Add(1) // pages gone
	}
	return nil
}

// archiveMemo returns the documents of archive page n of page, with a
// next page or not: old when it holds them, else those the index holds
// for the same description (ix; a start), else rendered.
func (b *Builder) archiveMemo(old *feedMemo, ix *indexedFeed, page []*article.Article, n int, hasNext bool) (m *feedMemo, fresh bool, err error) {
	extra := fmt.Sprint(hasNext)
	if old.valid(page, extra) {
		return old, false, nil
	}
	f := b.archiveFeedOf(page, n, hasNext)
	var key string
	if b.pageIndexKey != "" {
		key = feedKey(f)
		if m := b.reusedFeed(ix, key); m != nil {
			m.articles, m.extra, m.indexed = page, extra, true
			return m, true, nil
		}
	}
	docs, err := b.renderFeed(f, archivePaths(n), archivePage)
	if err != nil {
		return nil, false, err
	}
	return &feedMemo{articles: page, extra: extra, feedDocs: docs, key: key}, true, nil
}

// archiveFeedOf describes archive page n, whose articles page holds
// oldest first. It is the same logical feed as the subscription feed, so
// it has the same id and title (RFC 5005 §4).
//
// Its items carry their summary, not their full content, whatever
// [feeds] full_content says: the archive is there to tell a reader every
// entry there is, with its id, dates and link to the full article, and
// with full content it would be the bulk of the site: at 10,000 articles
// some 100 MB of archive pages held in memory (and their gzip variants),
// where summaries take about a tenth, and every change to the newest
// page would re-render and recompress 150 KB three times over.
func (b *Builder) archiveFeedOf(page []*article.Article, n int, hasNext bool) *feed.Feed {
	newestFirst := slices.Clone(page)
	slices.Reverse(newestFirst)
	f := b.feedOf(newestFirst, false)
	f.Links = b.absoluteLinks(archivePaths(n))
	f.Hubs = nil // hubs push subscription feeds, not archive pages
	f.Archive = feed.Archive{IsArchive: true, Current: b.absoluteLinks(b.feedPaths)}
	if n > 1 {
		f.Archive.Prev = b.absoluteLinks(archivePaths(n - 1))
	}
	if hasNext {
		f.Archive.Next = b.absoluteLinks(archivePaths(n + 1))
	}
	return f
}
