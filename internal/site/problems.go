package site

import (
	"time"

	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/internal/library"
)

// Problems returns the warnings about articles that Build would report in
// BuildStats.Problems for lib published at now (two spellings of a tag
// sharing one page), without rendering anything: feedpub check needs the
// list, not the site, and rendering thousands of pages would make it slow.
// It adds what only check reports: references a reader would trip over
// (see referenceProblems).
func (b *Builder) Problems(lib *library.Library, now time.Time) []*article.ParseError {
	_, problems := b.groupTags(lib.Published(now))
	return append(problems, b.referenceProblems(lib, now)...)
}
