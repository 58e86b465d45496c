package library

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/feedpub/feedpub/internal/article"
)

// maxChangedPaths bounds ScanChanged: past it, amending the last listing
// path by path costs more than walking the directory again.
const maxChangedPaths = 256

// ScanChanged is Scan for a caller that knows which paths may have
// changed since the last scan, from file events: it examines only those
// paths (files, or directories with everything below them) and takes the
// rest of the listing from the last scan, so a one-file change at 10,000
// articles does not stat 10,000 files. Paths may be absolute or relative
// to the articles directory. Everything else behaves as in Scan, which it
// falls back to when there was no scan yet, when paths are many, or when
// a changed tree holds symbolic links to directories. The caller must
// fall back to Scan itself whenever it may have missed events (an event
// queue overflow, a file system without events).
func (s *Scanner) ScanChanged(paths []string) (*Library, Stats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	start := time.Now()
	full := func() (*walker, error) { return listFiles(s.opts.Dir) }
	if s.listing == nil || len(paths) > maxChangedPaths {
		return s.scanLocked(start, full)
	}
	listing, err := s.relist(paths)
	if err != nil {
		return nil, Stats{}, err
	}
	if listing == nil {
		return s.scanLocked(start, full)
	}
	return s.scanLocked(start, func() (*walker, error) { return listing, nil })
}

// relist returns the last listing amended for the changed paths, or nil
// when only a full walk gives the right answer.
func (s *Scanner) relist(paths []string) (*walker, error) {
	info, err := os.Stat(s.opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("articles directory: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("articles directory %s is not a directory", s.opts.Dir)
	}
	a := newAmendment(s.listing)
	fresh := newWalker(s.opts.Dir)
	for _, p := range paths {
		rel, ok := s.relative(p)
		if !ok {
			continue
		}
		if rel == "" {
			return nil, nil // the root itself: walk it all
		}
		a.drop(rel)
		if !relistPath(fresh, rel) {
			return nil, nil
		}
	}
	if fresh.followedDirLink {
		return nil, nil
	}
	return a.merge(fresh), nil
}

// relative turns a changed path into a slash-separated path under the
// articles directory, reporting false for paths outside it or below an
// ignored (hidden) directory, which scans never list.
func (s *Scanner) relative(p string) (string, bool) {
	if filepath.IsAbs(p) {
		r, err := filepath.Rel(s.opts.Dir, p)
		if err != nil {
			return "", false
		}
		p = r
	}
	rel := filepath.ToSlash(filepath.Clean(p))
	if rel == "." {
		return "", true
	}
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return "", false
	}
	for _, part := range strings.Split(rel, "/") {
		if article.Ignored(part) {
			return "", false
		}
	}
	return rel, true
}

// relistPath walks rel (a file, or a directory and all below it) into w.
// It reports false when rel is a symbolic link, whose target's place in a
// full walk it cannot know.
func relistPath(w *walker, rel string) bool {
	abs := filepath.Join(w.root, filepath.FromSlash(rel))
	info, err := os.Lstat(abs)
	if err != nil {
		return true // gone: dropping it was all there was to do
	}
	switch {
	case info.Mode()&fs.ModeSymlink != 0:
		return false
	case info.IsDir():
		w.walkDir(rel, info)
	default:
		w.visit(rel, fs.FileInfoToDirEntry(info))
	}
	// The directories holding rel exist, even if no event named them (a
	// file written with its directories at once).
	for dir := path.Dir(rel); dir != "."; dir = path.Dir(dir) {
		w.dirs[dir] = true
	}
	return true
}

// amendment is a listing being changed path by path.
type amendment struct {
	files, media map[string]fileInfo
	dirs         map[string]bool
	problems     map[string][]*article.ParseError // walk problems by path
}

func newAmendment(l *walker) *amendment {
	a := &amendment{
		files:    make(map[string]fileInfo, len(l.files)),
		media:    make(map[string]fileInfo, len(l.media)),
		dirs:     make(map[string]bool, len(l.dirs)),
		problems: map[string][]*article.ParseError{},
	}
	for _, f := range l.files {
		a.files[f.rel] = f
	}
	for _, f := range l.media {
		a.media[f.rel] = f
	}
	for d := range l.dirs {
		a.dirs[d] = true
	}
	for _, p := range l.problems {
		a.problems[p.Path] = append(a.problems[p.Path], p)
	}
	return a
}

// drop forgets rel and, if it was a directory, everything below it.
func (a *amendment) drop(rel string) {
	delete(a.files, rel)
	delete(a.media, rel)
	delete(a.problems, rel)
	if !a.dirs[rel] {
		return
	}
	prefix := rel + "/"
	for _, m := range []map[string]fileInfo{a.files, a.media} {
		for p := range m {
			if strings.HasPrefix(p, prefix) {
				delete(m, p)
			}
		}
	}
	for d := range a.dirs {
		if d == rel || strings.HasPrefix(d, prefix) {
			delete(a.dirs, d)
		}
	}
	for p := range a.problems {
		if strings.HasPrefix(p, prefix) {
			delete(a.problems, p)
		}
	}
}

// merge adds what fresh listed and returns the amended listing, sorted as
// a full walk's is.
func (a *amendment) merge(fresh *walker) *walker {
	for _, f := range fresh.files {
		a.files[f.rel] = f
	}
	for _, f := range fresh.media {
		a.media[f.rel] = f
	}
	for d := range fresh.dirs {
		a.dirs[d] = true
	}
	out := newWalker(fresh.root)
	for _, f := range a.files {
		out.files = append(out.files, f)
	}
	for _, f := range a.media {
		out.media = append(out.media, f)
	}
	for _, ps := range a.problems {
		out.problems = append(out.problems, ps...)
	}
	out.problems = append(out.problems, fresh.problems...)
	out.dirs = a.dirs
	out.sort()
	return out
}
