package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/site"
	"github.com/feedpub/feedpub/internal/store"
)

// A build run again over 10,000 unchanged articles read every one of the
// 20,000 files an earlier build wrote, and every body from the store, to
// find that none had changed, and listed every directory to find files no
// document has. So each build keeps, beside the state file, what it left
// in its output directory: every file's ETag, and the size and
// modification time the file had once written, and every directory's
// modification time. A file that still has that size and time, whose
// document has that ETag, is the same bytes and is left alone unread, as
// rsync and make trust the same signs; a directory that still has its
// time holds the same names, since adding, removing or renaming one moves
// it. Anything changed since is compared, listed and written as before.

// outFile is what a build remembers of one file it wrote.
type outFile struct {
	ETag    string `json:"etag"`
	Size    int64  `json:"size"`
	ModTime int64  `json:"mtime"` // in nanoseconds since the epoch
}

// outIndex is what a build left in its output directory, by path under
// it: its files, and its directories' modification times.
type outIndex struct {
	Files map[string]outFile `json:"files"`
	Dirs  map[string]int64   `json:"dirs"`
}

// outIndexFile returns the file keeping what builds wrote into out: in
// the state file's directory, named by out's absolute path, so that
// builds into other directories keep their own.
func outIndexFile(cfg config.Config, out string) string {
	abs, err := filepath.Abs(out)
	if err != nil {
		return "" // no index: every file is compared
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(filepath.Dir(cfg.State.File), "builds", hex.EncodeToString(sum[:8])+".json")
}

// outWriter writes the files of a build, skipping those an earlier
// build wrote with the same bytes.
type outWriter struct {
	dir       string
	indexFile string
	// last is what the earlier build left, next what this one leaves;
	// written holds the paths of next's files and the marker's, for
	// removeOthers.
	last, next outIndex
	written    map[string]bool
	// mu guards next and written while files are written in parallel.
	mu sync.Mutex
	// copying is set once a link into the directory failed (another
	// file system, or one without hard links): the files are copied.
	copying atomic.Bool
}

// outBody is a document's body or gzip variant as the output takes it:
// its ETag and size, the file of the store known to hold it ("" for
// bytes held in memory), and the bytes.
type outBody struct {
	etag  string
	size  int64
	file  func() (string, error)
	bytes func() ([]byte, error)
}

func newOutWriter(dir, indexFile string) *outWriter {
	w := &outWriter{
		dir: dir, indexFile: indexFile, written: map[string]bool{},
		next: outIndex{Files: map[string]outFile{}, Dirs: map[string]int64{}},
	}
	if indexFile != "" {
		if data, err := os.ReadFile(indexFile); err == nil {
			json.Unmarshal(data, &w.last) // a damaged index just means comparing
		}
	}
	return w
}

// write writes b to rel under w's directory, unless the earlier build
// wrote it there and the file is as it was left.
func (w *outWriter) write(rel string, b outBody) error {
	path := filepath.Join(w.dir, rel)
	if old, ok := w.last.Files[rel]; ok && old.ETag == b.etag && old.Size == b.size && sameFile(path, old) {
		w.wrote(rel, old)
		return nil
	}
	if err := w.place(rel, b); err != nil {
		return err
	}
	info, err := os.Lstat(path)
	if err != nil {
		return err
	}
	w.wrote(rel, outFile{ETag: b.etag, Size: info.Size(), ModTime: info.ModTime().UnixNano()})
	return nil
}

// place puts b at rel under w's directory: a hard link to its file in the
// store, or, for a body held in memory or where links cannot be made, a
// copy. Linked, a page is one system call instead of a read, a hash and a
// write, which at 10,000 articles was an eighth of a first build, and the
// output takes no room of its own. The store never writes to a file it
// holds (a body of other bytes is another file), so the output's files
// keep their bytes; whoever reads a file of the store checks it, so one
// written to through the output is found, removed and rendered again.
func (w *outWriter) place(rel string, b outBody) error {
	if !w.copying.Load() {
		file, err := b.file()
		if err != nil {
			return err
		}
		if file != "" {
			if err := link(file, filepath.Join(w.dir, rel)); err == nil {
				return nil
			} else if missing(file) {
				return &site.StoredFileError{Path: file, Err: err}
			}
			w.copying.Store(true)
		}
	}
	data, err := b.bytes()
	if err != nil {
		return err
	}
	return writeDocument(w.dir, rel, data)
}

// link makes path a hard link to file, replacing what is there and
// making the directories above it as needed.
func link(file, path string) error {
	err := os.Link(file, path)
	if errors.Is(err, fs.ErrExist) {
		if err := os.Remove(path); err != nil {
			return err
		}
		err = os.Link(file, path)
	}
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		err = os.Link(file, path)
	}
	return err
}

// missing reports whether file is not there (any more).
func missing(file string) bool {
	_, err := os.Lstat(file)
	return errors.Is(err, fs.ErrNotExist)
}

// wrote records that the file at rel is f.
func (w *outWriter) wrote(rel string, f outFile) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.written[rel] = true
	w.next.Files[rel] = f
}

