package site

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"html/template"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/feed"
	"github.com/feedpub/feedpub/internal/library"
	"github.com/feedpub/feedpub/internal/parallel"
	"github.com/feedpub/feedpub/internal/progress"
	"github.com/feedpub/feedpub/internal/state"
	"github.com/feedpub/feedpub/internal/store"
)

// Content types of the HTML pages and the stylesheet.
const (
	HTMLContentType = "text/html; charset=utf-8"
	CSSContentType  = "text/css; charset=utf-8"
)

// stylePath is where the stylesheet is served.
const stylePath = "/style.css"

// Builder renders snapshots for one configuration. It remembers what it
// rendered last, so a rebuild renders again only the article pages whose
// article changed, and carries Last-Modified forward for unchanged bytes.
// A Builder is not safe for concurrent use: rebuilds run one at a time.
type Builder struct {
	cfg       config.Config
	urls      urls
	site      siteView
	templates map[string]*template.Template
	state     *state.State

	// feedPaths are the decoded paths of the main feed.
	feedPaths feed.Links
	// slugsMu guards slugs, which remembers the slug of every tag seen
	// (tagSlug); pages rendering in parallel fill it.
	slugsMu sync.Mutex
	slugs   map[string]string
	// chrome is the HTML every page shares (chrome.go).
	chrome chrome
	// feedLinksMu guards feedLinksHTML, the rendered autodiscovery links
	// of each feed, by title and paths.
	feedLinksMu   sync.Mutex
	feedLinksHTML map[string][]template.HTML

	// pages holds the article pages of the previous build by article;
	// articles are immutable, so an unchanged pointer means an unchanged
	// page. pageDocs holds the same pages by path, shared with the last
	// snapshot (pageMap), and published the articles they are the pages
	// of, newest first: a build takes the articles that left and came
	// since (library.Diff) and carries the rest over.
	pages     map[*article.Article]*Document
	pageDocs  *pageMap
	published []*article.Article
	// entries are the list entries of the articles published by the
	// current build, for the tag pages (entries.go).
	entries entries
	// tags groups the articles published by the last build by tag
	// (taggroups.go).
	tags *tagIndex
	// memos holds the other documents of the previous build, by what
	// they were rendered from.
	memos memos
	// media holds the media documents of the previous build by file
	// version, so an unchanged file is not hashed again.
	media map[*library.Media]*Document
	// links holds the articles with absolute references (links.go).
	links links
	// newest holds the bodies of the newest articles, which the feeds
	// show whole, as read from their files (newestBodies).
	newest map[*article.Article]string
	// lib is the library being built, which reads again the bodies it
	// keeps on disk (content).
	lib  *library.Library
	prev *Snapshot
	// progress, if set, counts the lists, archive pages, article pages
	// and tag pages rendered, phase by phase.
	progress *progress.Tracker
	// gzipCache, if set, keeps the article pages' bodies and the gzip
	// variants (UseStore).
	gzipCache *store.Store
	// pageIndexKey, if set, names what pages are rendered with in the
	// index of them kept in gzipCache (ReusePages, pageindex.go);
	// pagesVersion changes with every build that changed the article or
	// archive pages.
	pageIndexKey string
	pagesVersion uint64
	// read holds the article pages rendered while the next build's
	// articles were read (RenderWhileReading), until it takes them.
	read *pagesRead
}

// BuildStats describe one build.
type BuildStats struct {
	// Rendered counts the documents rendered; the rest were reused.
	Rendered int
	// Summarized counts the feed items, over all feed documents, that
	// carry their summary instead of their content to stay within
	// [feeds] max_bytes; Dropped counts those left out of subscription
	// feeds for the same reason (the archive still has them).
	Summarized, Dropped int
	// Problems are warnings about the site as a whole that point at
	// articles, such as two spellings of a tag sharing one page. Like
	// library problems, they are for feedpub check and the log.
	Problems []*article.ParseError
}

