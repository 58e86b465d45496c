// Package publish ties a configuration to its articles: it scans the
// articles directory, builds a snapshot and swaps it in atomically, one
// rebuild at a time. Readers of the current snapshot never wait for a
// rebuild and never see half of one.
package publish

import (
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/gitdates"
	"github.com/feedpub/feedpub/internal/library"
	"github.com/feedpub/feedpub/internal/progress"
	"github.com/feedpub/feedpub/internal/site"
	"github.com/feedpub/feedpub/internal/state"
	"github.com/feedpub/feedpub/internal/store"
)

// progressAfter is the number of files read past which a rebuild logs
// that reading is done and rendering starts: a cold load of many thousand
// articles takes seconds, and the log should say where it is.
const progressAfter = 1000

// progressEvery is how often a long rebuild logs its progress.
const progressEvery = time.Second

// Options configure a Publisher.
type Options struct {
	Logger *slog.Logger
	// Now returns the current time; nil means time.Now. Scheduled
	// articles are published by comparing their date with it.
	Now func() time.Time
	// ReadOnlyState uses the state file without ever writing it, for
	// commands that only look (feedpub check).
	ReadOnlyState bool
	// RacyWindow is passed to the scanner (library.Options.RacyWindow):
	// zero means library.DefaultRacyWindow.
	RacyWindow time.Duration
	// OnSwap, if set, is called after every rebuild that swapped in a
	// snapshot with new content, with that snapshot and the
	// configuration it was built with; the WebSub pinger learns this way
	// which feeds changed. It runs while rebuilds are held off, so it
	// must return at once, handing any work to another goroutine.
	OnSwap func(*site.Snapshot, config.Config)
	// Resident is for a publisher that serves for long (serve, deploy
	// --watch). The work after a swap (compressing the new documents)
	// leaves a core to requests and the next rebuild
	// (site.Snapshot.CompressBehind), where build, which waits for it,
	// gives it every core. And the garbage collector keeps the lower
	// target of a start (startgc.go) after it: a server holds a large
	// heap that later rebuilds change little.
	Resident bool
	// SkipGzip leaves the gzip variants of the snapshots to the caller
	// (site.Snapshot.Compress), as build and deploy do: they make them
	// only when asked (build --gzip, [deploy] gzip). Compressing every
	// page had been two fifths of a first build.
	SkipGzip bool
	// KeepBodies keeps each article's body in memory from its one read,
	// for a build that renders every page once and exits: it spares
	// reading and parsing every file a second time for its page (at
	// 100,000 articles, 17.3–18.5 s against 19.9–21.7 s for a first
	// build), for memory a process serving for long would keep (a peak
	// of 1.1 GB against 0.45 GB). Otherwise the body of an article
	// without links is read again from its file when needed
	// (library.Options.BodiesOnDisk).
	KeepBodies bool
	// SettleAfter is how long a resident publisher waits, after the
	// work of its last change, before it hands back to the system the
	// memory the rebuilds since freed (settle). Zero means
	// DefaultSettleAfter; a negative value never does.
	SettleAfter time.Duration
	// CollectAfter is how long a resident publisher waits, after the
	// work of a change, before it collects garbage if the heap has too
	// little room left for another change (collect.go). Zero means
	// DefaultCollectAfter; a negative value never does.
	CollectAfter time.Duration
	// FrontAfter is the number of article files from which a resident
	// publisher's first start, with nothing to serve, serves the feeds
	// and the index made from the articles' headers before it reads them
	// whole (serveFront). Zero means DefaultFrontAfter.
	FrontAfter int
}

// DefaultFrontAfter is Options.FrontAfter's default: below it, reading
// every article whole takes a tenth of a second, and reading the
// headers first would only add to it.
const DefaultFrontAfter = 1000

// DefaultSettleAfter is Options.SettleAfter's default: a writer saving
// files in a burst is done, and the collection it costs (some 0.2 s of
// CPU at 100,000 articles) is not paid for each file.
const DefaultSettleAfter = 10 * time.Second

