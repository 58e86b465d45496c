package publish

import (
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/site"
	"github.com/feedpub/feedpub/internal/store"
)

// StoreDir is the directory of the document store: beside the state file,
// like the other things feedpub keeps between runs.
func StoreDir(cfg config.Config) string {
	return filepath.Join(filepath.Dir(cfg.State.File), "store")
}

// gzipCache returns the store of gzip variants (site.Builder.UseStore)
// in cfg's store directory: one per compressor (site.GzipMaker), whose
// code makes the bytes. Those of others are removed.
func (p *Publisher) gzipCache(cfg config.Config) *store.Store {
	dir := StoreDir(cfg)
	ours := "gzip-" + site.GzipMaker()
	others, _ := filepath.Glob(filepath.Join(dir, "gzip-*"))
	for _, other := range others {
		if filepath.Base(other) != ours {
			if err := os.RemoveAll(other); err != nil {
				p.logger.Warn("old gzip variants not removed", "dir", other, "err", err)
			}
		}
	}
	return store.Open(filepath.Join(dir, ours))
}

// Restore serves the front documents (the feeds, the index) that the last
// run saved in the store, before the first Rebuild has read a single
// article, and makes every later swap save them for the next start. It
// reports whether it restored them; when it did not (a first start, a
// changed configuration, a missing or corrupt store file), the start goes
// the usual way. Call it once, before the first Rebuild.
func (p *Publisher) Restore() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.readOnly {
		return false
	}
	p.store = store.Open(StoreDir(p.cfg))
	if p.current.Load() != nil {
		return false
	}
	snap, err := site.RestoreFront(p.store, restoreKey(p.cfg))
	switch {
	case errors.Is(err, site.ErrNoFront):
		return false
	case err != nil:
		p.logger.Warn("saved feeds unusable; reading the articles first", "dir", p.store.Dir(), "err", err)
		// A damaged file of the right size would stay: Put writes only
		// what is missing. Empty the store; the next swap fills it.
		if err := p.store.Keep(nil); err != nil {
			p.logger.Warn("store not emptied", "dir", p.store.Dir(), "err", err)
		}
		return false
	}
	p.current.Store(snap)
	p.builder.Continue(snap)
	p.savedFront = snap.FrontKey()
	p.logger.Info("serving the feeds saved by the last run; reading the articles", "articles", snap.Articles)
	return true
}

// saveFront saves the front documents of snap in the store when they
// changed since the last save. It runs in the background, after snap is
// compressed.
func (p *Publisher) saveFront(snap *site.Snapshot, cfg config.Config) {
	if p.store == nil || !snap.Complete() {
		return
	}
	key := snap.FrontKey()
	if key == p.savedFront {
		return
	}
	// In cfg's store: a reloaded config may name another state file.
	st := store.Open(StoreDir(cfg))
	if err := site.SaveFront(st, restoreKey(cfg), snap); err != nil {
		p.logger.Warn("feeds not saved for the next start", "dir", st.Dir(), "err", err)
		return
	}
	p.savedFront = key
}

// savePages saves the index of snap's article and archive pages for the
// next start when they changed since the last save
// (site.Snapshot.SavePages): after the first complete snapshot, then at
// most every cacheEvery (at 100,000 articles the index is some 15 MB,
// which every change would write again; an older one costs the next
// start only the pages changed since), and whenever flush is set (Wait).
// It runs in the background work (backgroundMu held), after snap is
// compressed.
func (p *Publisher) savePages(snap *site.Snapshot, flush bool) {
	if snap == nil || !snap.Complete() || snap.PagesVersion() == p.savedPages {
		return
	}
	if !flush && !p.savedPagesAt.IsZero() && time.Since(p.savedPagesAt) < cacheEvery {
		return
	}
	if err := snap.SavePages(); err != nil {
		p.logger.Warn("index of the pages not saved; the next start renders them all", "err", err)
		return
	}
	p.savedPages, p.savedPagesAt = snap.PagesVersion(), time.Now()
}

// Mend renders again, in the background, the document whose body file in
// the store the server found missing or damaged: the file is removed,
// the builder forgets what it rendered, and a rebuild writes every
// missing file again. One mend runs at a time; requests meanwhile get
// 503 with Retry-After.
func (p *Publisher) Mend(d *site.Document) {
	if !p.mending.CompareAndSwap(false, true) {
		return
	}
	d.Mend()
	p.background.Add(1) // Wait waits for it too
	go func() {
		defer p.background.Done()
		defer p.mending.Store(false)
		p.mu.Lock()
		p.builder.Forget()
		p.mu.Unlock()
		if _, err := p.Rebuild(); err != nil {
			p.logger.Error("rendering a damaged page again", "path", d.Path, "err", err)
		}
	}()
}

