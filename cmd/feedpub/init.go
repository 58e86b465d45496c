package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// skeleton holds the files init writes: the sample config.toml (kept equal
// to the repository's by a test), a welcome article and a .gitignore.
//
//go:embed skeleton
var skeleton embed.FS

func initCommand() command {
	return command{
		name:         "init",
		summary:      "start a new site in DIR (default: here): config.toml, articles/ and a welcome article",
		synopsis:     "feedpub init [DIR]",
		ownFlagsOnly: true,
		run: func(_ context.Context, e *env) error {
			if len(e.args) > 1 {
				return usageError("init takes at most one directory: feedpub init [DIR]")
			}
			dir := "."
			if len(e.args) == 1 {
				dir = e.args[0]
			}
			return runInit(e, dir, time.Now())
		},
	}
}

// runInit lays out a new site in dir. It refuses, changing nothing, when
// dir already holds a config.toml or an articles directory, so it never
// touches a writer's work. A .gitignore is written only where none exists.
func runInit(e *env, dir string, now time.Time) error {
	for _, name := range []string{"config.toml", "articles"} {
		path := filepath.Join(dir, name)
		if _, err := os.Lstat(path); err == nil {
			return fmt.Errorf("%s already exists: init starts a new site and changes nothing here; edit it, or give init an empty or new directory", path)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("checking %s: %w", path, err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "articles"), 0o755); err != nil {
		return fmt.Errorf("creating the site: %w", err)
	}
	files := []struct{ from, to string }{
		{"config.toml", "config.toml"},
		{"welcome.txt", filepath.Join("articles", now.UTC().Format("2006-01-02")+"-welcome.txt")},
		{"gitignore", ".gitignore"},
	}
	if _, err := os.Lstat(filepath.Join(dir, ".gitignore")); err == nil {
		files = files[:2] // the writer's own stays
	}
	for _, f := range files {
		data, err := skeleton.ReadFile("skeleton/" + f.from)
		if err != nil {
			return err
		}
		if err := writeNew(filepath.Join(dir, f.to), string(data)); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "created a feedpub site in %s: config.toml, articles/ and a welcome article\n", dir)
	if dir == "." {
		fmt.Fprintln(e.stdout, "serve it with: feedpub   (then open http://127.0.0.1:8080/)")
	} else {
		fmt.Fprintf(e.stdout, "serve it with: cd %s && feedpub   (then open http://127.0.0.1:8080/)\n", dir)
	}
	return nil
}
