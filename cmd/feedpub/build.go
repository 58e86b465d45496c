package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/feedpub/feedpub/internal/parallel"
	"github.com/feedpub/feedpub/internal/publish"
	"github.com/feedpub/feedpub/internal/site"
)

// buildMarker marks a directory as feedpub build output, which a later
// build may empty and rewrite. A directory without it is never emptied.
const buildMarker = ".feedpub-build"

func buildCommand() command {
	var out string
	var gzip bool
	return command{
		name:        "build",
		baseURLFlag: true,
		summary:     "write the site to a directory, as it is served: feedpub build --out DIR",
		synopsis:    "feedpub build --out DIR [--gzip] [--base-url URL] [--config FILE] [--articles DIR]",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&out, "out", "", "output `directory` (required)")
			fs.BoolVar(&gzip, "gzip", false, "also write FILE.gz beside each document worth compressing, for servers that send precompressed files")
		},
		run: func(ctx context.Context, e *env) error {
			if out == "" {
				return usageError("build needs --out DIR: the directory to write the site to")
			}
			return runBuild(e, out, gzip)
		},
	}
}

func runBuild(e *env, out string, gzip bool) error {
	p, res, err := renderOnce(e)
	if err != nil {
		return err
	}
	damaged, err := writeBuild(p, out, gzip)
	if len(damaged) > 0 {
		// Files of the store went missing or bad since they were
		// stored: without them the site renders again, and writes
		// them.
		p.Wait()
		for _, d := range damaged {
			removeDamaged(e, d)
		}
		if p, res, err = renderOnce(e); err != nil {
			return err
		}
		if damaged, err = writeBuild(p, out, gzip); len(damaged) > 0 {
			err = errors.Join(damaged[0], errors.New("the store is damaged again after rendering: check the disk"))
		}
	}
	p.Wait()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %d documents for %d articles to %s (%d article errors)\n",
		p.Snapshot().Len()+1, res.Articles, out, res.Errors)
	return nil
}

// writeBuild writes the snapshot p serves to out, with its gzip variants
// if gzip, while p saves in the background what the next run reuses (the
// state, the scan cache, the index of pages): done one after the other,
// the saves and the writing took a tenth longer at 10,000 articles.
func writeBuild(p *publish.Publisher, out string, gzip bool) ([]*site.StoredFileError, error) {
	snap := p.Snapshot()
	if gzip {
		snap.Compress()
	}
	return writeSnapshot(snap, out, outIndexFile(p.Config(), out), gzip)
}

// renderOnce loads the config and renders the site once, without gzip
// variants: the snapshot that build writes and deploy uploads, so both
// hold the same bytes. The publisher then saves the state in the
// background; the caller waits for it (Publisher.Wait) before it exits.
func renderOnce(e *env) (*publish.Publisher, publish.Result, error) {
	cfg, err := e.loadConfig()
	if err != nil {
		return nil, publish.Result{}, err
	}
	p, err := publish.New(cfg, publish.Options{Logger: e.logger, SkipGzip: true, KeepBodies: true})
	if err != nil {
		return nil, publish.Result{}, err
	}
	res, err := p.Rebuild()
	if err != nil {
		p.Wait()
		return nil, res, err
	}
	return p, res, nil
}