// NewBuilder returns a Builder for cfg. st remembers when each document
// last changed across restarts; nil keeps that in memory only.
func NewBuilder(cfg config.Config, st *state.State) (*Builder, error) {
	u, err := newURLs(cfg.Site)
	if err != nil {
		return nil, fmt.Errorf("site.base_url: %w", err)
	}
	tmpl, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	if st == nil {
		st = state.New()
	}
	b := &Builder{
		cfg:       cfg,
		urls:      u,
		templates: tmpl,
		state:     st,
		feedPaths: feed.Links{RSS: cfg.Feeds.RSSPath, Atom: cfg.Feeds.AtomPath, JSON: cfg.Feeds.JSONPath},
		slugs:     map[string]string{},
		site: siteView{
			Title:       cfg.Site.Title,
			Description: cfg.Site.Description,
			HomeURL:     u.absolute("/"),
			StyleURL:    u.absolute(stylePath),
			RSSURL:      u.absolute(cfg.Feeds.RSSPath),
			AtomURL:     u.absolute(cfg.Feeds.AtomPath),
			JSONURL:     u.absolute(cfg.Feeds.JSONPath),
			TagsURL:     u.absolute(tagsPath),
			OPMLURL:     u.absolute(opmlPath),
		},
	}
	b.feedLinksHTML = map[string][]template.HTML{}
	if b.chrome, err = b.renderChrome(); err != nil {
		return nil, err
	}
	return b, nil
}

// CountProgress makes b count the article pages it renders in t.
func (b *Builder) CountProgress(t *progress.Tracker) { b.progress = t }

// Continue makes b carry on from the last snapshot of another builder, so
// that after a config change Last-Modified keeps moving forward and the
// generation keeps counting.
func (b *Builder) Continue(prev *Snapshot) { b.prev = prev }

// Build renders the library as published at now. On error (a document that
// fails its validity check, which is a bug) nothing is returned and the
// caller keeps serving its current snapshot.
func (b *Builder) Build(lib *library.Library, now time.Time) (*Snapshot, BuildStats, error) {
	return b.BuildFeedsFirst(lib, now, nil)
}

// BuildFeedsFirst is Build that, when early is not nil, hands early a
// snapshot of the documents that need only the newest articles (the
// feeds, the index, the OPML list, the 404 page, the stylesheets and the
// media files) before it renders the article, tag and archive pages,
// which that snapshot reports as rendering (Snapshot.Rendering). Readers
// poll the feeds; on a first start of 100,000 articles they are ready
// once the articles are read, seconds before the last page is. The
// snapshot returned is the one Build returns; the early one is a part of
// it served sooner, so it has the same generation.
func (b *Builder) BuildFeedsFirst(lib *library.Library, now time.Time, early func(*Snapshot)) (*Snapshot, BuildStats, error) {
	renderStart := time.Now() // the system's clock, which files' times use
	// The pages rendered while reading that this build did not take
	// are of articles that changed since, or left.
	defer func() { b.read = nil }()
	f, err := b.buildFront(lib, now)
	if err != nil {
		return nil, BuildStats{}, err
	}
	r := f.run
	stamped := 0 // r.fresh[:stamped] have their Last-Modified
	if early != nil {
		early(b.earlySnapshot(f, lib, now))
		stamped = len(r.fresh)
	}
	if b.entries, err = b.renderEntries(f.gone, f.added); err != nil {
		return nil, BuildStats{}, err
	}
	if err := r.renderBack(f.gone, f.added, f.groups); err != nil {
		return nil, BuildStats{}, err
	}
	b.storeBodies(r.fresh[stamped:], f.frontPaths)
	snap := r.snapshot(lib, now, len(f.published), f.generation, r.docs, r.pageDocs)
	snap.front, snap.renderStart, snap.archive = f.frontPaths, renderStart, r.memos.archive
	b.stampLastModified(r.fresh[stamped:], now)
	b.deferCompression(snap, r.fresh)
	b.rememberStamps(snap)
	b.pages, b.pageDocs, b.published = r.pages, r.pageDocs, f.published
	b.memos, b.media, b.prev = r.memos, r.media, snap
	r.stats.Rendered = len(r.fresh) - r.reusedPages
	return snap, r.stats, nil
}

// BuildFront renders the documents BuildFeedsFirst hands early, and
// only those, from a library whose articles other than the newest may
// be known by their headers alone (library.Scanner.ScanFront), and
// returns their snapshot, which answers every other path of the site as
// rendering. Nothing else is asked of b after: the complete build is
// another builder's, continued from this snapshot (Continue), so that
// it keeps the Last-Modified and gzip variants of what did not change.
func (b *Builder) BuildFront(lib *library.Library, now time.Time) (*Snapshot, error) {
	f, err := b.buildFront(lib, now)
	if err != nil {
		return nil, err
	}
	snap := b.earlySnapshot(f, lib, now)
	snap.early = true
	return snap, nil
}

