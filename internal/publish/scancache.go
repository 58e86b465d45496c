package publish

import (
	"path/filepath"
	"time"

	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/library"
)

// The scanner's cache is kept between runs (library.Scanner.SaveCache), so
// that a restart reads only the articles that changed while feedpub was
// stopped. It is saved after the first complete snapshot of a start,
// then at most every cacheEvery (at 100,000 articles it is some 60 MB,
// and a cache older than the files costs only the reading of the files
// changed since), and when serve stops (Wait). It is not kept with
// undated = "git": a restart must date a file committed while feedpub
// was stopped by its commit.

// cacheEvery is how often at most the scan cache and the index of pages
// (savePages) are saved after a change.
const cacheEvery = time.Minute

// ScanCacheFile is where the scanner's cache of cfg is kept: beside the
// state file.
func ScanCacheFile(cfg config.Config) string {
	return filepath.Join(filepath.Dir(cfg.State.File), "articles.cache")
}

// keepsScanCache reports whether the scanner's cache is kept between runs
// under cfg.
func (p *Publisher) keepsScanCache(cfg config.Config) bool {
	return !p.readOnly && cfg.Articles.Undated != string(library.UndatedGit)
}

// loadScanCache offers the scanner of a start, before its first scan,
// the cache the last run saved. p.mu is held.
func (p *Publisher) loadScanCache() {
	if p.cacheLoaded || !p.keepsScanCache(p.cfg) {
		return
	}
	p.cacheLoaded = true
	if err := p.scanner.LoadCache(ScanCacheFile(p.cfg), restoreKey(p.cfg)); err != nil {
		p.logger.Warn("articles read last time unusable", "err", err)
	}
}

// saveScanCache saves scanner's cache for the next start when it changed
// since the last save, and the last save is cacheEvery old. It runs in
// the background work (backgroundMu held).
func (p *Publisher) saveScanCache(scanner *library.Scanner, cfg config.Config) {
	if scanner == p.savedScan && time.Since(p.savedScanAt) < cacheEvery {
		return
	}
	p.flushScanCache(scanner, cfg)
}

// flushScanCache saves scanner's cache now if it changed since it was
// last loaded or saved. backgroundMu is held.
func (p *Publisher) flushScanCache(scanner *library.Scanner, cfg config.Config) {
	if !p.keepsScanCache(cfg) || scanner.CacheSaved() {
		return
	}
	if err := scanner.SaveCache(ScanCacheFile(cfg), restoreKey(cfg)); err != nil {
		p.logger.Warn("articles not saved for the next start; it reads them all", "file", ScanCacheFile(cfg), "err", err)
		return
	}
	p.savedScan, p.savedScanAt = scanner, time.Now()
}
