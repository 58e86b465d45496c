package site

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/internal/feed"
	"github.com/feedpub/feedpub/internal/store"
)

// A first build renders every article page and archive page, and at
// 100,000 articles that is most of its time; yet on a restart, or a
// `feedpub build` run again, nearly every one comes out as the last run
// left it in the store. So the store keeps an index of them (SavePages,
// which the publisher calls after a complete snapshot whose pages
// changed): each page's path, what it was rendered from (pageKey,
// feedKey), and its stored body and gzip variant. An index older than
// the pages is safe: the first build of the next run reuses every page
// whose key is the same and whose files are still there, and renders
// only the others; a reused gzip variant is not made again. The
// index is written under a key naming the configuration and the build of
// feedpub (Builder.ReusePages): pages rendered by other templates or
// settings are never reused. A reused body or variant is checked against
// its hash when first served, like any stored file, and a damaged one is
// made again (Document.Mend and Builder.Forget, or Publisher.MendGzip).

// pageIndexName and archiveIndexName are the files of the index in the
// store's directory: the article pages, many, in lines of text, and the
// archive pages, which have headers and HTML views, in JSON.
const (
	pageIndexName    = "pages"
	archiveIndexName = "archive.json"
)

// pageIndexHeader starts the index, followed by the key it was written
// under; its number changes whenever the lines change meaning.
const pageIndexHeader = "feedpub pages 1 "

// indexedPage is what the index says of one article page.
type indexedPage struct {
	key  pageKey // of the article it was rendered from
	name string  // the store's name of its body
	size int64
	// gzipSize is the size of its gzip variant in the store, or 0 for
	// none known.
	gzipSize int64
}

// archiveIndex is what the index says of the archive pages.
type archiveIndex struct {
	Key   string         `json:"key"`
	Pages []*indexedFeed `json:"pages"` // by page number - 1; null for a page not indexed
}

// indexedFeed is what the index says of the documents of one feed.
type indexedFeed struct {
	Key         string       `json:"key"` // feedKey of the description it was rendered from
	Fitted      feed.Fitted  `json:"fitted"`
	MostDropped int          `json:"most_dropped"`
	Docs        []*storedDoc `json:"docs"`
}

// ReusePages makes b keep an index of its article pages in its store
// (UseStore) under key, and reuse the pages of the index written under
// the same key when it starts: key names everything a page is rendered
// with besides its article (the configuration, the build of feedpub).
func (b *Builder) ReusePages(key string) { b.pageIndexKey = key }

// pagesVersions hands out the builders' pagesVersion, unique across
// builders: a reloaded configuration makes a new one.
var pagesVersions atomic.Uint64

// startIndex is the index a start reuses pages from.
type startIndex struct {
	pages   map[string]indexedPage // by path
	archive []*indexedFeed         // by page number - 1
}

// loadIndex returns the index in b's store written under b's key, or
// nil when there is none to use: no store or key, or a build that
// follows another snapshot than a start's: a rebuild after a change
// works from what b remembers (b.pages, b.memos), and one after Forget
// must not reuse a file found damaged. A restored snapshot (Continue)
// has no pages, nor has an early one (BuildFront). Any trouble reading
// the index just means rendering.
func (b *Builder) loadIndex() *startIndex {
	if b.gzipCache == nil || b.pageIndexKey == "" || (b.prev != nil && !b.prev.restored && !b.prev.early) {
		return nil
	}
	ix := &startIndex{}
	if f, err := os.Open(filepath.Join(b.gzipCache.Dir(), pageIndexName)); err == nil {
		ix.pages, _ = readPageIndex(f, b.pageIndexKey)
		f.Close()
	}
	var archive archiveIndex
	data, err := os.ReadFile(filepath.Join(b.gzipCache.Dir(), archiveIndexName))
	if err == nil && json.Unmarshal(data, &archive) == nil && archive.Key == b.pageIndexKey {
		ix.archive = archive.Pages
	}
	return ix
}

// archivePage returns what ix says of archive page n, or nil.
func (ix *startIndex) archivePage(n int) *indexedFeed {
	if ix == nil || n > len(ix.archive) {
		return nil
	}
	return ix.archive[n-1]
}

// readPageIndex reads an index written by writePageIndex under key.
func readPageIndex(r io.Reader, key string) (map[string]indexedPage, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	if !sc.Scan() || sc.Text() != pageIndexHeader+key {
		return nil, fmt.Errorf("written under another key")
	}
	pages := map[string]indexedPage{}
	for sc.Scan() {
		path, rest, ok1 := strings.Cut(sc.Text(), "\t")
		keyText, rest, ok2 := strings.Cut(rest, "\t")
		name, rest, ok3 := strings.Cut(rest, "\t")
		sizeText, gzipText, ok4 := strings.Cut(rest, "\t")
		size, err1 := strconv.ParseInt(sizeText, 10, 64)
		gzipSize, err2 := strconv.ParseInt(gzipText, 10, 64)
		var key pageKey
		n, err3 := hex.Decode(key[:], []byte(keyText))
		if !ok1 || !ok2 || !ok3 || !ok4 || err1 != nil || err2 != nil || err3 != nil || n != len(key) || len(keyText) != 2*len(key) ||
			!store.IsName(name) || len(name) != 64 {
			return nil, fmt.Errorf("bad line %q", sc.Text())
		}
		// A copy: a page reused keeps its name, not the line.
		pages[path] = indexedPage{key: key, name: strings.Clone(name), size: size, gzipSize: gzipSize}
	}
	return pages, sc.Err()
}

