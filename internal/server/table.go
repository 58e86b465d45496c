package server

import (
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/feedpub/feedpub/internal/feed"
	"github.com/feedpub/feedpub/internal/site"
)

// Header values shared by every response that carries them. Header maps
// get these very slices (h["Vary"] = varyEncoding), which is why each has
// its capacity cut to its length: an Add on a response appends to a copy
// instead of writing into the shared array. Nothing modifies them.
var (
	nosniff         = fixed("nosniff")
	varyEncoding    = fixed("Accept-Encoding")
	varyFeed        = fixed("Accept, Accept-Encoding")
	gzipCoding      = fixed("gzip")
	acceptRanges    = fixed("bytes")
	anyOrigin       = fixed("*")
	allowed         = fixed("GET, HEAD, OPTIONS")
	retryAfter      = fixed("1")
	zeroLength      = fixed("0")
	noStore         = fixed("no-store")
	jsonType        = fixed("application/json")
	textType        = fixed("text/plain; charset=utf-8")
	browserFeedType = fixed("application/xml; charset=utf-8")
	// pagePolicy lets pages use their stylesheet and images and nothing
	// else: no scripts, no inline styles, no framing, no forms.
	pagePolicy = fixed("default-src 'none'; style-src 'self'; img-src 'self' https: data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	// pageCaching lets caches keep pages a minute: a new article reaches
	// the index soon after it is published.
	pageCaching = fixed("public, max-age=60")
	// assetCaching is longer for the stylesheets, which change only with
	// feedpub itself and have no version in their URL.
	assetCaching = fixed("public, max-age=3600")
)

func fixed(v string) []string { return []string{v}[:1:1] }

func itoa(n int) string { return strconv.Itoa(n) }

// table is the prepared responses of one snapshot: those of its
// subscription feeds (the main feed and the tag feeds), which readers
// poll, and of the documents it holds in memory (the index, the
// stylesheets). The many documents kept in the store (article, tag and
// archive pages, and the archive feeds, which a reader fetches once)
// get their entry on each request instead (Handler.entryOf): prepared,
// the header values of 100,000 pages took more memory than the site's
// articles, and those of 2,000 archive feeds 25 MB, for documents
// requested rarely, at the cost of a few allocations beside the open and
// sendfile such a request makes anyway.
type table struct {
	snap     *site.Snapshot
	entries  map[string]*entry
	notFound *entry
}

// entryOf returns the entry of the document at path in t, or nil.
func (h *Handler) entryOf(t *table, path string) *entry {
	if e := t.entries[path]; e != nil {
		return e
	}
	if d := t.snap.Lookup(path); d != nil {
		return h.newEntry(d)
	}
	return nil
}

// entry is one document with its header values built: a variant per
// content coding and the negotiation it takes part in.
type entry struct {
	doc   *site.Document
	route route
	// identity is the document as it is.
	identity variant
	// gzip is the gzip variant, built on the first request that wants it
	// once the document's compressed body exists (compression runs in the
	// background after a swap; see site.Snapshot.Compress).
	gzip atomic.Pointer[variant]
	// gzipETag is the gzip variant's ETag, known before its body exists,
	// and gzipNotModified the 304 for it, so a client holding the gzip
	// bytes gets its 304 even while they are being made again.
	gzipETag        string
	gzipNotModified variant
	// shared are the fields every variant's responses carry.
	shared []field
	// browserType is the Content-Type for browsers, which list text/html
	// first in Accept, or nil to always send the document's own. A feed
	// with an HTML view sends browsers the view instead.
	browserType []string
	// view is the entry of the document's HTML view (site.Document.View),
	// sent instead of it to a request that prefers text/html, or nil.
	view *entry
	// modTime and lastModified are the document's Last-Modified, as a
	// time to compare with If-Modified-Since and as sent.
	modTime      time.Time
	lastModified string
}

// variant is a document in one content coding.
type variant struct {
	body []byte
	// file, when not "", holds the body instead (a document kept in the
	// store; see site/stored.go): size bytes, which src checks before a
	// response first sends them, and remembers having checked
	// (openChecked).
	file string
	size int64
	src  storedFile
	etag string
	// ok are the header fields of a 200 response, notModified those of a
	// 304 (RFC 9110 §15.4.5: ETag, Cache-Control, Vary and the like, no
	// representation metadata; Last-Modified is left out since the ETag
	// is there, as ServeContent does).
	ok, notModified []field
}

// field is one header field with its canonical name.
type field struct {
	key   string
	value []string
}

// set writes fields into h.
func set(h http.Header, fields []field) {
	for _, f := range fields {
		h[f.key] = f.value
	}
}

// tableFor returns the prepared table of snap, preparing it when snap is
// new. Entries of documents shared with the previous snapshot are reused.
func (h *Handler) tableFor(snap *site.Snapshot) *table {
	if t := h.table.Load(); t != nil && t.snap == snap {
		return t
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	prev := h.table.Load()
	if prev != nil && prev.snap == snap {
		return prev
	}
	t := h.newTable(snap, prev)
	h.table.Store(t)
	return t
}

func (h *Handler) newTable(snap *site.Snapshot, prev *table) *table {
	t := &table{snap: snap, entries: map[string]*entry{}}
	for p, d := range snap.Others() { // article pages are all stored
		if d.Stored() && d.Topic == "" {
			continue // prepared on request (entryOf); polled feeds are topics
		}
		if prev != nil {
			if e := prev.entries[p]; e != nil && e.doc == d {
				t.entries[p] = e
				continue
			}
		}
		t.entries[p] = h.newEntry(d)
	}
	t.notFound = h.newEntry(snap.NotFound)
	t.notFound.route = routeNotFound
	return t
}

// newEntry builds the header values of d.
func (h *Handler) newEntry(d *site.Document) *entry {
	return h.newEntryVarying(d, varyEncoding)
}

// newEntryVarying is newEntry with vary as the Vary field value.
func (h *Handler) newEntryVarying(d *site.Document, vary []string) *entry {
	e := &entry{doc: d, route: routeOf(d)}
	shared := []field{
		{"Cache-Control", h.cacheControl(d)},
		{"Vary", vary},
		{"X-Content-Type-Options", nosniff},
	}
	switch d.Kind {
	case site.KindPage:
		shared = append(shared, field{"Content-Security-Policy", pagePolicy})
	case site.KindFeed:
		// Any site may read the feeds from a browser script.
		shared = append(shared, field{"Access-Control-Allow-Origin", anyOrigin})
	}
	if d.LinkHeader != "" {
		// WebSub hub discovery (WebSub §4), on 304s too, like every
		// field that is not representation metadata.
		shared = append(shared, field{"Link", fixed(d.LinkHeader)})
	}
	if d.ContentType == feed.RSSContentType || d.ContentType == feed.AtomContentType {
		// Browsers apply the XSLT stylesheet only to a document they take
		// for generic XML (Firefox downloads application/rss+xml), so a
		// request listing text/html first gets application/xml: the same
		// bytes, labelled less precisely. Readers, which ask for feed
		// types or */*, keep the registered type. The body and its ETag
		// are the same either way; Vary tells caches the type depends on
		// Accept.
		e.browserType = browserFeedType
		shared[1] = field{"Vary", varyFeed}
	}
	if d.View != nil {
		// The feed's HTML view answers the same URL, so it varies by
		// Accept too; requests for it count as requests for the feed.
		e.view = h.newEntryVarying(d.View, varyFeed)
		e.view.route = e.route
	}
	if !isZeroTime(d.LastModified) {
		e.modTime = d.LastModified.Truncate(time.Second)
		e.lastModified = d.LastModified.UTC().Format(http.TimeFormat)
	}
	e.shared = shared
	file, size := d.File()
	e.identity.init(e, d.Body, d.ETag, shared, nil)
	e.identity.stored(file, size, d)
	e.gzipETag = d.GzipETag()
	e.gzipNotModified.init(e, nil, e.gzipETag, shared, gzipCoding)
	return e
}

// gzipVariant returns the gzip variant of e, or nil while the document has
// none (not compressed yet, or not worth compressing).
func (e *entry) gzipVariant() *variant {
	if v := e.gzip.Load(); v != nil {
		return v
	}
	enc := e.doc.Gzip()
	if enc == nil {
		return nil
	}
	v := new(variant)
	file, size := enc.File()
	v.init(e, enc.Body, e.gzipETag, e.shared, gzipCoding)
	v.stored(file, size, enc)
	e.gzip.CompareAndSwap(nil, v)
	return e.gzip.Load()
}

// storedFile is a document's body or compressed bytes kept in a store:
// what checks them and remembers what their file was when they passed
// (site.Document, site.Encoded).
type storedFile interface {
	Check() error
	CheckedAs() site.FileSig
	SetCheckedAs(site.FileSig)
}

// stored makes v send the file of size bytes, checked by src before the
// first time, instead of its body; file "" leaves it as it is.
func (v *variant) stored(file string, size int64, src storedFile) {
	if file == "" {
		return
	}
	v.file, v.size, v.src = file, size, src
	for i := range v.ok {
		if v.ok[i].key == "Content-Length" {
			v.ok[i].value = fixed(strconv.FormatInt(size, 10))
		}
	}
}

// init makes v the variant of e with body, tagged etag, in content coding
// coding (nil for identity).
func (v *variant) init(e *entry, body []byte, etag string, shared []field, coding []string) {
	v.body, v.etag = body, etag
	etagField := field{"Etag", fixed(etag)}
	v.notModified = append(append(make([]field, 0, len(shared)+1), shared...), etagField)
	v.ok = append([]field{
		{"Content-Type", fixed(e.doc.ContentType)},
		{"Content-Length", fixed(itoa(len(body)))},
		{"Accept-Ranges", acceptRanges},
	}, v.notModified...)
	if e.lastModified != "" {
		v.ok = append(v.ok, field{"Last-Modified", fixed(e.lastModified)})
	}
	if coding != nil {
		v.ok = append(v.ok, field{"Content-Encoding", coding})
	}
}

// cacheControl is the Cache-Control of d's responses.
func (h *Handler) cacheControl(d *site.Document) []string {
	switch d.Kind {
	case site.KindFeed:
		return fixed("public, max-age=" + itoa(int(h.feedMaxAge/time.Second)))
	case site.KindAsset:
		return assetCaching
	}
	return pageCaching
}

// routeOf is the metrics route of a document.
func routeOf(d *site.Document) route {
	switch {
	case d.ContentType == feed.RSSContentType:
		return routeRSS
	case d.ContentType == feed.AtomContentType:
		return routeAtom
	case d.Kind == site.KindFeed:
		return routeJSON
	case d.Kind == site.KindAsset:
		return routeAsset
	case strings.HasPrefix(d.Path, "/articles/"):
		return routeArticle
	}
	return routePage
}

// isZeroTime reports whether t carries no time, which ServeContent treats
// as no Last-Modified.
func isZeroTime(t time.Time) bool {
	return t.IsZero() || t.Equal(time.Unix(0, 0))
}
