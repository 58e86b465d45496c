package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

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
// gzip_static, Caddy's precompressed).
func writeSnapshot(snap *site.Snapshot, dir string) error {
	if err := prepareOutDir(dir); err != nil {
		return err
	}
	for _, p := range snap.Paths() {
		if err := writeFiles(dir, filepath.FromSlash(site.FileName(p)), snap.Lookup(p)); err != nil {
			return err
		}
	}
	if err := writeFiles(dir, site.NotFoundFile, snap.NotFound); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, buildMarker), []byte("feedpub build output; the next build replaces this directory's contents\n"), 0o644)
}

// writeFiles writes d's body to rel under dir, and its gzip variant, if
// any, to rel.gz.
func writeFiles(dir, rel string, d *site.Document) error {
	if err := writeDocument(dir, rel, d.Body); err != nil {
		return err
	}
	if d.Gzip() == nil {
		return nil
	}
	return writeDocument(dir, rel+".gz", d.Gzip().Body)
}

func writeDocument(dir, rel string, body []byte) error {
	path := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.WriteFile(path, body, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// prepareOutDir makes dir empty: it creates it, or empties an earlier
// build's output, so files of deleted articles do not linger. It refuses to
// empty a directory that is not feedpub output.
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
	for _, en := range entries {
		if err := os.RemoveAll(filepath.Join(dir, en.Name())); err != nil {
			return fmt.Errorf("emptying output directory: %w", err)
		}
	}
	return nil
}
