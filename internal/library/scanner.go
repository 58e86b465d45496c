package library

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/internal/gitdates"
	"github.com/feedpub/feedpub/internal/parallel"
	"github.com/feedpub/feedpub/internal/progress"
	"github.com/feedpub/feedpub/internal/state"
)

// DefaultRacyWindow is how close to the moment a file was read its change
// time may be before the read is not trusted: a write in the same timestamp
// tick after the read would leave size and times unchanged (the "racy git"
// problem). Such files are read again on the next scan. Two seconds covers
// the coarsest common timestamps (FAT).
const DefaultRacyWindow = 2 * time.Second

// Options configure a Scanner.
type Options struct {
	// Dir is the articles directory.
	Dir string
	// Parse holds the settings article parsing depends on.
	Parse article.Options
	// BodiesOnDisk drops the body of every article without references
	// once it is parsed (article.Article.DropBody): Library.Content reads
	// it again when a page or feed is rendered. A site of 100,000
	// articles then holds their headers in memory, not their text.
	BodiesOnDisk bool
	// MaxBytes rejects larger files without reading them; 0 means no limit.
	MaxBytes int64
	// MediaMaxBytes skips larger media files without reading them, with a
	// problem; 0 means no limit.
	MediaMaxBytes int64
	// State remembers ids and first-seen times; nil keeps them in memory.
	// The scanner records into it; saving it is the caller's job.
	State *state.State
	// Logger receives one line per new problem; nil discards them.
	Logger *slog.Logger
	// Progress, if set, counts the files read, for progress reports.
	Progress *progress.Tracker
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// RacyWindow is how long after its last change a file's read is not
	// trusted, so the file is read again on the next scan. Zero means
	// DefaultRacyWindow; a negative value trusts every read, for tests
	// that count reads of files they have just written.
	RacyWindow time.Duration
	// Undated is how an article that declares no date is dated. Zero
	// means UndatedFirstSeen.
	Undated Undated
	// History dates articles by their commits when Undated is UndatedGit.
	History *gitdates.History
}

// Undated is a way to date an article that declares no date.
type Undated string

const (
	// UndatedFirstSeen dates it by when it was first seen, remembered
	// in the state.
	UndatedFirstSeen Undated = "first_seen"
	// UndatedGit dates it by the commit that added it, and its updated
	// date by its last commit (for every article without an Updated
	// header), so every clone gives the same dates. An uncommitted file
	// falls back to UndatedFirstSeen.
	UndatedGit Undated = "git"
	// UndatedModTime dates it by its modification time.
	UndatedModTime Undated = "mtime"
)

// Stats describe one scan.
type Stats struct {
	Files    int           // article files found
	Read     int           // files read and parsed in this scan
	Removed  int           // files gone since the previous scan
	Duration time.Duration // wall time of the scan
}

// Scanner scans one articles directory repeatedly, re-reading only what
// changed. Scans run one at a time; Scan may be called from any goroutine.
type Scanner struct {
	opts Options

	// mu serializes scans and guards the fields below it.
	mu     sync.Mutex
	cache  map[string]*entry      // by article path
	media  map[string]*mediaEntry // by media file path
	logged map[string]bool        // problem reports logged for the current files
	// listing is the last scan's walk, which ScanChanged amends;
	// frontListing is ScanFront's, which the next scan takes.
	listing, frontListing *walker
	// recheck are the paths of the files the last scan read but cannot
	// trust to be unchanged while their listing is (entry.unchanged),
	// sorted: the next scan reads them again, even one told of other
	// paths only (ScanChanged).
	recheck []string
	// published is the last scan's article list, which a scan of a few
	// files updates (publish.go); nil makes the next scan list them all.
	published *published
	// problems are the problems of the current files, by path.
	problems map[string][]*article.ParseError
	// version counts the scans that read or lost a file; cachedVersion
	// is the version the cache file last loaded or saved holds, if
	// cachedAny (CacheSaved, cache.go).
	version, cachedVersion uint64
	cachedAny              bool
	// handBody, if set, is given each body a scan reads (ScanHanding).
	handBody func(a *article.Article, html string)
}

