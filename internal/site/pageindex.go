package site

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/internal/store"
)

// A first build renders every article page, and at 100,000 articles that
// is most of its time; yet on a restart, or a `feedpub build` run again,
// nearly every page comes out as the last run left it in the store. So
// after each complete snapshot whose pages changed, the store keeps an
// index of them (SavePages): each page's path, what it was rendered from
// (pageKey) and its stored body. The first build of the next run reuses
// every page whose key is the same and whose file is still there, and
// renders only the others. The index is written under a key naming the
// configuration and the build of feedpub (Builder.ReusePages): pages
// rendered by other templates or settings are never reused. A reused
// body is checked against its hash when first served, like any stored
// body; a damaged one is rendered again (Document.Mend, Builder.Forget).

// pageIndexName is the index's file name in the store's directory.
const pageIndexName = "pages"

// pageIndexHeader starts the index, followed by the key it was written
// under; its number changes whenever the lines change meaning.
const pageIndexHeader = "feedpub pages 1 "

// indexedPage is what the index says of one article page.
type indexedPage struct {
	key  string // pageKey of the article it was rendered from
	name string // the store's name of its body
	size int64
}

// ReusePages makes b keep an index of its article pages in its store
// (UseStore) under key, and reuse the pages of the index written under
// the same key when it starts: key names everything a page is rendered
// with besides its article (the configuration, the build of feedpub).
func (b *Builder) ReusePages(key string) { b.pageIndexKey = key }

// pagesVersions hands out the builders' pagesVersion, unique across
// builders: a reloaded configuration makes a new one.
var pagesVersions atomic.Uint64

// loadPageIndex returns the pages of the index in b's store written
// under b's key, by path, or nil when there is none to use: no store or
// key, or a build that follows another snapshot than a start's: a
// rebuild after a change works from what b remembers (b.pages), and one
// after Forget must not reuse a file found damaged. A restored snapshot
// (Continue) has no pages.
func (b *Builder) loadPageIndex() map[string]indexedPage {
	if b.gzipCache == nil || b.pageIndexKey == "" || (b.prev != nil && !b.prev.restored) {
		return nil
	}
	f, err := os.Open(filepath.Join(b.gzipCache.Dir(), pageIndexName))
	if err != nil {
		return nil // none yet; any other trouble just means rendering
	}
	defer f.Close()
	pages, err := readPageIndex(f, b.pageIndexKey)
	if err != nil {
		return nil
	}
	return pages
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
		key, rest, ok2 := strings.Cut(rest, "\t")
		name, sizeText, ok3 := strings.Cut(rest, "\t")
		size, err := strconv.ParseInt(sizeText, 10, 64)
		if !ok1 || !ok2 || !ok3 || err != nil || !store.IsName(name) || len(name) != 64 {
			return nil, fmt.Errorf("bad line %q", sc.Text())
		}
		pages[path] = indexedPage{key: key, name: name, size: size}
	}
	return pages, sc.Err()
}

// SavePages writes the index of s's article pages into the store their
// bodies are in, for the next start. s must be complete.
func (s *Snapshot) SavePages() error {
	if s.gzipCache == nil || s.pageIndexKey == "" || !s.Complete() {
		return nil
	}
	var buf bytes.Buffer
	writePageIndex(&buf, s.pageIndexKey, s.pages)
	return store.WriteFileAtomic(filepath.Join(s.gzipCache.Dir(), pageIndexName), buf.Bytes())
}

// PagesVersion identifies the article pages of s: it changes when a
// build renders or removes a page, so a caller saves the index
// (SavePages) only when it would say something new.
func (s *Snapshot) PagesVersion() uint64 { return s.pagesVersion }

// writePageIndex writes the index of pages, the stored pages rendered
// from a known key, sorted by path so equal sites give equal files.
func writePageIndex(w io.Writer, key string, pages map[string]*Document) {
	fmt.Fprintf(w, "%s%s\n", pageIndexHeader, key)
	for _, path := range slices.Sorted(maps.Keys(pages)) {
		d := pages[path]
		if d.stored == nil || d.pageKey == "" || strings.ContainsAny(path, "\t\n") {
			continue
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\n", path, d.pageKey, d.stored.name, d.stored.size)
	}
}

// reusedPage returns the page of a that the index holds, if it was
// rendered from key and its file is still in the store with its size, or
// nil. A file that is there but damaged is caught when first served.
func (b *Builder) reusedPage(index map[string]indexedPage, a *article.Article, key string) *Document {
	path := articlePath(a.Slug)
	p, ok := index[path]
	if !ok || p.key != key {
		return nil
	}
	info, err := os.Stat(b.gzipCache.Path(p.name))
	if err != nil || !info.Mode().IsRegular() || info.Size() != p.size {
		return nil
	}
	return &Document{
		Path: path, ContentType: HTMLContentType, Kind: KindPage,
		ETag:    `"` + p.name[:32] + `"`, // etagOf: half of the SHA-256 the name is
		stored:  &storedBody{size: p.size, name: p.name, st: b.gzipCache},
		pageKey: key,
	}
}

// pageKey returns what a's page is rendered from, besides what the
// builder's key covers: every field of a the page shows, its path (the
// Markdown or text format) and its body. A body kept on disk is named by
// its ContentKey, which hashes what the body's HTML is made from; one in
// memory, which links resolved against other articles may have changed,
// by its HTML.
func (b *Builder) pageKey(a *article.Article) string {
	h := sha256.New()
	// The view is what the template shows of the article; encoding it
	// whole means a field added to it is part of the key.
	if err := json.NewEncoder(h).Encode(b.viewOf(a)); err != nil {
		return "" // never matches an indexed key
	}
	io.WriteString(h, a.Path+"\x00")
	if a.BodyOnDisk {
		io.WriteString(h, a.ContentKey)
	} else {
		io.WriteString(h, a.ContentHTML)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