// writeSnapshot writes every document of snap under dir, as a static host
// would serve it: "/" as index.html, "/articles/x/" as
// articles/x/index.html, the 404 page as 404.html. With gzip, a document
// with a gzip variant also gets FILE.gz holding the very bytes feedpub
// serves compressed, for static servers that send precompressed files
// (nginx's gzip_static, Caddy's precompressed); without, none does, even
// one whose variant an earlier run left in the store. Over an earlier
// build's output it writes only the files whose bytes changed and removes
// those no document has (the pages of deleted articles): a rerun over
// 10,000 unchanged articles emptied and wrote again some 175 MB. What it
// wrote is kept in indexFile (outIndex), so that a rerun does not even
// read the files an earlier one wrote and nobody changed since.
func writeSnapshot(snap *site.Snapshot, dir, indexFile string, gzip bool) (damaged []*site.StoredFileError, err error) {
	empty, err := prepareOutDir(dir)
	if err != nil {
		return nil, err
	}
	w := newOutWriter(dir, indexFile)
	w.written[buildMarker] = true
	// A damaged file of the store does not stop the writing: the
	// caller renders again without every one found.
	var damagedMu sync.Mutex
	write := func(rel string, d *site.Document) error {
		err := w.writeFiles(rel, d, gzip)
		var bad *site.StoredFileError
		if errors.As(err, &bad) {
			damagedMu.Lock()
			damaged, err = append(damaged, bad), nil
			damagedMu.Unlock()
		}
		return err
	}
	// Written on every core: a file costs a few system calls and little
	// else, and the 20,000 files of 10,000 articles took a third of a
	// first build written one after the other.
	paths := snap.Paths()
	errs := make([]error, len(paths))
	parallel.Each(len(paths), func(i int) {
		errs[i] = write(filepath.FromSlash(site.FileName(paths[i])), snap.Lookup(paths[i]))
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if err := write(site.NotFoundFile, snap.NotFound); err != nil {
		return nil, err
	}
	if len(damaged) > 0 {
		return damaged, nil
	}
	if empty {
		// Nothing there but what this build wrote: nothing to list
		// or remove.
		err = w.recordDirs()
	} else if err = w.removeOthers(); err != nil {
		err = fmt.Errorf("removing old files from the output directory: %w", err)
	}
	if err != nil {
		return nil, err
	}
	if err := writeDocument(dir, buildMarker, []byte("feedpub build output; the next build replaces this directory's contents\n")); err != nil {
		return nil, err
	}
	return nil, w.saveIndex()
}

// writeFiles writes d's body to rel under the output directory, and, if
// gzip, its gzip variant, if any, to rel.gz. A file of the store found
// missing or damaged is a *site.StoredFileError.
func (w *outWriter) writeFiles(rel string, d *site.Document, gzip bool) error {
	if err := w.write(rel, outBody{d.ETag, d.Size(), d.CheckedFile, d.Bytes}); err != nil {
		return err
	}
	gz := d.Gzip()
	if !gzip || gz == nil {
		return nil
	}
	_, size := gz.File()
	return w.write(rel+".gz", outBody{gz.ETag(), size, gz.CheckedFile, gz.Bytes})
}

// removeDamaged removes a file of the store found missing or damaged, so
// that rendering again writes it back.
func removeDamaged(e *env, d *site.StoredFileError) {
	e.logger.Warn("stored page missing or damaged; rendering it again", "file", d.Path, "err", d.Err)
	os.Remove(d.Path)
}

// writeDocument writes body to rel under dir, unless the file there holds
// those bytes already. A file there is replaced, not written through: it
// may be an earlier build's link to a file of the store.
func writeDocument(dir, rel string, body []byte) error {
	path := filepath.Join(dir, rel)
	if sameBytes(path, body) {
		return nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.WriteFile(path, body, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// sameBytes reports whether the regular file at path holds body, reading
// it a piece at a time so that comparing a whole site holds no more of it
// in memory than one piece.
func sameBytes(path string, body []byte) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() || info.Size() != int64(len(body)) {
		return false
	}
	var buf [32 << 10]byte
	for len(body) > 0 {
		n, err := io.ReadFull(f, buf[:min(len(buf), len(body))])
		if err != nil || !bytes.Equal(buf[:n], body[:n]) {
			return false
		}
		body = body[n:]
	}
	return true
}

// prepareOutDir makes sure dir can take the output: it creates it, or
// checks that it is empty or an earlier build's output, and reports
// whether it is empty. It refuses a directory that is not feedpub
// output, whose files would be removed.
func prepareOutDir(dir string) (empty bool, err error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return true, os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		return false, fmt.Errorf("output directory: %w", err)
	}
	if len(entries) == 0 {
		return true, nil
	}
	if _, err := os.Stat(filepath.Join(dir, buildMarker)); err != nil {
		return false, fmt.Errorf("output directory %s is not empty and holds no earlier feedpub build (no %s file): choose an empty or new directory", dir, buildMarker)
	}
	return false, nil
}
