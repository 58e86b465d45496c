// Package state keeps what feedpub must remember between runs so that what
// it publishes stays stable: the id and first-seen time of every article
// path, and when each served document's bytes last changed.
//
// The state is a small JSON file, written atomically (temporary file, then
// rename) so a crash never leaves half of it. A missing or corrupt file is
// not fatal: feedpub rebuilds the state from the directory and says so.
package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/feedpub/feedpub/internal/store"
)

// formatVersion is written into the file so a later feedpub can migrate it.
const formatVersion = 1

// Article is what is remembered about one article path.
type Article struct {
	// ID is the article's stable identity.
	ID string `json:"id"`
	// FirstSeen is when feedpub first saw the article (its modification
	// time then), the publication date of an article that declares none.
	FirstSeen time.Time `json:"first_seen"`
	// ContentKey is the article's article.ContentKey when last read, so
	// a file renamed while feedpub was stopped is recognised at the next
	// start by its content. Empty in files written before it was kept;
	// such an entry is filled in when its article is next read.
	ContentKey string `json:"content_key,omitempty"`
}

// Document is what is remembered about one served document.
type Document struct {
	// ETag is the document's entity tag when LastModified was set.
	ETag string `json:"etag"`
	// LastModified is when the document's bytes last changed.
	LastModified time.Time `json:"last_modified"`
}

// State is the remembered state. It is safe for concurrent use.
type State struct {
	path     string // "" keeps the state in memory only
	readOnly bool   // Save does nothing

	// mu guards articles, documents, dirty and changes. Save may run
	// concurrently with changes; callers run one Save at a time.
	mu        sync.Mutex
	articles  map[string]Article  // by article path
	documents map[string]Document // by URL path
	dirty     bool
	changes   uint64 // counts changes, so Save knows what it wrote
	// byID counts the paths holding each id, and byKey lists the paths
	// by content key: the lookups a new file needs (IDInUse,
	// PathsWithContent), which otherwise went through every article.
	// Made on first use, then kept up to date; nil until then.
	byID  map[string]int
	byKey map[string][]string
}

type fileFormat struct {
	Version   int                 `json:"version"`
	Articles  map[string]Article  `json:"articles"`
	Documents map[string]Document `json:"documents"`
}

// New returns an empty state kept in memory only; Save does nothing.
func New() *State {
	return &State{articles: map[string]Article{}, documents: map[string]Document{}}
}

// Load reads the state file at path. A missing file gives an empty state and
// a nil error. A file that cannot be read or parsed gives an empty state and
// a non-nil error describing the problem: the caller logs it as a warning
// and goes on, since everything in the state can be rebuilt.
func Load(path string) (*State, error) {
	s := New()
	s.path = path
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("reading state %s: %w (starting with an empty state)", path, err)
	}
	var f fileFormat
	if err := json.Unmarshal(data, &f); err != nil {
		return s, fmt.Errorf("state file %s is corrupt: %w (rebuilding it from the articles directory)", path, err)
	}
	if f.Version != formatVersion {
		return s, fmt.Errorf("state file %s has version %d, want %d (rebuilding it from the articles directory)", path, f.Version, formatVersion)
	}
	if f.Articles != nil {
		s.articles = f.Articles
	}
	if f.Documents != nil {
		s.documents = f.Documents
	}
	return s, nil
}

// LoadReadOnly is Load for commands that must not write the state file
// (feedpub check): the state is used but Save does nothing.
func LoadReadOnly(path string) (*State, error) {
	s, err := Load(path)
	s.readOnly = true
	return s, err
}

// Path returns the file the state is saved to, or "" for a state kept in
// memory only.
func (s *State) Path() string { return s.path }

// Article returns what is remembered about the article at path.
func (s *State) Article(path string) (Article, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.articles[path]
	return a, ok
}

// Articles returns a copy of every remembered article, by path.
func (s *State) Articles() map[string]Article {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.articles)
}

// Len returns the number of article paths remembered.
func (s *State) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.articles)
}

// SetArticle remembers a for path.
func (s *State) SetArticle(path string, a Article) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.articles[path]
	if ok && old.ID == a.ID && old.FirstSeen.Equal(a.FirstSeen) && old.ContentKey == a.ContentKey {
		return
	}
	if ok {
		s.unindex(path, old)
	}
	s.articles[path] = a
	s.index(path, a)
	s.dirty = true
	s.changes++
}

// DeleteArticle forgets the article at path.
func (s *State) DeleteArticle(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.articles[path]; ok {
		delete(s.articles, path)
		s.unindex(path, old)
		s.dirty = true
		s.changes++
	}
}

// IDInUse reports whether a remembered article has the id.
func (s *State) IDInUse(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.makeIndex()
	return s.byID[id] > 0
}

// PathsWithContent returns the remembered paths whose content key is key.
func (s *State) PathsWithContent(key string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.makeIndex()
	return slices.Clone(s.byKey[key])
}

func (s *State) makeIndex() {
	if s.byID != nil {
		return
	}
	s.byID, s.byKey = make(map[string]int, len(s.articles)), map[string][]string{}
	for p, a := range s.articles {
		s.index(p, a)
	}
}

func (s *State) index(path string, a Article) {
	if s.byID == nil {
		return
	}
	s.byID[a.ID]++
	if a.ContentKey != "" {
		s.byKey[a.ContentKey] = append(s.byKey[a.ContentKey], path)
	}
}