// frontBuild is a build whose front documents are rendered
// (renderFront), with what the rest of it needs.
type frontBuild struct {
	run *renderRun
	// published are the articles published, and gone and added those
	// that left and came since the last build.
	published, gone, added []*article.Article
	groups                 []*tagGroup
	frontPaths             []string // sorted
	archivePages           int
	generation             uint64
}

// buildFront begins a build: it renders the front documents (and
// carries over the media files).
func (b *Builder) buildFront(lib *library.Library, now time.Time) (*frontBuild, error) {
	b.lib = lib
	published := b.resolveAll(lib, lib.Published(now))
	// What left and came since the last build: the article pages and
	// list entries of the rest are carried over as they are. Until this
	// build succeeds there is no last build to carry over from, so one
	// that fails midway leaves the next to render everything.
	if b.published == nil {
		b.pages, b.pageDocs, b.entries, b.tags = nil, nil, nil, nil
	}
	gone, added := library.Diff(b.published, published)
	b.published = nil
	latest := limit(published, b.cfg.Feeds.Limit)
	b.newest = b.newestBodies(latest)
	r := &renderRun{b: b, docs: make(map[string]*Document, b.prev.othersLen())}
	if b.pages == nil {
		// A start: the pages the last run left in the store are
		// reused (pageindex.go).
		r.index = b.loadIndex()
	}
	groups, problems := b.tagGroups(published, gone, added)
	r.stats.Problems = problems
	if err := r.renderFront(published, latest, groups); err != nil {
		return nil, err
	}
	f := &frontBuild{run: r, published: published, gone: gone, added: added, groups: groups,
		frontPaths:   slices.Sorted(maps.Keys(r.docs)),
		archivePages: archivePageCount(len(r.archived), b.cfg.Feeds.ArchiveSize)}
	r.addMedia(lib.Media)
	f.generation = b.nextGeneration()
	return f, nil
}

// earlySnapshot returns the snapshot of f's documents so far, to serve
// while the rest renders, with their Last-Modified set and their
// compression pending, and continues b from it.
func (b *Builder) earlySnapshot(f *frontBuild, lib *library.Library, now time.Time) *Snapshot {
	r := f.run
	snap := r.snapshot(lib, now, len(f.published), f.generation, maps.Clone(r.docs), nil)
	snap.front = f.frontPaths
	snap.rendering = laterPaths(f.published, f.groups, f.archivePages)
	b.stampLastModified(r.fresh, now)
	b.deferCompression(snap, r.fresh)
	b.prev = snap
	return snap
}

// snapshot returns a snapshot of the documents rendered so far: docs,
// and pages, the article pages.
func (r *renderRun) snapshot(lib *library.Library, now time.Time, published int, generation uint64, docs map[string]*Document, pages *pageMap) *Snapshot {
	return &Snapshot{
		Generation:    generation,
		BuiltAt:       now,
		Articles:      published,
		Errors:        lib.Errors(),
		NextScheduled: lib.NextScheduled(now),
		NotFound:      r.notFound,
		docs:          docs,
		pages:         pages,
		pageIndexKey:  r.b.pageIndexKey,
		pagesVersion:  r.b.pagesVersion,
		pagesIndexed:  r.indexCurrent,
	}
}

func (b *Builder) nextGeneration() uint64 {
	if b.prev == nil {
		return 1
	}
	return b.prev.Generation + 1
}

// renderRun is the work of one Build.
type renderRun struct {
	b    *Builder
	docs map[string]*Document
	// pages and pageDocs are the article pages by article and by path.
	pages    map[*article.Article]*Document
	pageDocs *pageMap
	media    map[*library.Media]*Document
	notFound *Document
	// fresh holds the documents rendered in this run, which need their
	// Last-Modified set; reused ones keep theirs.
	fresh []*Document
	// memos are what this run rendered or reused, for the next one.
	memos memos
	// archived are the articles of the archive pages: the published ones
	// the main feed does not carry, newest first.
	archived []*article.Article
	// index holds the pages a start may reuse (pageindex.go), or is
	// nil; reusedPages counts the documents of r.fresh taken from it
	// rather than rendered.
	index       *startIndex
	reusedPages int
	// indexChanged is set when a page of this run is not one the start's
	// index holds, whole, gzip variant included; indexCurrent, when
	// the run had an index and none is, so that it need not be written
	// again.
	indexChanged bool
	indexCurrent bool
	stats        BuildStats
}