// SavePages writes the index of s's article and archive pages into the
// store their bodies are in, for the next start. s must be complete, and
// compressed for the next start to reuse the gzip variants too.
func (s *Snapshot) SavePages() error {
	if s.gzipCache == nil || s.pageIndexKey == "" || !s.Complete() || s.pagesIndexed {
		// A start that reused every page leaves the index as it is:
		// at 100,000 pages writing it again took 0.4 s and allocated
		// 56 MB at the end of a restart.
		return nil
	}
	err := store.WriteAtomic(filepath.Join(s.gzipCache.Dir(), pageIndexName), func(w io.Writer) error {
		return writePageIndex(w, s.pageIndexKey, s.pages)
	})
	if err != nil {
		return err
	}
	archive := archiveIndex{Key: s.pageIndexKey, Pages: make([]*indexedFeed, len(s.archive))}
	for i, m := range s.archive {
		archive.Pages[i] = indexFeed(m)
	}
	data, err := json.Marshal(archive)
	if err != nil {
		return err
	}
	return store.WriteFileAtomic(filepath.Join(s.gzipCache.Dir(), archiveIndexName), data)
}

// PagesVersion identifies the article pages of s: it changes when a
// build renders or removes a page, so a caller saves the index
// (SavePages) only when it would say something new.
func (s *Snapshot) PagesVersion() uint64 { return s.pagesVersion }

// writePageIndex writes the index of pages, the stored pages rendered
// from a known key, sorted by path so equal sites give equal files.
func writePageIndex(w io.Writer, key string, pages *pageMap) error {
	if _, err := fmt.Fprintf(w, "%s%s\n", pageIndexHeader, key); err != nil {
		return err
	}
	// Collected into a slice of the right size: grown by appending,
	// the keys of 100,000 entries took twice the memory.
	keys := make([]string, 0, pages.len())
	for path := range pages.all() {
		keys = append(keys, path)
	}
	slices.Sort(keys)
	for _, path := range keys {
		d := pages.get(path)
		if d.stored == nil || d.pageKey == (pageKey{}) || strings.ContainsAny(path, "\t\n") {
			continue
		}
		if _, err := fmt.Fprintf(w, "%s\t%x\t%s\t%d\t%d\n", path, d.pageKey, d.stored.name, d.stored.size, storedGzipSize(d)); err != nil {
			return err
		}
	}
	return nil
}

// storedGzipSize returns the size of d's gzip variant when it is a file
// of the store, else 0.
func storedGzipSize(d *Document) int64 {
	if gz := d.Gzip(); gz != nil && gz.stored != nil {
		return gz.stored.size
	}
	return 0
}

// indexFeed returns what the index says of m's documents, or nil when
// m has no key or a document is not stored.
func indexFeed(m *feedMemo) *indexedFeed {
	if m == nil || m.key == "" {
		return nil
	}
	f := &indexedFeed{Key: m.key, Fitted: m.fitted, MostDropped: m.mostDropped}
	for _, d := range m.docs {
		sd := indexDoc(d)
		if sd == nil {
			return nil
		}
		f.Docs = append(f.Docs, sd)
	}
	return f
}

// indexDoc returns what the index says of d, whose body and view's body
// are stored, or nil when one is not.
func indexDoc(d *Document) *storedDoc {
	if d.stored == nil {
		return nil
	}
	sd := &storedDoc{
		Path: d.Path, Body: d.stored.name, Size: d.stored.size, ContentType: d.ContentType, Kind: d.Kind,
		LastModified: d.LastModified, LinkHeader: d.LinkHeader, Topic: d.Topic, ContentSecurityPolicy: d.ContentSecurityPolicy,
	}
	if sd.GzipSize = storedGzipSize(d); sd.GzipSize > 0 {
		sd.Gzip = cacheName(d)
	}
	if d.View != nil {
		if sd.View = indexDoc(d.View); sd.View == nil {
			return nil
		}
	}
	return sd
}

// allCompressed reports whether every document of m, views included,
// has its gzip variant.
func (m *feedMemo) allCompressed() bool {
	for _, d := range m.docs {
		if d.Gzip() == nil || d.View != nil && d.View.Gzip() == nil {
			return false
		}
	}
	return true
}

