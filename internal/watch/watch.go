// Package watch keeps the published site in step with the articles
// directory and config.toml: it watches them with fsnotify, debounces
// bursts of events into single rebuilds, rescans on an interval where
// events do not arrive, and rebuilds when a scheduled article is due.
package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/publish"
)

// Options configure Run.
type Options struct {
	// Publisher is rebuilt on every change.
	Publisher *publish.Publisher
	// ConfigPath is the config file to watch; empty watches none.
	ConfigPath string
	// LoadConfig reads the config file again, with the command line's
	// overrides applied. Required when ConfigPath is set.
	LoadConfig func() (config.Config, error)
	// Reload forces a config reload and a full rescan (SIGHUP).
	Reload <-chan struct{}
	// Clock defaults to the system clock.
	Clock  Clock
	Logger *slog.Logger
	// OnRebuild, if set, is called after every rebuild attempt, from the
	// watcher's goroutine, with Result.Reason saying why it ran. The first
	// call (reason "watching") comes once every watch is in place.
	OnRebuild func(publish.Result, error)
}

// Run watches until ctx is done, then stops every timer and goroutine it
// started and returns nil. It returns an error only if watching cannot
// start at all. Once its watches are in place it rebuilds, so a change
// made after the caller's first build but before the watches existed is
// not missed. A caller that has not built yet should use Watch instead
// and build between Watch and Watcher.Run, which spares that rebuild.
func Run(ctx context.Context, opts Options) error {
	w, err := newWatcher(opts)
	if err != nil {
		return err
	}
	defer w.close()
	w.rebuild("watching")
	return w.loop(ctx)
}

// Watcher is a set of watches in place, waiting for Run to handle their
// events.
type Watcher struct{ w *watcher }

// Watch puts every watch in place and returns without rebuilding. Every
// change made from then on makes an event, which the fsnotify queue keeps
// until Run handles it, so a first build that the caller runs after Watch
// returns needs no second, catching-up rebuild: at 100,000 articles that
// rebuild rescanned every file and took seconds to find nothing.
func Watch(opts Options) (*Watcher, error) {
	w, err := newWatcher(opts)
	if err != nil {
		return nil, err
	}
	return &Watcher{w}, nil
}

// Run handles events until ctx is done, then releases the watches and
// returns nil, as the function Run does after its first rebuild.
func (w *Watcher) Run(ctx context.Context) error {
	defer w.w.close()
	w.w.armSchedule() // the caller's build may have scheduled articles
	return w.w.loop(ctx)
}

// Close releases the watches of a Watcher that will not Run, as when the
// first build failed.
func (w *Watcher) Close() { w.w.close() }

// watcher is the state of one Run; only its loop goroutine touches it.
type watcher struct {
	opts       Options
	logger     *slog.Logger
	clock      Clock
	fs         *fsnotify.Watcher
	configPath string // absolute
	// configTarget is the file configPath links to, when it is a symbolic
	// link: edits to the target make no event beside the link.
	configTarget string
	cfg          config.Config
	tree         *tree
	debounce     *debouncer
	// reloadConfig is set when config.toml changed and the pending
	// rebuild must read it first.
	reloadConfig bool
	// changed holds the paths file events named since the last rebuild,
	// which is all the next one must rescan, unless fullRescan is set
	// because events may have been lost or the root itself changed.
	changed    map[string]bool
	fullRescan bool
	poll       *ticker
	schedule   *ticker
}