// entry is what the scanner knows about one file.
type entry struct {
	// stat is the file's as listed before it was read, and readAt when
	// it was read (Unix nanoseconds).
	stat   fileStat
	readAt int64
	// current is the article as last parsed, with identity assigned; nil
	// when the file's current content does not parse.
	current *article.Article
	// good is the last version that parsed: current, or an older one that
	// stays published while the file is broken. The problems the read
	// found are the scanner's (Scanner.problems), not kept here: a site
	// of 100,000 articles has one entry each.
	good *article.Article
	// assigned reports whether current has its identity (ID, slug,
	// publication date) filled in; set once, by the scan that read it.
	assigned bool
}

// NewScanner returns a scanner for opts.Dir. It reads nothing yet.
func NewScanner(opts Options) *Scanner {
	if opts.State == nil {
		opts.State = state.New()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RacyWindow == 0 {
		opts.RacyWindow = DefaultRacyWindow
	}
	return &Scanner{opts: opts, cache: map[string]*entry{}, logged: map[string]bool{}}
}

// Scan lists the directory, reads the files that changed since the last
// scan and returns the new Library. A file that fails to parse is reported
// in Library.Problems and, if an earlier version parsed, that version stays.
// An error means the directory itself could not be read; the caller keeps
// what it had.
func (s *Scanner) Scan() (*Library, Stats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.scanLocked(time.Now(), s.walk)
}

// walk lists the directory, or takes the listing ScanFront made.
func (s *Scanner) walk() (*walker, error) {
	if l := s.frontListing; l != nil {
		s.frontListing = nil
		return l, nil
	}
	return listFiles(s.opts.Dir)
}

// scanLocked is a scan of the files list returns.
func (s *Scanner) scanLocked(start time.Time, list func() (*walker, error)) (*Library, Stats, error) {
	listing, err := list()
	if err != nil {
		return nil, Stats{}, err
	}
	files, walkProblems := listing.files, listing.problems
	media, mediaProblems := s.scanMedia(listing.media)
	toRead, removed := s.reuse(listing)
	entries, readProblems := s.readAll(toRead)
	if _, err := os.Stat(s.opts.Dir); err != nil {
		// Removed while the scan ran (rm -rf): what was listed is a part
		// of what was there; keep the last good set instead.
		return nil, Stats{}, fmt.Errorf("articles directory: %w", err)
	}
	stats := Stats{Files: len(files), Read: len(toRead), Removed: len(removed)}
	if len(toRead)+len(removed) > 0 {
		s.version++
	}

	vanished := s.vanished(removed)
	prev := s.replace(toRead, entries, removed)
	s.listing, s.recheck = listing, s.untrusted(toRead, entries)
	s.assignIdentities(toRead, vanished)
	pub, dupProblems := s.publish(files, prev, toRead, removed)

	problems := append(append(walkProblems, dupProblems...), mediaProblems...)
	problems = append(problems, s.fileProblems(toRead, readProblems, removed)...)
	sortProblems(problems)
	s.logNew(problems)
	stats.Duration = time.Since(start)
	lib := &Library{Articles: pub.articles, Media: media, Problems: problems, scanner: s}
	lib.visible, lib.inMemory, lib.derived = pub.visible, pub.inMemory, true
	return lib, stats, nil
}

// reuse returns the files of listing that must be read, the others
// being unchanged since the cache's entries were read, and the paths no
// longer listed.
func (s *Scanner) reuse(listing *walker) (toRead []fileInfo, removed []string) {
	if ch := listing.changed; ch != nil {
		listing.changed = nil
		return s.reuseChanged(listing.files, ch)
	}
	files := listing.files
	listed := 0 // files that have an entry in the cache
	for _, f := range files {
		e, ok := s.cache[f.rel]
		if ok {
			listed++
			if e.unchanged(f, s.opts.RacyWindow) {
				continue
			}
		}
		toRead = append(toRead, f)
	}
	if listed < len(s.cache) {
		now := make(map[string]bool, len(files))
		for _, f := range files {
			now[f.rel] = true
		}
		for p := range s.cache {
			if !now[p] {
				removed = append(removed, p)
			}
		}
		slices.Sort(removed)
	}
	return toRead, removed
}

// reuseChanged is reuse for a listing amended from the last scan's
// (ScanChanged): each of its other files is listed as it was when the
// last scan found it unchanged or read it, so only the files listed
// again and those the last scan could not trust (recheck) can need a
// read. A one-file change at 10,000 articles no longer looks up every
// file's entry, which took a fifth of its scan.
func (s *Scanner) reuseChanged(files []fileInfo, ch *listingChanges) (toRead []fileInfo, removed []string) {
	for _, f := range ch.listed {
		if e, ok := s.cache[f.rel]; !ok || !e.unchanged(f, s.opts.RacyWindow) {
			toRead = append(toRead, f)
		}
	}
	for _, rel := range s.recheck {
		if i, found := slices.BinarySearchFunc(files, rel, byRel); found {
			toRead = append(toRead, files[i])
		}
	}
	slices.SortFunc(toRead, byPath)
	toRead = slices.CompactFunc(toRead, sameRel)
	for _, rel := range ch.gone {
		if _, ok := s.cache[rel]; ok {
			removed = append(removed, rel)
		}
	}
	return toRead, removed
}

// untrusted returns the paths of the files just read that the next scan
// must read again though their listing is the same: those that could not
// be examined, and those changed too shortly before they were read
// (Options.RacyWindow).
func (s *Scanner) untrusted(read []fileInfo, entries []*entry) []string {
	var paths []string
	for i, f := range read {
		if !entries[i].unchanged(f, s.opts.RacyWindow) {
			paths = append(paths, f.rel)
		}
	}
	return paths
}

// replace puts the entries of the files read in the cache and takes out
// those of the paths removed, and returns what it replaced or took out,
// by path. The cache is changed in place, once the scan can no longer
// fail: a copy of it for each scan took a tenth of a one-file rebuild
// at 100,000 articles.
func (s *Scanner) replace(read []fileInfo, entries []*entry, removed []string) map[string]*entry {
	prev := make(map[string]*entry, len(read)+len(removed))
	for i, f := range read {
		if old, ok := s.cache[f.rel]; ok {
			prev[f.rel] = old
		}
		s.cache[f.rel] = entries[i]
	}
	for _, p := range removed {
		prev[p] = s.cache[p]
		delete(s.cache, p)
	}
	return prev
}

func (e *entry) unchanged(f fileInfo, racyWindow time.Duration) bool {
	return f.err == nil && e.stat == f.fileStat && time.Duration(e.readAt-f.changeTime) >= racyWindow
}

// newEntry is the entry of f, read now.
func newEntry(f fileInfo) *entry {
	return &entry{stat: f.fileStat, readAt: time.Now().UnixNano()}
}

// readAll reads and parses files in parallel, one worker per core, and
// returns an entry for each and the problems of each.
func (s *Scanner) readAll(files []fileInfo) ([]*entry, [][]*article.ParseError) {
	entries := make([]*entry, len(files))
	problems := make([][]*article.ParseError, len(files))
	s.opts.Progress.Begin("reading articles", len(files))
	parallel.Each(len(files), func(i int) {
		entries[i], problems[i] = s.read(files[i])
		s.opts.Progress.Add(1)
	})
	for i, f := range files {
		if e := entries[i]; e.current == nil {
			if old, ok := s.cache[f.rel]; ok {
				e.good = old.good // last good wins
			}
		}
	}
	return entries, problems
}

// read reads and parses one file, and returns the problems found.
func (s *Scanner) read(f fileInfo) (*entry, []*article.ParseError) {
	return s.readWith(f, s.parseWhole())
}

// parseWhole is how the scanner parses a file whole.
func (s *Scanner) parseWhole() parseFunc {
	switch {
	case !s.opts.BodiesOnDisk:
		return article.Parse
	case s.handBody != nil:
		return s.parseHanding
	}
	return article.ParseDroppingBody
}

// parseFunc is article.Parse or one of its variants.
type parseFunc func(article.Source, article.Options) (*article.Article, []*article.ParseError, error)

// readWith is read parsing with parse.
func (s *Scanner) readWith(f fileInfo, parse parseFunc) (*entry, []*article.ParseError) {
	e := newEntry(f)
	if f.err != nil {
		return e, []*article.ParseError{{Path: f.rel, Msg: f.err.Error()}}
	}
	buf := fileBuffers.Get().(*[]byte)
	defer putFileBuffer(buf)
	data, err := s.readFile(f, buf)
	if errors.Is(err, fs.ErrNotExist) {
		// Deleted or renamed since the walk: not a problem to report. The
		// change that did it brings another scan, which no longer lists the
		// file; until then its last good version stays, so that a rename
		// seen half in this scan still passes its id on in the next.
		return e, nil
	}
	if err != nil {
		return e, []*article.ParseError{{Path: f.rel, Msg: err.Error()}}
	}
	a, warnings, err := parse(article.Source{Path: f.rel, Data: data, ModTime: time.Unix(0, f.modTime)}, s.opts.Parse)
	if err != nil {
		return e, append(warnings, asParseError(f.rel, err))
	}
	a.Size = f.size
	e.current, e.good = a, a
	return e, warnings
}

// fileBuffers hold the buffers article files are read into. Parsing
// keeps nothing of its source (article.Source), so once a file is parsed
// its buffer reads the next: a first start at 100,000 articles read each
// file twice into a new buffer, 500 MB to allocate, zero and collect.
var fileBuffers = sync.Pool{New: func() any { return new([]byte) }}

// putFileBuffer gives buf back to fileBuffers, unless one large file
// grew it past what articles take.
func putFileBuffer(buf *[]byte) {
	if cap(*buf) <= 1<<20 {
		fileBuffers.Put(buf)
	}
}

// readFile reads f whole into buf, which it grows as needed and leaves
// holding what it read, refusing files over MaxBytes without reading
// them: the size is checked before, and the read is bounded in case the
// file grew since. The buffer is sized from the walk's stat, so an
// unchanged file takes one read (io.ReadAll would grow a buffer from 512
// bytes).
func (s *Scanner) readFile(f fileInfo, buf *[]byte) ([]byte, error) {
	limit := s.opts.MaxBytes
	if limit > 0 && f.size > limit {
		return nil, fmt.Errorf("file is %d bytes, over the limit of %d (articles.max_bytes): split it or raise the limit", f.size, limit)
	}
	file, err := os.Open(s.abs(f.rel))
	if err != nil {
		return nil, fmt.Errorf("cannot read file: %w; check its permissions", unwrapPathError(err))
	}
	defer file.Close()
	r := io.Reader(file)
	if limit > 0 {
		r = io.LimitReader(file, limit+1)
	}
	data, err := readAll(r, f.size, (*buf)[:0])
	*buf = data
	if err != nil {
		return nil, fmt.Errorf("cannot read file: %v", unwrapPathError(err))
	}
	if limit > 0 && int64(len(data)) > limit {
		return nil, fmt.Errorf("file is over the limit of %d bytes (articles.max_bytes): split it or raise the limit", limit)
	}
	return data, nil
}

// abs is the absolute path of the article or media file at rel.
func (s *Scanner) abs(rel string) string {
	return filepath.Join(s.opts.Dir, filepath.FromSlash(rel))
}

// readAll reads r to its end into buf, grown to hold size bytes and the
// read that finds the end (as os.ReadFile does with its own stat); a
// file that grew since the walk still reads whole.
func readAll(r io.Reader, size int64, buf []byte) ([]byte, error) {
	buf = slices.Grow(buf[:0], int(size)+1)
	for {
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
	}
}

func asParseError(path string, err error) *article.ParseError {
	if pe, ok := err.(*article.ParseError); ok {
		return pe
	}
	return &article.ParseError{Path: path, Msg: err.Error()}
}

// vanished returns the last good articles of the paths that disappeared
// since the previous scan, by content key, for rename detection.
func (s *Scanner) vanished(removed []string) map[string][]*article.Article {
	gone := map[string][]*article.Article{}
	for _, p := range removed {
		if e := s.cache[p]; e.good != nil {
			gone[e.good.ContentKey] = append(gone[e.good.ContentKey], e.good)
		}
	}
	return gone
}

// logNew logs each problem once per change: problems already logged for
// the same file content are not logged again on later rebuilds.
func (s *Scanner) logNew(problems []*article.ParseError) {
	now := make(map[string]bool, len(problems))
	for _, p := range problems {
		r := p.Report()
		now[r] = true
		if s.logged[r] {
			continue
		}
		level := slog.LevelError
		if p.Severity == article.SeverityWarning {
			level = slog.LevelWarn
		}
		s.opts.Logger.Log(context.Background(), level, "article problem", "file", p.Path, "line", p.Line, "err", p.Msg)
	}
	s.logged = now
}
