package publish

import (
	"fmt"

	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/gitdates"
	"github.com/feedpub/feedpub/internal/library"
)

// LibraryOptions returns the scanner settings that cfg determines: the
// articles directory, the size limits and how articles are parsed. The
// caller adds the state, logger and clock. Publisher uses it, and so do
// commands that scan without publishing (feedpub check), so both read the
// articles the same way.
func LibraryOptions(cfg config.Config) library.Options {
	return library.Options{
		Dir: cfg.Articles.Dir,
		Parse: article.Options{
			Location:   cfg.Site.Location,
			UnsafeHTML: cfg.Markdown.UnsafeHTML,
		},
		MaxBytes:      cfg.Articles.MaxBytes,
		MediaMaxBytes: cfg.Media.MaxBytes,
		Undated:       library.Undated(cfg.Articles.Undated),
		BodiesOnDisk:  true,
	}
}

// OpenHistory reads the git history that dates articles when cfg says
// [articles] undated = "git", and returns nil otherwise. The articles
// directory must then be inside a git work tree.
func OpenHistory(cfg config.Config) (*gitdates.History, error) {
	if cfg.Articles.Undated != string(library.UndatedGit) {
		return nil, nil
	}
	h, err := gitdates.Open(cfg.Articles.Dir)
	if err != nil {
		return nil, fmt.Errorf(`[articles] undated = "git" needs the articles directory in a git repository, with its history: %w`, err)
	}
	return h, nil
}