func (s *State) unindex(path string, a Article) {
	if s.byID == nil {
		return
	}
	if s.byID[a.ID]--; s.byID[a.ID] <= 0 {
		delete(s.byID, a.ID)
	}
	if paths := slices.DeleteFunc(s.byKey[a.ContentKey], func(p string) bool { return p == path }); len(paths) > 0 {
		s.byKey[a.ContentKey] = paths
	} else {
		delete(s.byKey, a.ContentKey)
	}
}

// Document returns what is remembered about the document at urlPath.
func (s *State) Document(urlPath string) (Document, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.documents[urlPath]
	return d, ok
}

// SetDocuments replaces the remembered documents with docs.
func (s *State) SetDocuments(docs map[string]Document) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if maps.Equal(s.documents, docs) {
		return
	}
	s.documents = maps.Clone(docs)
	s.dirty = true
	s.changes++
}

// Save writes the state to its file if it changed since it was loaded or
// last saved. It writes a temporary file in the same directory and renames
// it over the old one, so readers never see a partial file.
func (s *State) Save() error {
	file, changes, ok := s.copy()
	if !ok {
		return nil
	}
	// Written without holding mu, so a rescan that records a new article
	// does not wait for the disk, and an entry at a time: at 100,000
	// articles the whole file encoded at once took some 90 MB more
	// memory, for a moment, every time a change was saved.
	if err := store.WriteAtomic(s.path, file.write); err != nil {
		return fmt.Errorf("saving state: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.changes == changes {
		s.dirty = false
	}
	return nil
}

// copy returns what the file must hold now and the change count it
// reflects, or false when there is nothing to save. Copying the maps
// takes a few milliseconds at 100,000 articles; encoding them, which is
// done from the copies, some 200.
func (s *State) copy() (fileFormat, uint64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.path == "" || s.readOnly || !s.dirty {
		return fileFormat{}, 0, false
	}
	file := fileFormat{
		Version:   formatVersion,
		Articles:  maps.Clone(s.articles),
		Documents: maps.Clone(s.documents),
	}
	return file, s.changes, true
}

// write writes f as json.MarshalIndent(f, "", "  ") does, and a newline,
// encoding one entry of its maps at a time.
func (f fileFormat) write(w io.Writer) error {
	if _, err := fmt.Fprintf(w, "{\n  \"version\": %d,\n  \"articles\": ", f.Version); err != nil {
		return err
	}
	if err := writeMap(w, f.Articles, appendArticle); err != nil {
		return err
	}
	if _, err := io.WriteString(w, ",\n  \"documents\": "); err != nil {
		return err
	}
	if err := writeMap(w, f.Documents, appendDocument); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n}\n")
	return err
}

// writeMap writes m, a member of the file's top object, as MarshalIndent
// does: keys sorted, each entry on lines of its own, indented. Each
// entry is appended to one buffer by appendValue, not marshalled: at
// 100,000 articles, reflection and indenting made some 60 MB of garbage
// and took 0.2 s of CPU at every save, that is after nearly every change.
func writeMap[V any](w io.Writer, m map[string]V, appendValue func([]byte, V) ([]byte, error)) error {
	if m == nil {
		_, err := io.WriteString(w, "null")
		return err
	}
	if len(m) == 0 {
		_, err := io.WriteString(w, "{}")
		return err
	}
	buf := make([]byte, 0, 512)
	sep := "{\n    "
	// Collected into a slice of the right size: grown by appending,
	// the keys of 100,000 entries took twice the memory.
	keys := slices.AppendSeq(make([]string, 0, len(m)), maps.Keys(m))
	slices.Sort(keys)
	for _, k := range keys {
		var err error
		buf = appendJSONString(append(buf[:0], sep...), k)
		if buf, err = appendValue(append(buf, ": "...), m[k]); err != nil {
			return err
		}
		if _, err := w.Write(buf); err != nil {
			return err
		}
		sep = ",\n    "
	}
	_, err := io.WriteString(w, "\n  }")
	return err
}

// appendArticle appends a as MarshalIndent with the prefix and indent of
// writeMap's entries writes it.
func appendArticle(buf []byte, a Article) ([]byte, error) {
	buf = appendJSONString(append(buf, "{\n      \"id\": "...), a.ID)
	buf, err := appendJSONTime(append(buf, ",\n      \"first_seen\": "...), a.FirstSeen)
	if a.ContentKey != "" {
		buf = appendJSONString(append(buf, ",\n      \"content_key\": "...), a.ContentKey)
	}
	return append(buf, "\n    }"...), err
}

// appendDocument is appendArticle for a document.
func appendDocument(buf []byte, d Document) ([]byte, error) {
	buf = appendJSONString(append(buf, "{\n      \"etag\": "...), d.ETag)
	buf, err := appendJSONTime(append(buf, ",\n      \"last_modified\": "...), d.LastModified)
	return append(buf, "\n    }"...), err
}

// appendJSONString appends s as encoding/json encodes it. Most strings
// here (ids, hashes, paths) need no escaping and are copied; any other is
// left to encoding/json, so the two never differ.
func appendJSONString(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			quoted, _ := json.Marshal(s) // a string always encodes
			return append(buf, quoted...)
		}
	}
	return append(append(append(buf, '"'), s...), '"')
}

// appendJSONTime appends t as encoding/json encodes it (time.Time's
// MarshalJSON, which fails for a year outside 0 to 9999 and for a zone
// offset of seconds; those are left to it).
func appendJSONTime(buf []byte, t time.Time) ([]byte, error) {
	if _, offset := t.Zone(); t.Year() < 0 || t.Year() > 9999 || offset%60 != 0 {
		data, err := json.Marshal(t)
		return append(buf, data...), err
	}
	return append(t.AppendFormat(append(buf, '"'), time.RFC3339Nano), '"'), nil
}
