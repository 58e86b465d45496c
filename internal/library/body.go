package library

import (
	"fmt"
	"path/filepath"

	"github.com/feedpub/feedpub/internal/article"
)

// Content returns a's body as HTML: a.ContentHTML, or, for an article
// whose body stays on disk (Options.BodiesOnDisk), the body parsed again
// from its file. A file edited since it was read gives its new body (the
// change brings a rebuild that reads it whole); a file gone or no longer
// parsing gives an error naming it.
func (l *Library) Content(a *article.Article) (string, error) {
	if !a.BodyOnDisk {
		return a.ContentHTML, nil
	}
	if l.scanner == nil {
		return "", fmt.Errorf("%s: the body was dropped by a scanner this library does not know", a.Path)
	}
	return l.scanner.content(a)
}

func (s *Scanner) content(a *article.Article) (string, error) {
	f := fileInfo{rel: a.Path, abs: filepath.Join(s.opts.Dir, filepath.FromSlash(a.Path)), size: a.Size}
	data, err := s.readFile(f)
	if err != nil {
		return "", fmt.Errorf("%s: %w", a.Path, err)
	}
	again, _, err := article.Parse(article.Source{Path: a.Path, Data: data, ModTime: a.ModTime}, s.opts.Parse)
	if err != nil {
		return "", err
	}
	return again.ContentHTML, nil
}