func newWatcher(opts Options) (*watcher, error) {
	if opts.Clock == nil {
		opts.Clock = SystemClock{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	fsw, err := fsnotify.NewBufferedWatcher(1024)
	if err != nil {
		return nil, fmt.Errorf("starting the file watcher: %w", err)
	}
	cfg := opts.Publisher.Config()
	w := &watcher{
		opts:     opts,
		logger:   opts.Logger,
		clock:    opts.Clock,
		fs:       fsw,
		cfg:      cfg,
		debounce: newDebouncer(opts.Clock, cfg.Articles.Debounce.Duration, cfg.Articles.MaxWait.Duration),
		poll:     newTicker(opts.Clock),
		schedule: newTicker(opts.Clock),
		changed:  map[string]bool{},
	}
	if opts.ConfigPath != "" {
		if w.configPath, err = filepath.Abs(opts.ConfigPath); err != nil {
			fsw.Close()
			return nil, fmt.Errorf("config path: %w", err)
		}
		// Editors replace the file by renaming a new one over it, which
		// ends a watch on the file itself: watch its directory.
		w.addWatch(filepath.Dir(w.configPath))
		if target, err := filepath.EvalSymlinks(w.configPath); err == nil && target != w.configPath {
			w.configTarget = target
			w.addWatch(filepath.Dir(target))
		}
	}
	if err := w.watchArticles(cfg.Articles.Dir); err != nil {
		fsw.Close()
		return nil, err
	}
	w.poll.every(cfg.Articles.Poll.Duration)
	w.armSchedule()
	return w, nil
}

func (w *watcher) close() {
	w.debounce.close()
	w.poll.close()
	w.schedule.close()
	if err := w.fs.Close(); err != nil {
		w.logger.Warn("closing the file watcher", "err", err)
	}
}

func (w *watcher) loop(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.fs.Events:
			if !ok {
				return nil
			}
			w.handle(ev)
		case err, ok := <-w.fs.Errors:
			if !ok {
				return nil
			}
			w.handleError(err)
		case seq := <-w.debounce.C():
			if w.debounce.fired(seq) {
				w.rebuild("change")
			}
		case <-w.opts.Reload:
			w.logger.Info("reload requested: reading config and rescanning every file")
			w.reloadConfig = true
			w.rebuildFull()
		case seq := <-w.poll.C():
			if w.poll.fired(seq) {
				w.rebuild("poll")
			}
		case seq := <-w.schedule.C():
			if w.schedule.fired(seq) {
				w.rebuild("scheduled")
			}
		}
	}
}

// handleError treats a lost event queue as "anything may have changed":
// the tree is walked again for new directories and a rescan is scheduled.
func (w *watcher) handleError(err error) {
	if errors.Is(err, fsnotify.ErrEventOverflow) {
		w.logger.Warn("file events overflowed; rescanning everything", "dir", w.cfg.Articles.Dir)
	} else {
		w.logger.Error("file watcher error; rescanning", "err", err)
	}
	w.tree.rewalk()
	w.fullRescan = true
	w.debounce.event()
}

// rebuildFull re-reads the config and every article file. Without a
// config to apply (none watched, or the file is invalid) the running one
// is applied again, which still makes the rebuild read every file.
func (w *watcher) rebuildFull() {
	if !w.applyConfig(true) {
		if err := w.opts.Publisher.Reconfigure(w.cfg); err != nil {
			w.logger.Error("cannot force a full rescan", "err", err)
		}
	}
	w.rebuild("reload")
}

// rebuild runs one rebuild now, logs it and schedules the next wake-up
// for a scheduled article.
func (w *watcher) rebuild(reason string) {
	if w.reloadConfig {
		w.applyConfig(false)
	}
	res, err := w.rebuildWhatChanged(reason)
	res.Reason = reason
	if err != nil {
		w.logger.Error("rebuild failed; still serving the previous snapshot", "reason", reason, "err", err)
	} else {
		LogResult(w.logger, reason, res)
	}
	w.armSchedule()
	if w.opts.OnRebuild != nil {
		w.opts.OnRebuild(res, err)
	}
}

// rebuildWhatChanged rescans only the paths file events named, when the
// events tell the whole story; a rebuild for any other reason (start,
// polling, reload, lost events, the articles directory itself) rescans
// everything. Either way the paths are consumed.
func (w *watcher) rebuildWhatChanged(reason string) (publish.Result, error) {
	paths := make([]string, 0, len(w.changed))
	for p := range w.changed {
		paths = append(paths, p)
	}
	full := w.fullRescan || (reason != "change" && reason != "scheduled")
	clear(w.changed)
	w.fullRescan = false
	if full {
		return w.opts.Publisher.Rebuild()
	}
	return w.opts.Publisher.RebuildChanged(paths)
}

// armSchedule sets the wake-up for the next scheduled article. A time
// that has passed means the rebuild that should have published the
// article failed (the directory is gone): the next change retries, and
// re-arming now would only rebuild in a busy loop.
func (w *watcher) armSchedule() {
	snap := w.opts.Publisher.Snapshot()
	now := w.clock.Now()
	if snap == nil || !snap.NextScheduled.After(now) {
		w.schedule.stop()
		return
	}
	w.schedule.at(snap.NextScheduled.Sub(now))
}

// LogResult writes the one log line of a rebuild.
func LogResult(logger *slog.Logger, reason string, res publish.Result) {
	logger.Info("rebuilt",
		"reason", reason,
		"generation", res.Generation,
		"swapped", res.Swapped,
		"articles", res.Articles,
		"errors", res.Errors,
		"files", res.Scan.Files,
		"read", res.Scan.Read,
		"rendered", res.Rendered,
		"duration", res.Duration.Round(time.Microsecond))
}