// sameFile reports whether the regular file at path has f's size and
// modification time.
func sameFile(path string, f outFile) bool {
	info, err := os.Lstat(path)
	return err == nil && info.Mode().IsRegular() && info.Size() == f.Size && info.ModTime().UnixNano() == f.ModTime
}

// removeOthers removes from w's directory every file this build did not
// write (written), and the directories that leaves empty. It lists only
// the directories changed since the last build; the names in the others
// are those it left there.
func (w *outWriter) removeOthers() error {
	// The names the last build left in each directory.
	left := map[string][]string{}
	for rel := range w.last.Files {
		left[filepath.Dir(rel)] = append(left[filepath.Dir(rel)], filepath.Base(rel))
	}
	for rel := range w.last.Dirs {
		if rel != "." {
			left[filepath.Dir(rel)] = append(left[filepath.Dir(rel)], filepath.Base(rel))
		}
	}
	_, err := w.removeIn(".", left)
	return err
}

// removeIn is removeOthers for the directory rel, and reports whether
// the directory is empty afterwards.
func (w *outWriter) removeIn(rel string, left map[string][]string) (empty bool, err error) {
	path := filepath.Join(w.dir, rel)
	info, err := os.Lstat(path)
	if err != nil {
		return false, err
	}
	names := left[rel]
	if mtime, ok := w.last.Dirs[rel]; !ok || mtime != info.ModTime().UnixNano() {
		if names, err = readDirNames(path); err != nil {
			return false, err
		}
	}
	kept, removed := 0, false
	for _, name := range names {
		child := filepath.Join(rel, name)
		entry, err := os.Lstat(filepath.Join(w.dir, child))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue // removed since the last build
		case err != nil:
			return false, err
		case entry.IsDir():
			empty, err := w.removeIn(child, left)
			if err != nil {
				return false, err
			}
			if !empty {
				kept++
				continue
			}
		case w.written[child]:
			kept++
			continue
		}
		if err := os.Remove(filepath.Join(w.dir, child)); err != nil {
			return false, err
		}
		removed = true
	}
	if removed {
		if info, err = os.Lstat(path); err != nil {
			return false, err
		}
	}
	w.next.Dirs[rel] = info.ModTime().UnixNano()
	return kept == 0 && rel != ".", nil
}

// recordDirs records the time of every directory that holds a file
// this build wrote, as removeOthers does of those it looks in, for an
// output directory that was empty: it holds nothing else, and listing
// its 10,000 directories and looking at each file in them was a twentieth
// of a first build.
func (w *outWriter) recordDirs() error {
	for rel := range w.written {
		for dir := filepath.Dir(rel); ; dir = filepath.Dir(dir) {
			if _, ok := w.next.Dirs[dir]; ok {
				break
			}
			info, err := os.Lstat(filepath.Join(w.dir, dir))
			if err != nil {
				return err
			}
			w.next.Dirs[dir] = info.ModTime().UnixNano()
			if dir == "." {
				break
			}
		}
	}
	return nil
}

// forgetDirsAbove drops the times of the directories that hold rel.
func (w *outWriter) forgetDirsAbove(rel string) {
	for dir := filepath.Dir(rel); ; dir = filepath.Dir(dir) {
		delete(w.next.Dirs, dir)
		if dir == "." {
			return
		}
	}
}

func readDirNames(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}

// saveIndex writes what this build wrote, for the next one. A path that
// is not UTF-8, which JSON cannot hold, is left out, and so are the
// times of the directories above it: the next build lists them, and
// finds the file.
func (w *outWriter) saveIndex() error {
	if w.indexFile == "" {
		return nil
	}
	for rel := range w.next.Files {
		if !utf8.ValidString(rel) {
			delete(w.next.Files, rel)
			w.forgetDirsAbove(rel)
		}
	}
	for rel := range w.next.Dirs {
		if !utf8.ValidString(rel) {
			delete(w.next.Dirs, rel)
			w.forgetDirsAbove(rel)
		}
	}
	data, err := json.Marshal(w.next)
	if err != nil {
		return err
	}
	if err := store.WriteFileAtomic(w.indexFile, data); err != nil {
		return err
	}
	pruneOutIndexes(filepath.Dir(w.indexFile))
	return nil
}

// keptOutIndexes is how many output directories' indexes are kept: builds
// into a new temporary directory each time would otherwise leave one
// behind every time (some 3 MB at 10,000 articles).
const keptOutIndexes = 8

// pruneOutIndexes removes from dir all but the keptOutIndexes indexes
// written last. One removed only makes its directory's next build compare
// every file.
func pruneOutIndexes(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) <= keptOutIndexes {
		return
	}
	type index struct {
		name string
		at   time.Time
	}
	var all []index
	for _, e := range entries {
		if info, err := e.Info(); err == nil && info.Mode().IsRegular() && filepath.Ext(e.Name()) == ".json" {
			all = append(all, index{e.Name(), info.ModTime()})
		}
	}
	slices.SortFunc(all, func(a, b index) int { return b.at.Compare(a.at) })
	for _, old := range all[min(keptOutIndexes, len(all)):] {
		os.Remove(filepath.Join(dir, old.name))
	}
}
