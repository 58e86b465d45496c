package library

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"syscall"
	"time"

	"github.com/feedpub/feedpub/internal/article"
)

// fileInfo is what the walk learns about one article file without reading it.
type fileInfo struct {
	rel     string // slash-separated path under the articles directory
	abs     string
	size    int64
	modTime time.Time
	inode   uint64
}

// walker lists the article files under a directory. It follows symbolic
// links (writers link articles in from elsewhere) but enters each real
// directory once, so a link cycle cannot loop.
type walker struct {
	root     string
	visited  map[fileID]bool
	files    []fileInfo
	problems []*article.ParseError
}

type fileID struct{ dev, ino uint64 }

// listFiles walks root and returns its article files and the problems met
// (unreadable directories, broken links). A root that does not exist or is
// not a directory is an error.
func listFiles(root string) ([]fileInfo, []*article.ParseError, error) {
	info, err := os.Stat(root)
	if err != nil {
		return nil, nil, fmt.Errorf("articles directory: %w", err)
	}
	if !info.IsDir() {
		return nil, nil, fmt.Errorf("articles directory %s is not a directory", root)
	}
	w := &walker{root: root, visited: map[fileID]bool{}}
	w.walkDir("", info)
	return w.files, w.problems, nil
}

func (w *walker) walkDir(rel string, info fs.FileInfo) {
	if id, ok := identity(info); ok {
		if w.visited[id] {
			return
		}
		w.visited[id] = true
	}
	entries, err := os.ReadDir(filepath.Join(w.root, filepath.FromSlash(rel)))
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
	abs := filepath.Join(w.root, filepath.FromSlash(rel))
	if e.IsDir() {
		info, err := e.Info()
		if err != nil {
			w.problem(rel, fmt.Sprintf("cannot read directory: %v", unwrapPathError(err)))
			return
		}
		w.walkDir(rel, info)
		return
	}
	isLink := e.Type()&fs.ModeSymlink != 0
	if !isLink && !article.IsArticleFile(rel) {
		return
	}
	info, err := os.Stat(abs) // follows links
	if err != nil {
		if isLink && article.IsArticleFile(rel) {
			w.problem(rel, fmt.Sprintf("broken symbolic link: %v", unwrapPathError(err)))
		}
		return
	}
	switch {
	case info.IsDir():
		w.walkDir(rel, info)
	case info.Mode().IsRegular() && article.IsArticleFile(rel):
		id, _ := identity(info)
		w.files = append(w.files, fileInfo{rel: rel, abs: abs, size: info.Size(), modTime: info.ModTime(), inode: id.ino})
	}
}

func (w *walker) problem(rel, msg string) {
	if rel == "" {
		rel = "."
	}
	w.problems = append(w.problems, &article.ParseError{Path: rel, Msg: msg})
}

// identity returns the device and inode of a file, where the platform has
// them.
func identity(info fs.FileInfo) (fileID, bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}, false
	}
	return fileID{dev: uint64(st.Dev), ino: st.Ino}, true
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
