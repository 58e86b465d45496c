// Package article defines an article and parses article files: the .txt house
// format (txt.go) and Markdown (markdown.go), dispatched on extension by Parse.
package article

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Status is where an article stands at a given moment.
type Status int

const (
	// Published articles appear in feeds and pages.
	Published Status = iota
	// Scheduled articles have a publication date in the future; they are
	// published when that moment comes.
	Scheduled
	// Draft articles (Draft: true) are never published.
	Draft
)

// String returns the lower-case name of the status.
func (s Status) String() string {
	switch s {
	case Published:
		return "published"
	case Scheduled:
		return "scheduled"
	case Draft:
		return "draft"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Article is one parsed article file. Its fields are set once by Parse and by
// the library (ID, Published when no date is declared) and are not modified
// afterwards: an *Article is shared by every snapshot that contains it.
type Article struct {
	// Path is the file's path relative to the articles directory, with
	// forward slashes ("2024/hello.txt").
	Path string
	// ID is the article's stable identity. Parse sets it from an ID header
	// (and sets ExplicitID); otherwise it is empty and the library assigns
	// the remembered id for the path.
	ID string
	// Slug is the URL path segment of the article page. Parse sets it from
	// a Slug header; otherwise it is empty and the library uses the ID.
	Slug string

	Title  string
	Author string // Author header; empty means the site author
	// Bio is the author's bio: a last paragraph wrapped entirely in quotes,
	// with the quotes removed. Plain text.
	Bio  string
	Tags []string
	Lang string
	// Enclosure is the media file the Enclosure header attaches, or nil.
	Enclosure *Enclosure

	// Summary is plain text: the Summary header, else the first paragraph
	// cut at a word boundary near 300 characters.
	Summary string
	// ContentHTML is the body as HTML, safe to embed: plain text escaped,
	// Markdown rendered. The bio is not part of it. It is empty when
	// BodyOnDisk is set.
	ContentHTML string

	// WordCount is the real number of words in the body (bio excluded).
	WordCount int
	// DeclaredWordCount is the Word Count header, or -1 when absent.
	DeclaredWordCount int

	// Published is the publication time in UTC: the Date header, else the
	// date prefix of the file name. Zero when neither exists; the library
	// then fills in when it first saw the file, else the modification time.
	Published time.Time
	// Updated is the Updated header, else the modification time, in UTC;
	// never earlier than Published.
	Updated time.Time

	// ModTime and Size are the file's, as read.
	ModTime time.Time
	Size    int64
	// ContentKey identifies the article's title and body (a hash), so a file
	// that moves to another path is recognised as the same article.
	ContentKey string

	// The flags come together, and the lines Lint needs are all it
	// keeps, in 32 bits: a site keeps 100,000 of these in memory, and
	// this way each takes 320 bytes, not 416.

	// ExplicitID reports that ID came from an ID header.
	ExplicitID bool
	// BodyOnDisk reports that the library dropped ContentHTML after
	// parsing (DropBody) and reads it again from the file when a page or
	// feed needs it: a site holds only the headers of its articles in
	// memory, and only pages and feeds being rendered hold bodies.
	BodyOnDisk bool
	// DateDeclared reports whether Published came from the file itself
	// (header or file name).
	DateDeclared bool
	// UpdatedDeclared reports whether Updated came from an Updated header.
	UpdatedDeclared bool
	Draft           bool

	// lines holds the file lines of the fields Lint points at (0 when
	// absent).
	lines lintLines
}

// lintLines are the file lines of the fields Lint may report on.
type lintLines struct{ title, date, wordCount int32 }

// lintLinesOf keeps the lines Lint needs of a parser's header lines.
func lintLinesOf(seen *[numKeys]int) lintLines {
	line := func(k headerKey) int32 { return int32(min(seen[k], math.MaxInt32)) }
	return lintLines{title: line(keyTitle), date: line(keyDate), wordCount: line(keyWordCount)}
}

// Status reports whether the article is a draft, scheduled for after now, or
// published at now.
func (a *Article) Status(now time.Time) Status {
	switch {
	case a.Draft:
		return Draft
	case a.Published.After(now):
		return Scheduled
	default:
		return Published
	}
}

// Severity tells an error, which keeps an article from being published, from
// a warning, which does not.
type Severity int

const (
	SeverityError Severity = iota
	SeverityWarning
)

// String returns "error" or "warning".
func (s Severity) String() string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// ParseError is a problem found in an article file. Line is 1-based; 0 means
// the problem concerns the whole file.
type ParseError struct {
	Path     string
	Line     int
	Severity Severity
	Msg      string
	// Err, when set, classifies the problem for callers that treat some
	// kinds specially (errors.Is(pe, ErrInvalidUTF8)); Msg says it all
	// for people.
	Err error
}

// ErrInvalidUTF8 classifies the warning that a file is not valid UTF-8.
// The article is published with U+FFFD in place of the bad bytes, but
// feedpub check counts it as an error: the text is damaged.
var ErrInvalidUTF8 = errors.New("invalid UTF-8")

// ErrNoDate classifies Lint's warning that an article declares no date,
// so a caller that dates such articles otherwise ([articles] undated)
// can say so instead.
var ErrNoDate = errors.New("no date")

// Unwrap returns e.Err.
func (e *ParseError) Unwrap() error { return e.Err }

// Error returns "path:line: msg", or "path: msg" when Line is 0.
func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// Report returns the line feedpub check prints:
// "path:line: error|warning: msg".
func (e *ParseError) Report() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s: %s", e.Path, e.Line, e.Severity, e.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", e.Path, e.Severity, e.Msg)
}

// Source is one article file as read from disk.
type Source struct {
	// Path is relative to the articles directory, with forward slashes.
	Path string
	// Data is the file's content. Parsing keeps nothing of it: the
	// caller may read the next file into it once the parse returns.
	Data    []byte
	ModTime time.Time
}

// Options are the site-wide settings that parsing depends on.
type Options struct {
	// Location is the time zone of dates written without an offset.
	// Nil means UTC.
	Location *time.Location
	// UnsafeHTML keeps raw HTML written in Markdown articles, sanitised;
	// false leaves it out.
	UnsafeHTML bool

	// dropBody is set by ParseDroppingBody, headerOnly by ParseHeader.
	dropBody, headerOnly bool
}

// DropBody drops the article's body from memory, to be parsed again from
// its file when needed, and reports whether it did. Only a body with no
// reference to rewrite (HasReferences) is dropped: links between articles
// are resolved against the whole library at every build, and reading
// every such file again each time would cost more than keeping them.
// Call it before the article is shared.
func (a *Article) DropBody() bool {
	if a.ContentHTML == "" || HasReferences(a.ContentHTML) {
		return false
	}
	a.ContentHTML, a.BodyOnDisk = "", true
	return true
}

// HasReferences reports whether body HTML may hold a reference (href or
// src) that the site resolves against the other articles and media. It
// errs towards yes: a text that mentions "href=" counts. It looks only at
// the equals signs, which prose seldom has: searching for "href=" and
// "src=" stopped at every h and s, some 2 µs of each article's 27 µs
// parse.
func HasReferences(html string) bool {
	for i := 0; ; i++ { // i++ steps over the equals sign just looked at
		j := strings.IndexByte(html[i:], '=')
		if j < 0 {
			return false
		}
		i += j
		if strings.HasSuffix(html[:i], "href") || strings.HasSuffix(html[:i], "src") {
			return true
		}
	}
}
