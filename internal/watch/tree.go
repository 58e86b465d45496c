package watch

import (
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/fsnotify/fsnotify"

	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/internal/library"
)

// tree keeps a watch on a directory and every directory below it, since
// inotify watches are not recursive: directories are added as they appear
// (also ones moved in with files already inside) and dropped as they go.
type tree struct {
	fs      *fsnotify.Watcher
	logger  *slog.Logger
	root    string          // absolute
	watched map[string]bool // absolute directory paths
	// ids holds the identity of each watched directory, owner the path
	// each identity is watched under, and displaced the old names of
	// directories seen under a new name before their move's own events
	// were handled (dropOldName).
	ids       map[string]library.FileID
	owner     map[library.FileID]string
	displaced []string
	// warned holds the directories whose watch failed, with the error
	// logged, so that every rescan does not log the same failure again.
	warned map[string]string
}

func newTree(fsw *fsnotify.Watcher, logger *slog.Logger, root string) *tree {
	return &tree{fs: fsw, logger: logger, root: root, watched: map[string]bool{},
		ids: map[string]library.FileID{}, owner: map[library.FileID]string{}, warned: map[string]string{}}
}

// contains reports whether path is the root or below it.
func (t *tree) contains(path string) bool {
	return path == t.root || strings.HasPrefix(path, t.root+string(filepath.Separator))
}

// addAll watches dir and every directory below it that feedpub reads
// (hidden ones are skipped, as the scan skips them).
func (t *tree) addAll(dir string) {
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				t.warn(path, err)
			}
			return nil
		}
		if !t.isWatchableDir(path, d) {
			return nil
		}
		if path != t.root && article.Ignored(d.Name()) {
			return filepath.SkipDir
		}
		t.add(path)
		return nil
	})
}

// isWatchableDir reports whether d is a directory, or a link to one.
func (t *tree) isWatchableDir(path string, d fs.DirEntry) bool {
	if d.IsDir() {
		return true
	}
	if d.Type()&fs.ModeSymlink == 0 {
		return false
	}
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
}

func (t *tree) add(dir string) {
	if t.watched[dir] {
		return
	}
	id, known := t.identify(dir)
	if known {
		t.dropOldName(dir, id)
	}
	if err := t.fs.Add(dir); err != nil {
		t.warn(dir, err)
		return
	}
	t.watched[dir] = true
	if known {
		t.ids[dir] = id
		if _, taken := t.owner[id]; !taken {
			t.owner[id] = dir
		}
	}
	delete(t.warned, dir)
}

// identify returns the identity of the directory at dir.
func (t *tree) identify(dir string) (library.FileID, bool) {
	info, err := os.Stat(dir)
	if err != nil {
		return library.FileID{}, false
	}
	return library.Identity(info)
}

// dropOldName removes the watch of a directory moved to dir whose move has
// not been handled yet: a walk of the place it moved to can run before the
// move's own events arrive. The kernel keeps one watch per directory, so
// adding the new name would only get the old watch back, which reports
// events under the old name and is removed, new name and all, once the
// move is handled. The old name goes to displaced: what was published
// under it must be rescanned.
func (t *tree) dropOldName(dir string, id library.FileID) {
	old, ok := t.owner[id]
	if !ok || old == dir {
		return
	}
	if info, err := os.Stat(old); err == nil {
		if same, known := library.Identity(info); known && same == id {
			return // one directory under two names (a link): not a move
		}
	}
	t.removeAll(old)
	t.displaced = append(t.displaced, old)
}

// takeDisplaced returns the old names of the directories found moved since
// the last call.
func (t *tree) takeDisplaced() []string {
	d := t.displaced
	t.displaced = nil
	return d
}

// warn logs, once per directory and error, that dir cannot be watched,
// with what to do about the cause.
func (t *tree) warn(dir string, err error) {
	if t.warned[dir] == err.Error() {
		return
	}
	t.warned[dir] = err.Error()
	advice := "changes in it are seen only by a rescan"
	switch {
	case errors.Is(err, fs.ErrPermission):
		advice = "feedpub may not read it: check its permissions"
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EMFILE):
		advice = "the system's limit of watches is reached; changes in it are seen only by a rescan: raise fs.inotify.max_user_watches, or use --poll"
	}
	t.logger.Warn("cannot watch directory; "+advice, "dir", dir, "err", err)
}

// removeAll drops the watches of dir and everything below it. The kernel
// has already dropped them if the directory was deleted; after a move the
// watch would follow the directory to its new place, so it is removed.
func (t *tree) removeAll(dir string) {
	for path := range t.watched {
		if path == dir || strings.HasPrefix(path, dir+string(filepath.Separator)) {
			if err := t.fs.Remove(path); err != nil && !errors.Is(err, fsnotify.ErrNonExistentWatch) {
				t.logger.Debug("removing watch", "dir", path, "err", err)
			}
			delete(t.watched, path)
			if id, ok := t.ids[path]; ok && t.owner[id] == path {
				delete(t.owner, id)
			}
			delete(t.ids, path)
		}
	}
}

// rewalk adds watches for directories that appeared without an event
// (after an event overflow, or when the root is re-created).
func (t *tree) rewalk() {
	for path := range t.watched {
		if _, err := os.Stat(path); err != nil {
			t.removeAll(path)
		}
	}
	t.addAll(t.root)
	t.displaced = nil // a full rescan follows a rewalk
}

// isDir reports whether path is a watched directory.
func (t *tree) isDir(path string) bool { return t.watched[path] }
