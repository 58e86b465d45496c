// Package library turns an articles directory into a Library: an immutable,
// sorted set of parsed articles plus the problems found on the way.
//
// A Scanner keeps what it read last time, so a rescan re-reads only the files
// whose size, modification time or inode changed, and a file that stops
// parsing keeps its last good version published.
package library

import (
	"cmp"
	"slices"
	"time"

	"github.com/feedpub/feedpub/internal/article"
)

// Library is one consistent view of the articles directory. It is never
// modified after Scan returns it, so any number of goroutines may read it.
type Library struct {
	// Articles holds every article that parsed (or whose last good version
	// is kept), drafts and scheduled ones included, newest first; ties are
	// broken by ID so the order is deterministic.
	Articles []*article.Article
	// Media holds the media files beside the articles (images, audio,
	// video, PDF; see IsMediaFile) that are served, sorted by path.
	Media []*Media
	// Problems holds the errors and warnings of the current files, sorted
	// by path and line.
	Problems []*article.ParseError

	// scanner reads again the bodies it dropped (Content).
	scanner *Scanner
	// visible are the articles of Articles that are not drafts, and
	// inMemory those whose body is in memory, in the same order, if
	// derived (a Library a scanner made): Published, NextScheduled and
	// BodiesInMemory then need not look at every article, which at
	// 100,000 articles took some 20 ms each, out of the CPU cache.
	visible, inMemory []*article.Article
	derived           bool
}

// BodiesInMemory returns the articles of Articles whose body is in memory
// (not BodyOnDisk), newest first, and true; or false when the library does
// not know them without looking at every article. The caller must not
// modify the slice.
func (l *Library) BodiesInMemory() ([]*article.Article, bool) {
	return l.inMemory, l.derived
}

// Published returns the articles published at now, newest first. The
// caller must not modify the slice: it may be a part of Articles.
func (l *Library) Published(now time.Time) []*article.Article {
	if l.derived {
		// The scheduled articles are the newest ones, before the
		// first published.
		return slices.Clip(l.visible[firstPublished(l.visible, now):])
	}
	out := make([]*article.Article, 0, len(l.Articles))
	for _, a := range l.Articles {
		if a.Status(now) == article.Published {
			out = append(out, a)
		}
	}
	return out
}

// NextScheduled returns the earliest publication time after now of a
// scheduled article, or the zero time if none is scheduled.
func (l *Library) NextScheduled(now time.Time) time.Time {
	if l.derived {
		// The last of the newest, before the first published.
		if i := firstPublished(l.visible, now); i > 0 {
			return l.visible[i-1].Published
		}
		return time.Time{}
	}
	var next time.Time
	for _, a := range l.Articles {
		if a.Status(now) == article.Scheduled && (next.IsZero() || a.Published.Before(next)) {
			next = a.Published
		}
	}
	return next
}

// firstPublished returns the index of the first article of as (newest
// first) whose publication time is not after now.
func firstPublished(as []*article.Article, now time.Time) int {
	i, _ := slices.BinarySearchFunc(as, now, func(a *article.Article, now time.Time) int {
		if a.Published.After(now) {
			return -1
		}
		return 1
	})
	return i
}

// Errors returns the number of problems of error severity.
func (l *Library) Errors() int {
	n := 0
	for _, p := range l.Problems {
		if p.Severity == article.SeverityError {
			n++
		}
	}
	return n
}

func sortProblems(ps []*article.ParseError) {
	slices.SortFunc(ps, func(a, b *article.ParseError) int {
		if c := cmp.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Line, b.Line); c != 0 {
			return c
		}
		return cmp.Compare(a.Msg, b.Msg)
	})
}