// Publisher owns the current snapshot of one site.
type Publisher struct {
	logger     *slog.Logger
	now        func() time.Time
	readOnly   bool
	racyWindow time.Duration
	onSwap     func(*site.Snapshot, config.Config)
	resident   bool
	skipGzip   bool
	keepBodies bool
	// settleAfter, collectAfter and frontAfter are Options', defaults
	// filled in.
	settleAfter, collectAfter time.Duration
	frontAfter                int

	// progress counts the work of the rebuild in progress.
	progress progress.Tracker

	current atomic.Pointer[site.Snapshot]
	lastLib atomic.Pointer[library.Library]

	// gzipMu guards gzipMends, the documents whose gzip variant MendGzip
	// has yet to make again, and gzipMending, set while a goroutine
	// makes them.
	gzipMu      sync.Mutex
	gzipMends   []*site.Document
	gzipMending bool

	// background counts the work started after each swap (compression,
	// saving the state); backgroundMu runs it one swap at a time and
	// guards the fields below it.
	background   sync.WaitGroup
	backgroundMu sync.Mutex
	// startDone is set once the first complete snapshot is compressed and
	// the memory its build needed is returned.
	startDone bool
	// settleTimer, once a change after the start is done, runs settle
	// when the publisher has been quiet for settleAfter.
	settleTimer *time.Timer
	// collectTimer runs collectIfDue when the publisher has been quiet
	// for collectAfter after a change (collect.go).
	collectTimer *time.Timer
	// allocatedSeen is the heap's allocations when collectIfDue last
	// looked; collect collects (runtime.GC, but in tests); collectSlow
	// is set once a collection took longer than collectAfter.
	allocatedSeen atomic.Uint64
	collect       func()
	collectSlow   atomic.Bool
	// savedAt is when the state file was last saved; saveDue, if not
	// nil, is the state a save already scheduled writes (saveState).
	savedAt time.Time
	saveDue *state.State
	// store is set by Restore: from then on the front documents of each
	// swap are saved for the next start (in the store of the config in
	// force); savedFront is the FrontKey last saved.
	store      *store.Store
	savedFront string
	// savedPages is the PagesVersion of the last index of pages saved,
	// and savedPagesAt when; savedScan is the scanner whose cache was
	// last saved, and savedScanAt when (scancache.go).
	savedPages   uint64
	savedPagesAt time.Time
	savedScan    *library.Scanner
	savedScanAt  time.Time
	// mending is set while Mend renders a damaged page again.
	mending atomic.Bool
	// collected is when the store was last collected (collectStore),
	// guarded by backgroundMu.
	collected time.Time

	// mu serializes rebuilds and reconfiguration and guards the fields
	// below it.
	mu      sync.Mutex
	cfg     config.Config
	state   *state.State
	scanner *library.Scanner
	builder *site.Builder
	// history dates articles by their commits, or is nil.
	history *gitdates.History
	// cacheLoaded is set once the first scanner was offered the cache
	// of the last run (scancache.go). A reload's new scanner is not: a
	// reload reads every file again.
	cacheLoaded bool
}

// Result describes one rebuild.
type Result struct {
	// Reason is why the rebuild ran. Rebuild leaves it empty; the caller
	// that triggered it fills it in (the watcher: "change", "poll",
	// "scheduled", "reload", "watching").
	Reason     string
	Generation uint64 // generation served after the rebuild
	Swapped    bool   // false when the output was identical
	Articles   int    // articles published
	Errors     int    // article errors
	Scan       library.Stats
	Rendered   int // documents rendered
	// Summarized and Dropped count the feed items shortened to their
	// summary and left out to keep feeds within [feeds] max_bytes
	// (site.BuildStats).
	Summarized, Dropped int
	// Problems are the site's warnings about articles, such as tag
	// spellings merged onto one page; feedpub check prints them with the
	// library's.
	Problems []*article.ParseError
	Duration time.Duration
}

// New returns a Publisher for cfg. It loads the state file; a corrupt one
// is logged and rebuilt. Nothing is scanned until Rebuild.
func New(cfg config.Config, opts Options) (*Publisher, error) {
	p := &Publisher{logger: opts.Logger, now: opts.Now, readOnly: opts.ReadOnlyState, racyWindow: opts.RacyWindow, onSwap: opts.OnSwap,
		resident: opts.Resident, skipGzip: opts.SkipGzip, keepBodies: opts.KeepBodies, settleAfter: opts.SettleAfter, collectAfter: opts.CollectAfter, frontAfter: opts.FrontAfter}
	if p.settleAfter == 0 {
		p.settleAfter = DefaultSettleAfter
	}
	if p.collectAfter == 0 {
		p.collectAfter = DefaultCollectAfter
	}
	p.collect = runtime.GC
	if p.frontAfter == 0 {
		p.frontAfter = DefaultFrontAfter
	}
	if p.logger == nil {
		p.logger = slog.New(slog.DiscardHandler)
	}
	if p.now == nil {
		p.now = time.Now
	}
	if err := p.configureLocked(cfg); err != nil {
		return nil, err
	}
	if p.resident {
		lowerGCTarget() // startgc.go
	}
	return p, nil
}

