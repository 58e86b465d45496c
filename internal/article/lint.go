package article

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxTitleRunes is the longest title Lint accepts without a warning. Feed
// readers cut titles far shorter; a longer one is usually a paragraph that
// lost its blank line.
const MaxTitleRunes = 200

// Lint returns the problems in the writing of a parsed article, as
// warnings: things that parse and publish but are probably not what the
// writer meant. Parse reports problems with the file itself; Lint is for
// feedpub check, and the server does not run it.
//
// An article without a date in its headers or its file name gets one
// from when feedpub first saw the file, which differs on every machine
// and checkout, so it is reported. A Word Count more than 10% off the real
// count, a date after now (the article waits until then; drafts excepted),
// an empty body and a title over MaxTitleRunes are reported too.
func Lint(a *Article, now time.Time) []*ParseError {
	var ps []*ParseError
	warn := func(line int, format string, args ...any) {
		ps = append(ps, &ParseError{Path: a.Path, Line: line, Severity: SeverityWarning, Msg: fmt.Sprintf(format, args...)})
	}
	if n := utf8.RuneCountInString(a.Title); n > MaxTitleRunes {
		warn(int(a.lines.title), "title is %d characters long, over %d: shorten it, or check that the first paragraph has not joined it", n, MaxTitleRunes)
	}
	if !a.DateDeclared {
		warn(int(a.lines.date), "no date: the article is dated when feedpub first saw the file, which differs between machines and checkouts; "+
			"add a date (Date: 2024-05-01 or date = 2024-05-01) or start the file name with one")
		ps[len(ps)-1].Err = ErrNoDate
	}
	if !a.Draft && a.Published.After(now) {
		warn(int(a.lines.date), "date %s is in the future: the article will be published then", a.Published.Format(time.RFC3339))
	}
	if d := a.DeclaredWordCount; d >= 0 && wordCountOff(d, a.WordCount) {
		warn(int(a.lines.wordCount), "Word Count says %d but the body has %d words: correct it or delete the line", d, a.WordCount)
	}
	if !a.BodyOnDisk && strings.TrimSpace(a.ContentHTML) == "" {
		warn(0, "no body text: the article will be published with a title only")
	}
	return ps
}

// wordCountOff reports whether a declared word count is more than 10% away
// from the real one.
func wordCountOff(declared, real int) bool {
	diff := declared - real
	if diff < 0 {
		diff = -diff
	}
	return diff*10 > real
}

// CheckSeverity returns the severity feedpub check gives a problem that
// Parse or the library reported. It is the problem's own, except for
// invalid UTF-8: the article is published with U+FFFD in place of the bad
// bytes, so Parse warns, but the text is damaged and a writer's check
// should fail.
func CheckSeverity(p *ParseError) Severity {
	if errors.Is(p, ErrInvalidUTF8) {
		return SeverityError
	}
	return p.Severity
}
