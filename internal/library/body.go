package library

import (
	"fmt"

	"github.com/feedpub/feedpub/internal/article"
)

// Content returns a's body as HTML: a.ContentHTML, or, for an article
// whose body stays on disk (Options.BodiesOnDisk), the body parsed again
// from its file. A file edited since it was read gives its new body (the
// change brings a rebuild that reads it whole); a file gone or no longer
// parsing gives an error naming it.
func (l *Library) Content(a *article.Article) (string, error) {
	html, _, err := l.ContentAsRead(a)
	return html, err
}

// ContentAsRead is Content that also reports whether the body is the
// one a was read with (its ContentKey): not for a file edited since, whose
// new body it gives. A page rendered from such a body is right until the
// rebuild the edit brings, but must not be kept as the page of a.
func (l *Library) ContentAsRead(a *article.Article) (html string, asRead bool, err error) {
	if !a.BodyOnDisk {
		return a.ContentHTML, true, nil
	}
	if l.scanner == nil {
		return "", false, fmt.Errorf("%s: the body was dropped by a scanner this library does not know", a.Path)
	}
	again, err := l.scanner.content(a)
	if err != nil {
		return "", false, err
	}
	return again.ContentHTML, again.ContentKey == a.ContentKey, nil
}

// content parses a's file again.
func (s *Scanner) content(a *article.Article) (*article.Article, error) {
	f := fileInfo{rel: a.Path, fileStat: fileStat{size: a.Size}}
	buf := fileBuffers.Get().(*[]byte)
	defer putFileBuffer(buf)
	data, err := s.readFile(f, buf)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", a.Path, err)
	}
	again, _, err := article.Parse(article.Source{Path: a.Path, Data: data, ModTime: a.ModTime}, s.opts.Parse)
	if err != nil {
		return nil, err
	}
	return again, nil
}