// Snapshot returns the snapshot being served, or nil before the first
// successful rebuild. It never blocks.
func (p *Publisher) Snapshot() *site.Snapshot { return p.current.Load() }

// Progress says what the rebuild in progress is doing: reading articles or
// rendering their pages, and how far it is. Before the first snapshot it
// is what /healthz reports.
func (p *Publisher) Progress() progress.Status { return p.progress.Status() }

// Library returns the library of the last successful rebuild, or nil.
func (p *Publisher) Library() *library.Library { return p.lastLib.Load() }

// Config returns the configuration in force.
func (p *Publisher) Config() config.Config {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cfg
}

// Reconfigure switches to cfg. The next Rebuild reads every file again
// under the new settings; until then the current snapshot stays.
func (p *Publisher) Reconfigure(cfg config.Config) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.configureLocked(cfg)
}

func (p *Publisher) configureLocked(cfg config.Config) error {
	history, err := OpenHistory(cfg)
	if err != nil {
		return err
	}
	st := p.loadState(cfg)
	builder, err := site.NewBuilder(cfg, st)
	if err != nil {
		return err
	}
	builder.Continue(p.current.Load())
	builder.CountProgress(&p.progress)
	if !p.readOnly {
		builder.UseStore(p.gzipCache(cfg))
		builder.ReusePages(restoreKey(cfg))
	}
	p.cfg, p.state, p.builder, p.history = cfg, st, builder, history
	opts := LibraryOptions(cfg)
	opts.State, opts.Logger, opts.Now, opts.RacyWindow, opts.History = st, p.logger, p.now, p.racyWindow, history
	opts.Progress = &p.progress
	opts.BodiesOnDisk = !p.keepBodies
	p.scanner = library.NewScanner(opts)
	return nil
}

// loadState keeps the current state when the state file stays the same, so
// a config reload does not lose what this run learned.
func (p *Publisher) loadState(cfg config.Config) *state.State {
	if p.state != nil && p.state.Path() == cfg.State.File {
		return p.state
	}
	load := state.Load
	if p.readOnly {
		load = state.LoadReadOnly
	}
	st, err := load(cfg.State.File)
	if err != nil {
		p.logger.Warn("state file unusable; rebuilding it", "file", cfg.State.File, "err", err)
	}
	return st
}

// Rebuild rescans the articles directory (reading only changed files),
// renders the snapshot and swaps it in if its content differs from the one
// being served. On error the current snapshot stays.
func (p *Publisher) Rebuild() (Result, error) {
	return p.rebuild(func() (*library.Library, library.Stats, error) { return p.scanner.Scan() })
}

// RebuildChanged is Rebuild for a caller that knows, from file events,
// the only paths that may have changed since the last rebuild; it rescans
// just those (see library.Scanner.ScanChanged).
func (p *Publisher) RebuildChanged(paths []string) (Result, error) {
	return p.rebuild(func() (*library.Library, library.Stats, error) { return p.scanner.ScanChanged(paths) })
}

