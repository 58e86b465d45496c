package library

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/feedpub/feedpub/internal/article"
)

// fileInfo is what the walk learns about one article file without reading
// it. The scanner keeps the last listing, so it holds no more than that:
// the file's absolute path is made when it is opened (Scanner.abs).
type fileInfo struct {
	rel string // slash-separated path under the articles directory
	fileStat
	// err is set for an article path that cannot be examined (a broken
	// link); the scanner reports it and keeps the last good version.
	err error
}

// fileStat is what says a file changed: its size, times and inode. The
// times are nanoseconds since the Unix epoch (unixNano): a site of
// 100,000 articles keeps one fileStat per file in its listing and one in
// the scanner's entry, and a time.Time takes three times the room.
type fileStat struct {
	size    int64
	modTime int64
	// changeTime (ctime) moves on chmod too, so a file that became
	// unreadable is read again and reported.
	changeTime int64
	inode      uint64
}

// unixNano is t in nanoseconds since the Unix epoch; the zero time, of a
// file that could not be examined, is 0.
func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// walker lists the article files under a directory. It follows symbolic
// links (writers link articles in from elsewhere) but enters each real
// directory once, so a link cycle cannot loop.
type walker struct {
	root     string
	visited  map[FileID]bool
	files    []fileInfo
	media    []fileInfo // media files (IsMediaFile), served beside the articles
	problems []*article.ParseError
	// dirs are the directories walked, by slash-separated path ("" is the
	// root), so a later partial listing knows what a changed path held.
	dirs map[string]bool
	// followedDirLink is set when the walk entered a directory through a
	// symbolic link: such a tree is listed again only as a whole.
	followedDirLink bool
	// changed is set on a listing amended from the last one
	// (Scanner.ScanChanged): every other file is as the last scan
	// listed it.
	changed *listingChanges
}

// listingChanges says what an amended listing changed in the last one.
type listingChanges struct {
	listed []fileInfo // the files listed again, sorted
	gone   []string   // the paths of the last listing not listed any more, sorted
}

// FileID names a file by device and inode: the same file under two
// names, or under a new name after a move.
type FileID struct{ dev, ino uint64 }

// byPath orders listed files by path, as a listing is sorted.
func byPath(a, b fileInfo) int { return strings.Compare(a.rel, b.rel) }

// sameRel reports whether two listed files have one path.
func sameRel(a, b fileInfo) bool { return a.rel == b.rel }

// listFiles walks root and returns a walker holding its article files,
// its media files and the problems met (unreadable directories, broken
// links). A root that does not exist or is not a directory is an error.
func listFiles(root string) (*walker, error) {
	info, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("articles directory: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("articles directory %s is not a directory", root)
	}
	w := newWalker(root)
	w.walkDir("", info)
	w.sort()
	return w, nil
}

func newWalker(root string) *walker {
	return &walker{root: root, visited: map[FileID]bool{}, dirs: map[string]bool{}}
}

// sort orders the lists by path, so that a full walk and a partial
// relisting (relist) give the same order, and so the same ids.
func (w *walker) sort() {
	slices.SortFunc(w.files, byPath)
	slices.SortFunc(w.media, byPath)
	slices.SortFunc(w.problems, func(a, b *article.ParseError) int { return strings.Compare(a.Path, b.Path) })
}

func (w *walker) walkDir(rel string, info fs.FileInfo) {
	if id, ok := Identity(info); ok {
		if w.visited[id] {
			return
		}
		w.visited[id] = true
	}
	w.dirs[rel] = true
	entries, err := os.ReadDir(filepath.Join(w.root, filepath.FromSlash(rel)))
	if errors.Is(err, fs.ErrNotExist) && rel != "" {
		return // removed while the walk ran; its removal brings another scan
	}
	if err != nil {
		w.problem(rel, fmt.Sprintf("cannot read directory: %v; check its permissions", unwrapPathError(err)))
		return
	}
	for _, e := range entries {
		if article.Ignored(e.Name()) {
			continue
		}
		w.visit(path.Join(rel, e.Name()), e)
	}
}

func (w *walker) visit(rel string, e fs.DirEntry) {
	if e.IsDir() {
		info, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return // removed while the walk ran
		}
		if err != nil {
			w.problem(rel, fmt.Sprintf("cannot read directory: %v", unwrapPathError(err)))
			return
		}
		w.walkDir(rel, info)
		return
	}
	isLink := e.Type()&fs.ModeSymlink != 0
	isArticle, isMedia := article.IsArticleFile(rel), IsMediaFile(rel)
	if !isLink && !isArticle && !isMedia {
		return
	}
	info, err := os.Stat(filepath.Join(w.root, filepath.FromSlash(rel))) // follows links
	if errors.Is(err, fs.ErrNotExist) && !isLink && isArticle {
		// Removed or renamed while the walk ran: listed still, so that its
		// read fails quietly and its last good version stays until the
		// next scan, where a rename passes the id on.
		w.files = append(w.files, fileInfo{rel: rel})
		return
	}
	if err != nil {
		broken := fileInfo{rel: rel,
			err: fmt.Errorf("cannot read file: %v; fix or remove the link", unwrapPathError(err))}
		switch {
		case isArticle:
			w.files = append(w.files, broken)
		case isMedia:
			w.media = append(w.media, broken)
		}
		return
	}
	switch {
	case info.IsDir():
		w.followedDirLink = true
		w.walkDir(rel, info)
	case info.Mode().IsRegular() && isArticle:
		w.files = append(w.files, newFileInfo(rel, info))
	case info.Mode().IsRegular() && isMedia:
		w.media = append(w.media, newFileInfo(rel, info))
	}
}

func (w *walker) problem(rel, msg string) {
	if rel == "" {
		rel = "."
	}
	w.problems = append(w.problems, &article.ParseError{Path: rel, Msg: msg})
}

func newFileInfo(rel string, info fs.FileInfo) fileInfo {
	inode, changeTime := inodeAndChangeTime(info)
	return fileInfo{rel: rel, fileStat: fileStat{size: info.Size(), modTime: unixNano(info.ModTime()),
		changeTime: unixNano(changeTime), inode: inode}}
}

// unwrapPathError drops the *fs.PathError wrapper, whose path the caller
// already names in a friendlier, relative form.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
