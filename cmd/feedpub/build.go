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
	"slices"

	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/publish"
	"github.com/feedpub/feedpub/internal/site"
)

// buildMarker marks a directory as feedpub build output, which a later
// build may empty and rewrite. A directory without it is never emptied.
const buildMarker = ".feedpub-build"

func buildCommand() command {
	var out string
	return command{
		name:        "build",
		baseURLFlag: true,
		summary:     "write the site to a directory, as it is served: feedpub build --out DIR",
		synopsis:    "feedpub build --out DIR [--base-url URL] [--config FILE] [--articles DIR]",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&out, "out", "", "output `directory` (required)")
		},
		run: func(ctx context.Context, e *env) error {
			if out == "" {
				return usageError("build needs --out DIR: the directory to write the site to")
			}
			return runBuild(e, out)
		},
	}
}

func runBuild(e *env, out string) error {
	_, snap, res, err := renderOnce(e)
	if err != nil {
		return err
	}
	if err := writeSnapshot(snap, out); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %d documents for %d articles to %s (%d article errors)\n",
		snap.Len()+1, res.Articles, out, res.Errors)
	return nil
}

// renderOnce loads the config and renders the site once, gzip variants
// included: the snapshot that build writes and deploy uploads, so both
// hold the same bytes.
func renderOnce(e *env) (config.Config, *site.Snapshot, publish.Result, error) {
	cfg, err := e.loadConfig()
	if err != nil {
		return cfg, nil, publish.Result{}, err
	}
	p, err := publish.New(cfg, publish.Options{Logger: e.logger})
	if err != nil {
		return cfg, nil, publish.Result{}, err
	}
	res, err := p.Rebuild()
	if err != nil {
		return cfg, nil, res, err
	}
	p.Wait() // the gzip variants and the state file
	return cfg, p.Snapshot(), res, nil
}

// writeSnapshot writes every document of snap under dir, as a static host
// would serve it: "/" as index.html, "/articles/x/" as
// articles/x/index.html, the 404 page as 404.html. A document with a gzip
// variant also gets FILE.gz holding the very bytes feedpub serves
// compressed, for static servers that send precompressed files (nginx's
// gzip_static, Caddy's precompressed). Over an earlier build's output it
// writes only the files whose bytes changed and removes those no document
// has (the pages of deleted articles): a rerun over 10,000 unchanged
// articles emptied and wrote again some 175 MB.
func writeSnapshot(snap *site.Snapshot, dir string) error {
	if err := prepareOutDir(dir); err != nil {
		return err
	}
	written := map[string]bool{buildMarker: true}
	for _, p := range snap.Paths() {
		if err := writeFiles(dir, filepath.FromSlash(site.FileName(p)), snap.Lookup(p), written); err != nil {
			return err
		}
	}
	if err := writeFiles(dir, site.NotFoundFile, snap.NotFound, written); err != nil {
		return err
	}
	if err := removeOthers(dir, written); err != nil {
		return err
	}
	return writeDocument(dir, buildMarker, []byte("feedpub build output; the next build replaces this directory's contents\n"))
}

// writeFiles writes d's body to rel under dir, and its gzip variant, if
// any, to rel.gz, adding what it wrote to written.
func writeFiles(dir, rel string, d *site.Document, written map[string]bool) error {
	written[rel] = true
	body, err := d.Bytes()
	if err != nil {
		return err
	}
	if err := writeDocument(dir, rel, body); err != nil {
		return err
	}
	if d.Gzip() == nil {
		return nil
	}
	written[rel+".gz"] = true
	// Its bytes were compressed, or read and checked, by this process.
	gz, err := d.Gzip().Bytes()
	if err != nil {
		return err
	}
	return writeDocument(dir, rel+".gz", gz)
}

// writeDocument writes body to rel under dir, unless the file there holds
// those bytes already.
func writeDocument(dir, rel string, body []byte) error {
	path := filepath.Join(dir, rel)
	if sameBytes(path, body) {
		return nil
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

// removeOthers removes from dir every file whose path under it is not in
// keep, and the directories that leaves empty.
func removeOthers(dir string, keep map[string]bool) error {
	var dirs []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if rel != "." {
				dirs = append(dirs, path)
			}
		case !keep[rel]:
			return os.Remove(path)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("removing old files from the output directory: %w", err)
	}
	// Deepest first; a directory that still has files stays.
	for _, d := range slices.Backward(dirs) {
		if entries, err := os.ReadDir(d); err == nil && len(entries) == 0 {
			if err := os.Remove(d); err != nil {
				return fmt.Errorf("removing old files from the output directory: %w", err)
			}
		}
	}
	return nil
}

// prepareOutDir makes sure dir can take the output: it creates it, or
// checks that it is empty or an earlier build's output. It refuses a
// directory that is not feedpub output, whose files would be removed.
func prepareOutDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	if len(entries) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, buildMarker)); err != nil {
		return fmt.Errorf("output directory %s is not empty and holds no earlier feedpub build (no %s file): choose an empty or new directory", dir, buildMarker)
	}
	return nil
}