func (p *Publisher) rebuild(scan func() (*library.Library, library.Stats, error)) (Result, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	start := time.Now()
	// A cold start of many thousand articles takes seconds: say where it
	// is every second, reading and rendering alike.
	defer p.progress.Log(p.logger, "rebuilding", progressEvery)()
	if p.history != nil {
		// New commits date the files read from now on; files read
		// before keep the dates they were given.
		if err := p.history.Refresh(); err != nil {
			p.logger.Warn("git history not reread; dates stay as they were", "err", err)
		}
	}
	p.loadScanCache()
	if p.resident && p.current.Load() == nil && p.serveFront() {
		// The scan after reads every file whole: each article page is
		// rendered there, from the body just read.
		if render := p.builder.RenderWhileReading(p.now()); render != nil {
			scan = func() (*library.Library, library.Stats, error) { return p.scanner.ScanHanding(render) }
		}
	}
	lib, scanned, err := scan()
	if err != nil {
		return Result{}, fmt.Errorf("scanning %s: %w", p.cfg.Articles.Dir, err)
	}
	if scanned.Read >= progressAfter {
		// A cold load renders for a while after the last file is read.
		p.logger.Info("articles read; rendering the site", "articles", len(lib.Articles),
			"read", scanned.Read, "duration", scanned.Duration.Round(time.Millisecond))
	}
	now := p.now()
	snap, stats, err := p.builder.BuildFeedsFirst(lib, now, p.earlySwap())
	if err != nil {
		return Result{}, fmt.Errorf("building the site: %w", err)
	}
	p.lastLib.Store(lib)
	res := Result{
		Articles: snap.Articles, Errors: snap.Errors, Scan: scanned, Rendered: stats.Rendered,
		Summarized: stats.Summarized, Dropped: stats.Dropped, Problems: stats.Problems,
	}
	old := p.current.Load()
	if snap.SameContent(old) {
		// Same bytes: keep the served generation, so validators and the
		// generation clients watch stay put, but refresh the status.
		snap = old.WithStatus(snap)
		p.builder.Continue(snap)
	} else {
		res.Swapped = true
	}
	p.current.Store(snap)
	if res.Swapped && p.onSwap != nil {
		p.onSwap(snap, p.cfg)
	}
	if res.Swapped && res.Summarized+res.Dropped > 0 {
		p.logger.Info("feeds over feeds.max_bytes: oldest items shortened or left out",
			"max_bytes", p.cfg.Feeds.MaxBytes, "summarized", res.Summarized, "dropped", res.Dropped)
	}
	p.afterSwap(snap, p.state, p.scanner, p.cfg)
	res.Generation = snap.Generation
	res.Duration = time.Since(start)
	return res, nil
}

// serveFront serves, at a start with nothing to serve and every article
// to read, the feeds and the index made from the articles' headers and
// the newest articles whole (library.Scanner.ScanFront), before the scan
// that reads them all: at 10,000 articles the feeds are up in a third of
// the time. The documents are those the complete build makes again, the
// same bytes. Any trouble is left to that scan and build to report. It
// reports whether it served them.
func (p *Publisher) serveFront() bool {
	lib, err := p.scanner.ScanFront(p.cfg.Feeds.Limit, p.frontAfter, p.now())
	if err != nil || lib == nil {
		return false
	}
	builder, err := site.NewBuilder(p.cfg, p.state)
	if err != nil {
		return false
	}
	if !p.readOnly {
		builder.UseStore(p.gzipCache(p.cfg))
	}
	snap, err := builder.BuildFront(lib, p.now())
	if err != nil {
		return false
	}
	p.current.Store(snap)
	p.builder.Continue(snap)
	p.inBackground(func() { p.compress(snap) })
	p.logger.Info("feeds served from the articles' headers; reading the articles", "articles", snap.Articles, "generation", snap.Generation)
	return true
}

// earlySwap returns what to do with the early snapshot of a build
// (site.Builder.BuildFeedsFirst): on a first start of a server, when
// nothing is served yet, serve it, so that the feeds are up while the
// pages render; later, and in a build, which serves nothing, nil, so
// that a change swaps in its complete snapshot at once and no page that
// was served goes missing meanwhile.
func (p *Publisher) earlySwap() func(*site.Snapshot) {
	if !p.resident || p.current.Load() != nil {
		return nil
	}
	return func(snap *site.Snapshot) {
		p.current.Store(snap)
		p.inBackground(func() { p.compress(snap) })
		p.logger.Info("feeds served; rendering the pages", "generation", snap.Generation)
	}
}

// afterSwap compresses the new documents of snap and saves the state (and,
// after Restore, the front documents for the next start) in the
// background, so that neither delays serving a change. Requests
// meanwhile get identity bodies; a crash before the save loses only what
// this rebuild learned, which the next start learns again.
func (p *Publisher) afterSwap(snap *site.Snapshot, st *state.State, scanner *library.Scanner, cfg config.Config) {
	p.inBackground(func() {
		began := time.Now()
		p.compress(snap)
		p.saveState(st)
		p.saveFront(snap, cfg)
		p.savePages(snap, false)
		p.saveScanCache(scanner, cfg)
		p.collectStore(snap, cfg)
		if p.startDone {
			p.settleLater()
			p.collectLater()
		} else {
			p.startDone = true
			if !p.resident {
				// A build or deploy exits soon, handing all its
				// memory back at once.
				return
			}
			// A first build reads every file and renders every page;
			// most of what it allocated is garbage now, and the Go
			// runtime would hand it back to the system only slowly, so
			// the resident size after a start stayed at its peak.
			debug.FreeOSMemory()
			// Said, because the start's memory and CPU fall only now.
			p.logger.Info("start done: every document compressed and saved", "duration", time.Since(began).Round(time.Millisecond))
		}
	})
}

