package watch

import (
	"os"
	"path/filepath"
	"reflect"

	"github.com/fsnotify/fsnotify"

	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/library"
)

// watchArticles watches the articles directory tree and its parent, whose
// events tell when the directory itself is deleted or re-created.
func (w *watcher) watchArticles(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	w.tree = newTree(w.fs, w.logger, abs)
	w.addWatch(filepath.Dir(abs))
	w.tree.addAll(abs)
	if !w.tree.watched[abs] {
		w.logger.Warn("articles directory not watched yet; waiting for it to appear", "dir", dir)
	}
	return nil
}

// addWatch watches a single directory outside the articles tree.
func (w *watcher) addWatch(dir string) {
	if err := w.fs.Add(dir); err != nil {
		w.logger.Warn("cannot watch directory", "dir", dir, "err", err)
	}
}

// handle looks at one file event and schedules a rebuild if it can change
// what is published.
func (w *watcher) handle(ev fsnotify.Event) {
	switch {
	case w.configPath != "" && (ev.Name == w.configPath || ev.Name == w.configTarget):
		w.reloadConfig = true
		w.debounce.event()
	case ev.Name == w.tree.root:
		w.fullRescan = true
		w.handleRoot(ev)
	case w.tree.contains(ev.Name):
		if w.handleArticleEvent(ev) {
			w.changed[ev.Name] = true
			w.debounce.event()
		}
	}
}

// handleRoot follows the articles directory itself: deleted (the last good
// articles stay published until it returns), or created again.
func (w *watcher) handleRoot(ev fsnotify.Event) {
	if ev.Has(fsnotify.Create) {
		w.logger.Info("articles directory appeared", "dir", w.tree.root)
		w.tree.rewalk()
		w.debounce.event()
		return
	}
	if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
		w.logger.Warn("articles directory is gone; still serving the last good articles until it returns", "dir", w.tree.root)
		w.tree.removeAll(w.tree.root)
	}
}

// handleArticleEvent keeps the directory watches up to date and reports
// whether the event concerns an article file, a media file served beside
// them, or a directory of them.
func (w *watcher) handleArticleEvent(ev fsnotify.Event) bool {
	if ignoredPath(w.tree.root, ev.Name) {
		return false
	}
	if w.tree.isDir(ev.Name) && (ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename)) {
		w.tree.removeAll(ev.Name)
		return true
	}
	if ev.Has(fsnotify.Create) {
		if info, err := os.Stat(ev.Name); err == nil && info.IsDir() {
			// Moved or copied in whole: its files produced no events of
			// their own, and the rescan will list them, and drop what was
			// published from the old names of directories moved here.
			w.tree.addAll(ev.Name)
			for _, old := range w.tree.takeDisplaced() {
				w.changed[old] = true
			}
			return true
		}
	}
	return article.IsArticleFile(ev.Name) || library.IsMediaFile(ev.Name)
}

// ignoredPath reports whether any element of path below root is one the
// scan ignores (hidden files and directories, editor leftovers).
func ignoredPath(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	if err != nil {
		return true
	}
	for dir := rel; dir != "." && dir != string(filepath.Separator); dir = filepath.Dir(dir) {
		if article.Ignored(filepath.Base(dir)) {
			return true
		}
	}
	return false
}

// applyConfig reads config.toml again. A valid change is applied (and a
// changed articles directory is watched instead of the old one); an invalid
// file is logged and the running config stays. force reconfigures even an
// unchanged config, which makes the next rebuild re-read every file. It
// reports whether it reconfigured the Publisher.
func (w *watcher) applyConfig(force bool) bool {
	w.reloadConfig = false
	if w.opts.LoadConfig == nil {
		return false
	}
	next, err := w.opts.LoadConfig()
	if err != nil {
		w.logger.Error("config not reloaded; keeping the running config", "file", w.opts.ConfigPath, "err", err)
		return false
	}
	if !force && sameConfig(next, w.cfg) {
		return false
	}
	if !reflect.DeepEqual(next.Server, w.cfg.Server) || next.TLS != w.cfg.TLS {
		w.logger.Warn("[server] or [tls] settings changed; they take effect after a restart", "file", w.opts.ConfigPath)
	}
	if err := w.opts.Publisher.Reconfigure(next); err != nil {
		w.logger.Error("config not applied; keeping the running config", "file", w.opts.ConfigPath, "err", err)
		return false
	}
	w.switchConfig(next)
	w.logger.Info("config reloaded", "file", w.opts.ConfigPath)
	return true
}

// switchConfig updates the watcher's own settings to cfg.
func (w *watcher) switchConfig(cfg config.Config) {
	old := w.cfg
	w.cfg = cfg
	w.debounce.setTimes(cfg.Articles.Debounce.Duration, cfg.Articles.MaxWait.Duration)
	if cfg.Articles.Poll != old.Articles.Poll {
		w.poll.every(cfg.Articles.Poll.Duration)
	}
	if cfg.Articles.Dir != old.Articles.Dir {
		w.tree.removeAll(w.tree.root)
		if err := w.watchArticles(cfg.Articles.Dir); err != nil {
			w.logger.Error("cannot watch the new articles directory", "dir", cfg.Articles.Dir, "err", err)
		}
	}
}

// sameConfig compares configs by value; the loaded *time.Location differs
// between loads of the same zone, so zones are compared by name.
func sameConfig(a, b config.Config) bool {
	a.Site.Location, b.Site.Location = nil, nil
	return reflect.DeepEqual(a, b)
}