// MendGzip makes again, in the background, the gzip variant gz of d
// whose file in the store the server found missing or damaged: d stops
// offering it at once (requests get the identity body), and it is
// compressed again and stored in place of the damaged file. Nothing is
// rendered again. Variants are made one at a time, in the order found:
// a disk gone bad under thousands of them takes one core, not all.
func (p *Publisher) MendGzip(d *site.Document, gz *site.Encoded) {
	if !d.DropGzip(gz) {
		return // another request found it first
	}
	p.gzipMu.Lock()
	defer p.gzipMu.Unlock()
	p.gzipMends = append(p.gzipMends, d)
	if p.gzipMending {
		return // the goroutine under way takes it
	}
	p.gzipMending = true
	p.background.Add(1) // Wait waits for it too
	go p.compressMends()
}

// compressMends compresses again the documents MendGzip queued, until
// none is left.
func (p *Publisher) compressMends() {
	defer p.background.Done()
	for {
		p.gzipMu.Lock()
		todo := p.gzipMends
		p.gzipMends = nil
		if len(todo) == 0 {
			p.gzipMending = false
			p.gzipMu.Unlock()
			return
		}
		p.gzipMu.Unlock()
		for _, d := range todo {
			d.CompressAgain()
		}
	}
}

// collectEvery is how often at most the store is collected: listing it
// takes some 100 ms at 100,000 articles, and a change leaves only a few
// files behind.
const collectEvery = time.Minute

// collectStore removes from the store the files no document of snap
// has, when snap is still served, after the first complete snapshot and
// then at most every collectEvery. It runs in the background work
// (backgroundMu held), beside rebuilds: it once held them off, and a
// change made while the store was listed waited for it.
func (p *Publisher) collectStore(snap *site.Snapshot, cfg config.Config) {
	now := p.now()
	if p.current.Load() != snap || !snap.Complete() || (!p.collected.IsZero() && now.Sub(p.collected) < collectEvery) {
		return
	}
	p.collected = now
	if err := snap.CollectStore(); err != nil {
		p.logger.Warn("old files not removed from the store", "dir", StoreDir(cfg), "err", err)
	}
}

// restoreKey identifies what the front documents were rendered with: the
// configuration and the build of feedpub (whose templates they came
// from). A restart under another key renders them first. The sections
// that say how to serve, not what (the listen address, TLS, deploying),
// are left out: a restart on another port serves the same documents.
func restoreKey(cfg config.Config) string {
	cfg.Path, cfg.Server, cfg.TLS, cfg.Deploy = "", config.Server{}, config.TLS{}, config.Deploy{}
	h := sha256.New()
	data, err := json.Marshal(cfg)
	if err != nil {
		return "" // never equal to a saved key, which is a hash
	}
	h.Write(data)
	// The Go release too: its Unicode tables and libraries (html,
	// text/template) make some of the bytes, and a commit built again
	// with a newer Go must not trust what the older parsed.
	h.Write([]byte("\x00" + buildID() + "\x00" + runtime.Version()))
	return hex.EncodeToString(h.Sum(nil))
}

// buildID names the build of feedpub running: its module version when
// installed as a module or built from a clean checkout, else its commit
// when the version is not stamped, else (go run, a checkout with
// changes, a test) the build ID the Go linker wrote into the executable,
// or failing that the SHA-256 of the executable, since code changed
// without a new commit may render other bytes. "" when none can be had,
// which no saved key matches.
var buildID = sync.OnceValue(func() string {
	var version, revision, modified string
	if info, ok := debug.ReadBuildInfo(); ok {
		version = info.Main.Version
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
	}
	// Built in a checkout with changes, the version ends in "+dirty".
	if version != "" && version != "(devel)" && !strings.HasSuffix(version, "+dirty") {
		return "version " + version
	}
	if revision != "" && modified == "false" {
		return "commit " + revision
	}
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	if id := linkerBuildID(exe); id != "" {
		return "build " + id
	}
	f, err := os.Open(exe)
	if err != nil {
		return ""
	}
	defer f.Close()
	sum := sha256.New()
	if _, err := io.Copy(sum, f); err != nil {
		return ""
	}
	return "executable " + hex.EncodeToString(sum.Sum(nil))
})

// linkerBuildID returns the Go build ID of the ELF executable at exe, as
// "go tool buildid" prints it, or "" when it has none (another format,
// or linked with -buildid=). Its last part is the go command's hash of
// the linked binary, so any change to the code changes it. Reading it
// takes a few small reads; hashing the 40 MB executable took 50–100 ms
// of every start run with go run.
func linkerBuildID(exe string) string {
	f, err := elf.Open(exe)
	if err != nil {
		return ""
	}
	defer f.Close()
	s := f.Section(".note.go.buildid")
	if s == nil {
		return ""
	}
	note, err := s.Data()
	// An ELF note: the sizes of its name and description and its type,
	// 4 bytes each, then the name ("Go", padded to 4 bytes) and the
	// description, which is the ID.
	if err != nil || len(note) < 16 || string(note[12:16]) != "Go\x00\x00" {
		return ""
	}
	size := int(f.ByteOrder.Uint32(note[4:8]))
	if f.ByteOrder.Uint32(note[0:4]) != 4 || size > len(note)-16 {
		return ""
	}
	return string(note[16 : 16+size])
}
