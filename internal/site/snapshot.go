// Package site renders everything the server can answer (feeds, HTML
// pages, stylesheet) into an immutable Snapshot, once per change.
//
// The server and `feedpub build` both use the Snapshot, so what a static
// host serves is byte for byte what feedpub serves.
package site

import (
	"crypto/sha256"
	"encoding/hex"
	"iter"
	"maps"
	"slices"
	"sync/atomic"
	"time"

	"github.com/feedpub/feedpub/internal/store"
)

// Document is one response body with the headers that describe it. It is
// immutable once it is part of a Snapshot.
type Document struct {
	// Path is the URL path, decoded ("/articles/héllo/").
	Path        string
	Body        []byte
	ContentType string
	// ETag is a strong entity tag (RFC 9110 §8.8.3), quoted, computed from
	// the body: equal bodies have equal tags on every machine.
	ETag string
	// LastModified is when these bytes were first served: it moves forward
	// whenever the bytes change and never goes backwards.
	LastModified time.Time
	// Kind tells what the document is, for caching policy and logging.
	Kind Kind
	// LinkHeader is the value of the HTTP Link header (RFC 8288) to send
	// with the document, or "" for none. A subscription feed of a site
	// with WebSub hubs carries `<hub>; rel="hub", <self>; rel="self"`
	// here: WebSub §4 lets subscribers discover hubs from this header
	// whatever the document's format.
	LinkHeader string
	// Topic is the absolute URL under which WebSub publishes this
	// document (its rel="self"), or "" when it is not a topic. Only
	// subscription feeds are topics; archive pages and HTML are not.
	Topic string
	// ContentSecurityPolicy is the value of the Content-Security-Policy
	// header to send with the document, or "" for none. SVG media files
	// carry SVGContentSecurityPolicy: opened on its own, an SVG is a
	// document that could run scripts in the site's origin.
	ContentSecurityPolicy string
	// View is the HTML page that shows an RSS or Atom feed to a browser,
	// served at Path instead of the feed to a request that prefers
	// text/html, or nil (see feedview.go). It is not one of the
	// snapshot's paths, so `feedpub build` does not write it.
	View *Document
	// stored, if not nil, holds the body in a store instead of Body
	// (stored.go).
	stored *storedBody
	// pageKey is what an article page was rendered from, for the index
	// of pages kept in the store (pageindex.go), or zero.
	pageKey pageKey
	// gzip is Body compressed with gzip, or nil until Snapshot.Compress
	// has compressed it, or when that would not be smaller. It is the one
	// field set after the document is published, atomically: once, and
	// again only after the server found its file damaged (DropGzip,
	// CompressAgain).
	gzip atomic.Pointer[Encoded]
}

// Gzip returns the gzip variant of the body, or nil while it is not yet
// compressed or when compressing would not make it smaller. The server
// chooses it by Accept-Encoding and never compresses on a request.
func (d *Document) Gzip() *Encoded { return d.gzip.Load() }

// GzipETag is the ETag the document's gzip variant has (or will have):
// the identity ETag with "-gz" inside the quotes. A strong validator must
// tell apart representations that differ in content coding (RFC 9110
// §8.8.3).
func (d *Document) GzipETag() string { return gzipETag(d.ETag) }

func gzipETag(etag string) string { return etag[:len(etag)-1] + `-gz"` }

// Kind is what a document is.
type Kind int

const (
	KindPage  Kind = iota // an HTML page
	KindFeed              // an RSS, Atom or JSON feed
	KindAsset             // a stylesheet or other static file
	KindMedia             // a media file from the articles directory, served as it is
)

// newDocument returns a document for body with its ETag computed.
func newDocument(path, contentType string, kind Kind, body []byte) *Document {
	return &Document{Path: path, Body: body, ContentType: contentType, ETag: etagOf(body), Kind: kind}
}

func etagOf(body []byte) string { return etagOfSum(sha256.Sum256(body)) }

