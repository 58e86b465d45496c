package publish

import (
	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/internal/config"
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
	}
}