// renderFront renders (or reuses, see memo.go) the documents that need
// only the newest articles and the tag names: what a first start serves
// before the rest is rendered. It settles which articles the archive
// holds (r.archived), which the main feed's prev-archive link depends on.
func (r *renderRun) renderFront(published, latest []*article.Article, groups []*tagGroup) error {
	b := r.b
	steps := []func() error{
		func() (err error) {
			r.archived, err = r.renderMainFeed(published, latest)
			return err
		},
		func() (err error) {
			r.memos.index, err = r.pageOrMemo(b.memos.index, "/", latest, "", func() ([]byte, error) {
				return b.renderIndex(latest)
			})
			return err
		},
		func() (err error) {
			r.memos.opml, err = r.renderOPML(groups)
			return err
		},
		func() (err error) {
			r.memos.notFound, err = r.pageOrMemo(b.memos.notFound, "", nil, "", func() ([]byte, error) {
				return b.renderPage("notfound.html", pageData{Title: "Not found · " + b.cfg.Site.Title})
			})
			return err
		},
		func() (err error) {
			r.memos.style, err = r.docOrMemo(b.memos.style, nil, "", func() (*Document, error) {
				style, err := templateFS.ReadFile("templates/style.css")
				if err != nil {
					return nil, err
				}
				return newDocument(stylePath, CSSContentType, KindAsset, style), nil
			})
			return err
		},
		r.renderStylesheet,
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// renderBack renders (or reuses) the archive, the article pages and the
// tag pages and feeds: every page that needs more than the newest
// articles. gone and added are the articles published by the last build
// and not this one, and the other way round.
func (r *renderRun) renderBack(gone, added []*article.Article, groups []*tagGroup) error {
	r.b.progress.Begin("rendering the archive", archivePageCount(len(r.archived), r.b.cfg.Feeds.ArchiveSize))
	if err := r.renderArchive(r.archived); err != nil {
		return err
	}
	if err := r.renderArticles(gone, added); err != nil {
		return err
	}
	r.indexCurrent = r.index != nil && r.index.pages != nil && !r.indexChanged &&
		len(r.index.pages) == r.pageDocs.len() && len(r.index.archive) == len(r.memos.archive)
	r.index = nil // all it held is used: some 25 MB at 100,000 pages
	r.b.progress.Begin("rendering tag pages", len(groups))
	return r.renderTags(groups)
}

// laterPaths returns the paths renderBack renders: those a snapshot made
// before it answers as still rendering.
func laterPaths(published []*article.Article, groups []*tagGroup, archivePages int) map[string]bool {
	paths := make(map[string]bool, len(published)+4*len(groups)+3*archivePages+1)
	for _, a := range published {
		paths[articlePath(a.Slug)] = true
	}
	paths[tagsPath] = true
	for _, g := range groups {
		paths[tagPath(g.slug)] = true
		addLinks(paths, tagFeedPaths(g.slug))
	}
	for n := 1; n <= archivePages; n++ {
		addLinks(paths, archivePaths(n))
	}
	return paths
}

func addLinks(paths map[string]bool, l feed.Links) {
	paths[l.RSS], paths[l.Atom], paths[l.JSON] = true, true, true
}

// add adds a freshly rendered document to the run; the one without a
// path is the 404 page.
func (r *renderRun) add(d *Document) {
	if d.Path == "" {
		r.notFound = d
	} else {
		r.docs[d.Path] = d
	}
	r.fresh = append(r.fresh, d)
}

// renderArticles renders the pages of the articles published since the
// last build (todo) and carries over the others, but those of the
// articles gone since. New pages render in parallel, one worker per
// core: a cold start renders thousands.
func (r *renderRun) renderArticles(gone, todo []*article.Article) error {
	// The pages by article are the builder's own; the pages by path go
	// into the snapshot, which the last one still serves.
	r.pages = r.b.pages
	if r.pages == nil {
		r.pages, r.pageDocs = make(map[*article.Article]*Document, len(todo)), newPageMap(len(todo))
	} else {
		r.pageDocs = r.b.pageDocs.next()
	}
	for _, a := range gone {
		if d := r.pages[a]; d != nil {
			r.pageDocs.delete(d.Path)
			delete(r.pages, a)
		}
	}
	if len(gone)+len(todo) > 0 {
		r.b.pagesVersion = pagesVersions.Add(1)
	}
	docs := make([]*Document, len(todo))
	reused := make([]bool, len(todo))
	errs := make([]error, len(todo))
	r.b.progress.Begin("rendering article pages", len(todo))
	parallel.Each(len(todo), func(i int) {
		docs[i], reused[i], errs[i] = r.b.articleDocument(r.index, todo[i])
		r.b.progress.Add(1)
	})
	for i, a := range todo {
		if errs[i] != nil {
			return fmt.Errorf("%s: %w", a.Path, errs[i])
		}
		d := docs[i]
		d.LastModified = a.Updated.Truncate(time.Second)
		r.pageDocs.set(d.Path, d)
		r.pages[a] = d
		// Reused pages need their gzip variant too, which the store
		// most likely has.
		r.fresh = append(r.fresh, d)
		if reused[i] {
			r.reusedPages++
		}
		if !reused[i] || d.Gzip() == nil {
			r.indexChanged = true
		}
	}
	return nil
}

// articleDocument returns a's page: the one in index, when it was
// rendered from the same article and is still stored (reused), or else
// a new one, its body kept in the store when b has one (stored.go).
func (b *Builder) articleDocument(index *startIndex, a *article.Article) (d *Document, reused bool, err error) {
	var key pageKey
	if b.pageIndexKey != "" || b.read != nil {
		key = b.pageKey(a)
	}
	if d := b.read.take(a.Path, key); d != nil {
		return d, false, nil
	}
	if d := b.reusedPage(index, a, key); d != nil {
		return d, true, nil
	}
	content, asRead := b.contentAsRead(a)
	if !asRead {
		// Only a page of the body as read is a's page: one of a file
		// edited or gone since the scan, kept in the index, would be
		// taken for a's by a later start.
		key = pageKey{}
	}
	d, err = b.articlePage(a, content, key)
	return d, false, err
}

// newPage returns the document of an HTML page rendered into body, which
// the caller reuses: its bytes go into the store when b has one, hashed
// once for both its ETag and its name there, or else (or when they
// cannot be stored) a copy stays in memory. Pages rendered by the
// thousand are stored at once, and copying each first was as much
// garbage as the pages themselves.
func (b *Builder) newPage(path string, body []byte) *Document {
	sum := sha256.Sum256(body)
	d := &Document{Path: path, ContentType: HTMLContentType, Kind: KindPage, ETag: etagOfSum(sum)}
	if b.gzipCache != nil {
		if name, wrote, err := b.gzipCache.PutHashed(body, sum); err == nil {
			d.stored = &storedBody{size: int64(len(body)), name: name, st: b.gzipCache, wrote: wrote}
			return d
		}
	}
	d.Body = bytes.Clone(body)
	return d
}

// storeBody moves d's body into the store, when b has one (stored.go).
// d must not be in a snapshot yet.
func (b *Builder) storeBody(d *Document) {
	if b.gzipCache == nil || d.stored != nil || d.Kind == KindMedia {
		return
	}
	// Not stored (a full disk), the body stays in memory.
	if stored, err := storeBody(b.gzipCache, d.Body); err == nil {
		d.stored, d.Body = stored, nil
	}
}

// storeFeed moves the bodies of a freshly rendered archive page, and of
// its HTML views, into the store, when b has one: at once, where
// storeBodies waits for the end of the build.
func (b *Builder) storeFeed(m *feedMemo) {
	for _, d := range m.docs {
		b.storeBody(d)
		if d.View != nil {
			b.storeBody(d.View)
		}
	}
}

// storeBodies moves the bodies of the documents fresh from this build,
// and of their HTML views, into the store, but for those of the paths in
// front (the feeds and pages readers poll, kept in memory) and the 404
// page: the archive and the tag pages and feeds, which are many and
// requested rarely.
func (b *Builder) storeBodies(fresh []*Document, front []string) {
	if b.gzipCache == nil {
		return
	}
	// On every core: at 100,000 articles this is thousands of files.
	parallel.Each(len(fresh), func(i int) {
		d := fresh[i]
		if _, isFront := slices.BinarySearch(front, d.Path); !isFront && d.Path != "" {
			b.storeBody(d)
			if d.View != nil {
				b.storeBody(d.View)
			}
		}
	})
}

// Forget makes b render every document again at the next build, as on
// a first start: a file of the store was found missing or damaged
// (Document.Mend), and others may be too (a store emptied by hand).
// Rendering gives the same bytes, and so the same files, again; the
// store writes those that are missing.
func (b *Builder) Forget() {
	b.pages, b.pageDocs, b.published, b.memos = nil, nil, nil, memos{}
}

func limit(as []*article.Article, n int) []*article.Article {
	if n > 0 && len(as) > n {
		return as[:n]
	}
	return as
}