// etagOfSum is the ETag of the body whose SHA-256 is sum: half of it, in
// hex, quoted.
func etagOfSum(sum [sha256.Size]byte) string {
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// Snapshot is the complete state served at one moment. It is never modified
// after Build returns it.
type Snapshot struct {
	// Generation counts the snapshots served since start; 1 is the first.
	Generation uint64
	// BuiltAt is when the snapshot was built. It appears in no document.
	BuiltAt time.Time
	// Articles is the number of published articles.
	Articles int
	// Errors is the number of current article errors.
	Errors int
	// NextScheduled is when the earliest scheduled article is due, or zero.
	NextScheduled time.Time
	// NotFound is the page served with status 404.
	NotFound *Document

	// docs holds every document but the article pages, by path;
	// pages holds the article pages. A build takes the last pages and
	// applies what changed (renderArticles): at 100,000 articles,
	// filling the map again took a tenth of a one-file rebuild.
	docs  map[string]*Document
	pages *pageMap
	// rendering holds the paths whose documents a later snapshot will
	// have: those of a first start's early snapshot (Builder.BuildFeedsFirst).
	rendering map[string]bool
	// front are the paths of the documents that need only the newest
	// articles (Builder.BuildFeedsFirst), sorted: what a restart serves
	// from the store before it has read the articles (restore.go).
	front []string
	// restored is set on a snapshot restored from the store: it has
	// only the front documents, and every other path is rendering.
	restored bool
	// early is set on a snapshot of BuildFront: the front documents
	// of a first start, made before the articles were read whole.
	early bool
	// pending are the documents whose gzip variant Compress must make;
	// gzipCache, if not nil, keeps those variants between runs.
	pending   []*Document
	gzipCache *store.Store
	// renderStart is when the build of s began rendering, by the
	// system clock: what a later build stores is newer, so CollectStore
	// leaves it (store.KeepSince).
	renderStart time.Time
	// pageIndexKey and pagesVersion are the builder's, and archive the
	// archive pages as it rendered them (pageindex.go).
	pageIndexKey string
	pagesVersion uint64
	archive      []*feedMemo
	// pagesIndexed reports that the index in the store says exactly
	// these pages: a start reused every one from it.
	pagesIndexed bool
}

// Lookup returns the document served at the decoded URL path, or nil.
func (s *Snapshot) Lookup(path string) *Document {
	if d := s.docs[path]; d != nil {
		return d
	}
	return s.pages.get(path)
}

// Rendering reports whether the document at the decoded URL path is
// still being rendered: it is not in s, and the snapshot that replaces s
// will have it. The server answers 503 with Retry-After for it; nothing
// is rendered on a request. A snapshot restored from the store does not
// know the paths the rest of the site will have, so until the articles
// are read every path it lacks is rendering.
func (s *Snapshot) Rendering(path string) bool {
	if s.restored {
		return s.Lookup(path) == nil
	}
	return s.rendering[path]
}

// Complete reports whether s has every document of the site, as every
// snapshot but a first start's early one, or a restart's restored one,
// has.
func (s *Snapshot) Complete() bool { return len(s.rendering) == 0 && !s.restored }

// Paths returns every served path, sorted.
func (s *Snapshot) Paths() []string {
	paths := make([]string, 0, s.Len())
	for p := range s.Documents() {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	return paths
}

// Documents returns every served path with its document, in no order.
func (s *Snapshot) Documents() iter.Seq2[string, *Document] {
	return func(yield func(string, *Document) bool) {
		for p, d := range s.docs {
			if !yield(p, d) {
				return
			}
		}
		for p, d := range s.pages.all() {
			if !yield(p, d) {
				return
			}
		}
	}
}

// Others returns every served path but the article pages' with its
// document, in no order: the feeds, the index, the archive, the tag
// pages, the stylesheets and the media files.
func (s *Snapshot) Others() iter.Seq2[string, *Document] { return maps.All(s.docs) }

// othersLen returns the number of documents but the article pages, or 0
// for no snapshot: about as many as the next build renders.
func (s *Snapshot) othersLen() int {
	if s == nil {
		return 0
	}
	return len(s.docs)
}

// Len returns the number of documents.
func (s *Snapshot) Len() int { return len(s.docs) + s.pages.len() }

// SameContent reports whether s and o serve the same bytes at the same
// paths, so swapping one for the other would change nothing a client sees.
func (s *Snapshot) SameContent(o *Snapshot) bool {
	if o == nil || s.Len() != o.Len() || s.NotFound.ETag != o.NotFound.ETag {
		return false
	}
	for p, d := range s.Documents() {
		od := o.Lookup(p)
		if od == nil || od.ETag != d.ETag {
			return false
		}
	}
	return true
}

// WithStatus returns a copy of s with the status fields (built time,
// counts, next scheduled time) of o, serving s's documents under s's
// generation. It is used when a rebuild produced the same bytes.
func (s *Snapshot) WithStatus(o *Snapshot) *Snapshot {
	c := *s
	c.BuiltAt, c.Articles, c.Errors, c.NextScheduled = o.BuiltAt, o.Articles, o.Errors, o.NextScheduled
	return &c
}