// reusedFeed returns the documents ix holds for a feed rendered from a
// description whose feedKey is key, when every file is still there, or
// nil.
func (b *Builder) reusedFeed(ix *indexedFeed, key string) *feedMemo {
	if ix == nil || ix.Key != key || len(ix.Docs) != len(feedFormats) {
		return nil
	}
	m := &feedMemo{key: key, feedDocs: feedDocs{fitted: ix.Fitted, mostDropped: ix.MostDropped}}
	for _, sd := range ix.Docs {
		d := b.referTo(sd)
		if d == nil {
			return nil
		}
		m.docs = append(m.docs, d)
	}
	return m
}

// referTo returns the document sd describes, its body and gzip variant
// the store's files, without reading them, or nil when a file is
// missing or not of the size indexed.
func (b *Builder) referTo(sd *storedDoc) *Document {
	if !store.IsName(sd.Body) || len(sd.Body) != 64 || !b.hasFile(sd.Body, sd.Size) {
		return nil
	}
	d := &Document{
		Path: sd.Path, ContentType: sd.ContentType, Kind: sd.Kind, ETag: `"` + sd.Body[:32] + `"`,
		LastModified: sd.LastModified, LinkHeader: sd.LinkHeader, Topic: sd.Topic, ContentSecurityPolicy: sd.ContentSecurityPolicy,
		stored: &storedBody{size: sd.Size, name: sd.Body, st: b.gzipCache},
	}
	b.referToGzip(d, sd.GzipSize)
	if sd.View != nil {
		if d.View = b.referTo(sd.View); d.View == nil {
			return nil
		}
	}
	return d
}

// referToGzip gives d, a document whose body is a file of the store, the
// gzip variant the store holds for it, if it has size bytes. It is
// checked when first served, like the body, and whenever its bytes are
// read (Encoded.Bytes) for a build or a deploy.
func (b *Builder) referToGzip(d *Document, size int64) {
	if size > 0 && b.hasFile(cacheName(d), size) {
		d.gzip.Store(&Encoded{of: d, stored: &storedBody{size: size, name: cacheName(d), st: b.gzipCache, unverified: true}})
	}
}

// hasFile reports whether b's store has a file under name of size bytes.
func (b *Builder) hasFile(name string, size int64) bool {
	info, err := os.Stat(b.gzipCache.Path(name))
	return err == nil && info.Mode().IsRegular() && info.Size() == size
}

// feedKey returns what a feed is rendered from, besides what the
// builder's key covers: its description, whole, so that a field added to
// it is part of the key.
func feedKey(f *feed.Feed) string {
	h := sha256.New()
	if err := json.NewEncoder(h).Encode(f); err != nil {
		return "" // never matches an indexed key
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// reusedPage returns the page of a that ix holds, if it was rendered
// from key and its file is still in the store with its size, or nil. A
// file that is there but damaged is caught when first served.
func (b *Builder) reusedPage(ix *startIndex, a *article.Article, key pageKey) *Document {
	if ix == nil {
		return nil
	}
	path := articlePath(a.Slug)
	p, ok := ix.pages[path]
	if !ok || p.key != key || !b.hasFile(p.name, p.size) {
		return nil
	}
	d := &Document{
		Path: path, ContentType: HTMLContentType, Kind: KindPage,
		ETag:    `"` + p.name[:32] + `"`, // etagOf: half of the SHA-256 the name is
		stored:  &storedBody{size: p.size, name: p.name, st: b.gzipCache},
		pageKey: key,
	}
	b.referToGzip(d, p.gzipSize)
	return d
}

// A pageKey names what an article page was rendered from: half of a
// SHA-256, kept as bytes, not hex digits, in each of 100,000 pages.
type pageKey [16]byte

// pageKey returns what a's page is rendered from, besides what the
// builder's key covers (the configuration, the build of feedpub): the
// fields of a its view shows (viewOf; TestPageKeyCoversTheView holds
// that every field of the view is made from these), its path (the
// Markdown or text format) and its body. A body kept on disk is named by
// its ContentKey, which hashes what the body's HTML is made from; one in
// memory, which links resolved against other articles may have changed,
// by its HTML. It hashes the fields themselves, not the view: at 100,000
// articles making the views' URLs and encoding them took a second of a
// restart.
func (b *Builder) pageKey(a *article.Article) pageKey {
	// Each field after its length, so that no two articles give the
	// same bytes.
	buf := make([]byte, 0, 512)
	field := func(s string) { buf = append(binary.AppendUvarint(buf, uint64(len(s))), s...) }
	for _, s := range []string{a.Path, a.Slug, a.Title, a.Summary, a.Author, a.Bio, a.Lang} {
		field(s)
	}
	field(a.Published.UTC().Format(time.RFC3339Nano))
	buf = binary.AppendUvarint(buf, uint64(len(a.Tags)))
	for _, tag := range a.Tags {
		field(tag)
	}
	if a.BodyOnDisk {
		buf = append(buf, 'k')
		field(a.ContentKey)
	} else {
		buf = append(buf, 'h')
		field(a.ContentHTML)
	}
	sum := sha256.Sum256(buf)
	return pageKey(sum[:16])
}
