package library

import (
	"bufio"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/internal/store"
)

// A start read and parsed every article again, though a restart finds
// nearly all of them as the last run left them: at 100,000 articles that
// was some 4 s before the site could be complete. So the scanner's cache,
// what it knows of each file and the article it parsed from it, can be
// saved (SaveCache) and loaded by the next run (LoadCache) under a key
// naming the settings and the build of feedpub the articles were parsed
// with. A file whose size, times and inode are still those saved is not
// read again, as within a run; anything else is. Only articles that
// parsed without a problem are kept, and only while the state still gives
// them the identity they had: a problem is worth reporting again, and an
// article the state does not know would lose its id.

// cacheVersion changes whenever what the cache holds changes meaning.
const cacheVersion = 1

// cacheHeader starts the file SaveCache writes; a savedEntry for each
// file follows, each encoded on its own, so that neither writing nor
// reading the cache holds all of it at once.
type cacheHeader struct {
	Version int
	Key     string
}

// savedEntry is one file of the cache with the article it holds.
type savedEntry struct {
	Size                        int64
	ModTime, ChangeTime, ReadAt time.Time
	Inode                       uint64
	Article                     *article.Article
}

// CacheSaved reports whether the last LoadCache or SaveCache holds what the
// scanner knows now.
func (s *Scanner) CacheSaved() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cachedVersion == s.version && s.cachedAny
}

// SaveCache writes what the scanner knows to path, under key, atomically.
// The articles are encoded without holding the scanner: they do not
// change once a scan has given them their identity.
func (s *Scanner) SaveCache(path, key string) error {
	s.mu.Lock()
	version := s.version
	entries := make([]*entry, 0, len(s.cache))
	for path, e := range s.cache {
		if e.current != nil && e.current == e.good && e.assigned && len(s.problems[path]) == 0 {
			entries = append(entries, e)
		}
	}
	s.mu.Unlock()
	err := store.WriteAtomic(path, func(w io.Writer) error {
		enc := gob.NewEncoder(w)
		if err := enc.Encode(cacheHeader{Version: cacheVersion, Key: key}); err != nil {
			return err
		}
		for _, e := range entries {
			se := savedEntry{Size: e.stat.size, ModTime: time.Unix(0, e.stat.modTime), ChangeTime: time.Unix(0, e.stat.changeTime),
				ReadAt: time.Unix(0, e.readAt), Inode: e.stat.inode, Article: e.current}
			if err := enc.Encode(&se); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cachedVersion, s.cachedAny = version, true
	return nil
}

// LoadCache fills an empty scanner with the cache SaveCache wrote to
// path under key. A missing file, or one written under another key, loads
// nothing and is no error: the next scan reads every file.
func (s *Scanner) LoadCache(path, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.cache) > 0 || s.opts.State.Len() == 0 {
		return nil // nothing to fill, or no article the state would let in
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	dec := gob.NewDecoder(bufio.NewReader(f))
	var header cacheHeader
	if err := dec.Decode(&header); err != nil {
		return fmt.Errorf("%s: %w (reading every article instead)", path, err)
	}
	if header.Version != cacheVersion || header.Key != key {
		return nil
	}
	loaded := map[string]*entry{}
	for {
		var se savedEntry
		err := dec.Decode(&se)
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w (reading every article instead)", path, err)
		}
		a := se.Article
		if a == nil || a.Path == "" {
			continue
		}
		if remembered, ok := s.opts.State.Article(a.Path); !ok || remembered.ID != a.ID || remembered.ContentKey != a.ContentKey {
			continue // the state moved on since: read it again
		}
		loaded[a.Path] = &entry{
			stat:    fileStat{size: se.Size, modTime: unixNano(se.ModTime), changeTime: unixNano(se.ChangeTime), inode: se.Inode},
			readAt:  unixNano(se.ReadAt),
			current: a, good: a, assigned: true,
		}
	}
	s.cache = loaded
	// Until a scan reads or loses a file, the file holds what the
	// scanner knows. (One that read none of the entries left out, the
	// files with problems, counts as reading them: they are read again.)
	s.cachedVersion, s.cachedAny = s.version, len(loaded) > 0
	return nil
}