// settleLater makes a resident publisher settle once it has been quiet
// for settleAfter, counted from now. It runs in the background work
// (backgroundMu held).
func (p *Publisher) settleLater() { p.whenQuiet(&p.settleTimer, p.settleAfter, p.settle) }

// whenQuiet makes a resident publisher run f once it has been quiet for
// after, counted from now, on *timer: a call before then starts the
// wait again. A negative after never runs it. It runs in the background
// work (backgroundMu held).
func (p *Publisher) whenQuiet(timer **time.Timer, after time.Duration, f func()) {
	if !p.resident || after < 0 {
		return
	}
	if *timer == nil {
		*timer = time.AfterFunc(after, f)
		return
	}
	(*timer).Reset(after)
}

// settle hands back to the system the memory freed since the last change.
// Each rebuild makes garbage, and the heap grows towards the collector's
// target, half again what the site keeps, before a collection; the Go
// runtime keeps what a collection frees for the next, so a server at
// 100,000 articles stayed at 1.3 times the articles' bytes after a few
// edits where it had settled at 1.0 after its start. A rebuild under way
// is left alone: its own work makes the publisher settle later.
func (p *Publisher) settle() {
	if !p.mu.TryLock() {
		return
	}
	defer p.mu.Unlock()
	p.backgroundMu.Lock()
	defer p.backgroundMu.Unlock()
	debug.FreeOSMemory()
	p.logger.Debug("memory freed by the changes handed back")
}

// compress makes the gzip variants of snap's new documents, unless the
// caller makes them (Options.SkipGzip).
func (p *Publisher) compress(snap *site.Snapshot) {
	switch {
	case p.skipGzip:
	case p.resident:
		snap.CompressBehind()
	default:
		snap.Compress()
	}
}

// saveEvery is the least time between two saves of the state file. At
// 100,000 articles a save encodes and writes some 30 MB; a writer saving
// files in quick succession would have every change rewrite it, on the
// cores the next change renders on.
const saveEvery = time.Second

// saveState saves st now, or, within saveEvery of the last save, once
// that time is up, with whatever the changes meanwhile added. It runs in
// the background work (backgroundMu held); Wait waits for a save due.
func (p *Publisher) saveState(st *state.State) {
	if p.saveDue == st {
		return // the save already due writes it
	}
	if p.saveDue != nil {
		// A reloaded config names another state file: the one due
		// is written now, not left behind.
		p.save(p.saveDue)
		p.saveDue = nil
	}
	wait := saveEvery - time.Since(p.savedAt)
	if wait <= 0 {
		p.save(st)
		return
	}
	p.saveDue = st
	p.background.Add(1)
	time.AfterFunc(wait, func() {
		defer p.background.Done()
		p.backgroundMu.Lock()
		defer p.backgroundMu.Unlock()
		st := p.saveDue
		p.saveDue = nil
		p.save(st)
	})
}

func (p *Publisher) save(st *state.State) {
	if err := st.Save(); err != nil {
		p.logger.Warn("state not saved; ids stay in memory until the next save", "file", st.Path(), "err", err)
	}
	p.savedAt = time.Now()
}

// inBackground runs work in a goroutine that Wait waits for, after the
// work of earlier swaps.
func (p *Publisher) inBackground(work func()) {
	p.background.Add(1)
	go func() {
		defer p.background.Done()
		p.backgroundMu.Lock()
		defer p.backgroundMu.Unlock()
		work()
	}()
}

// Wait returns when the background work of every rebuild so far is done:
// every document of the current snapshot has its compressed variant and
// the state file is written, and the index of pages and the scan cache
// too, if they were not saved since the last change (they are saved at
// most every cacheEvery). A settle not yet due is called off; the next
// change schedules it again. feedpub build waits before writing files;
// serve waits when it stops.
func (p *Publisher) Wait() {
	p.background.Wait()
	p.mu.Lock()
	scanner, cfg := p.scanner, p.cfg
	p.mu.Unlock()
	p.backgroundMu.Lock()
	defer p.backgroundMu.Unlock()
	if p.settleTimer != nil {
		p.settleTimer.Stop()
	}
	if p.collectTimer != nil {
		p.collectTimer.Stop()
	}
	p.savePages(p.current.Load(), true)
	p.flushScanCache(scanner, cfg)
}
