package article

import (
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// parseFunc is the signature every format's parser shares, so Parse can
// dispatch on the extension alone.
type parseFunc func(src Source, opts Options) (*Article, []*ParseError, error)

// formats lists the file types feedpub reads, by lower-case extension.
// It is never modified.
var formats = []struct {
	ext   string
	parse parseFunc
}{
	{".txt", parseTxt},
	{".md", parseMarkdown},
}

// Extensions returns the lower-case file extensions feedpub reads, each with
// its leading dot (".txt"). The caller may modify the returned slice.
func Extensions() []string {
	exts := make([]string, len(formats))
	for i, f := range formats {
		exts[i] = f.ext
	}
	return exts
}

// Parse parses one article file, choosing the parser by the extension of
// src.Path (case-insensitive).
//
// A nil error means the article may be published; the returned warnings
// (Severity warning) describe problems feedpub worked around. A non-nil error
// is always a *ParseError with Severity error, and the *Article is then nil;
// warnings found before the error are still returned. A file whose extension
// feedpub does not read is an error too, though callers walking a directory
// should skip such files with IsArticleFile first.
func Parse(src Source, opts Options) (*Article, []*ParseError, error) {
	ext := strings.ToLower(path.Ext(src.Path))
	for _, f := range formats {
		if f.ext == ext {
			a, warnings, err := f.parse(src, opts)
			if a != nil {
				a.ownStrings()
			}
			return a, warnings, err
		}
	}
	return nil, nil, &ParseError{
		Path:     src.Path,
		Severity: SeverityError,
		Msg: fmt.Sprintf("unsupported file type %q: feedpub reads %s files",
			ext, strings.Join(Extensions(), ", ")),
	}
}

// ParseDroppingBody is Parse followed by Article.DropBody, for a caller
// that keeps articles without their bodies. A plain-text body that
// DropBody would drop is never made into HTML: at 100,000 articles that
// was 320 MB of garbage in a first start (a fresh scan of 10,000 articles
// allocates 167 MB, not 199 MB, and takes about 7 % less time).
func ParseDroppingBody(src Source, opts Options) (*Article, []*ParseError, error) {
	opts.dropBody = true
	a, warnings, err := Parse(src, opts)
	if a != nil {
		a.DropBody()
	}
	return a, warnings, err
}

// ParseHeader is ParseDroppingBody for a caller that needs only what an
// article's header says (title, dates, tags, slug, id, draft): of a
// plain-text file it reads no further than the header block, so the
// article it returns has no body, bio, word count, content key or
// derived summary, and its BodyOnDisk is set. A file that parses whole
// parses here, with the same header fields; the warnings are those of
// the header block. Other formats have no header block of their own
// (a Markdown article's title may be its first heading), so they are
// parsed whole, as ParseDroppingBody does.
func ParseHeader(src Source, opts Options) (*Article, []*ParseError, error) {
	if strings.ToLower(path.Ext(src.Path)) != ".txt" {
		return ParseDroppingBody(src, opts)
	}
	opts.headerOnly = true
	return Parse(src, opts)
}

// IsArticleFile reports whether the file named by p is one feedpub parses:
// its extension is one of Extensions (in any case) and its name is not
// Ignored. Only the last element of p is looked at, so p may be relative or
// absolute, with slashes or the system's separator, and the articles
// directory itself may sit below a hidden directory. Callers walking a tree
// skip ignored directories with Ignored.
func IsArticleFile(p string) bool {
	name := filepath.Base(p)
	return supported(path.Ext(name)) && !Ignored(name)
}

func supported(ext string) bool {
	for _, f := range formats {
		if strings.EqualFold(f.ext, ext) {
			return true
		}
	}
	return false
}

// ignoredSuffixes are the endings of editors' backup, swap and temporary
// files. Editors write these next to the article while it is being saved;
// reading them would publish half-written or stale copies.
var ignoredSuffixes = []string{
	"~",                    // Emacs, nano, many others: backup copies
	".swp", ".swo", ".swx", // vim swap files
	".tmp", ".bak", ".orig", // generic temporaries and backups
	"___jb_tmp___", "___jb_old___", // JetBrains "safe write"
}

// Ignored reports whether a file or directory named name (a single path
// element, not a path) is left out of the library: hidden names (a leading
// dot), editor leftovers (ending in "~", ".swp", ".swo", ".swx", ".tmp",
// ".bak", ".orig", Emacs autosaves "#…#", and "4913", the file vim creates to
// test whether a directory is writable). "." and ".." are path elements, not
// hidden files, and are not ignored, so a walk rooted at "." still works.
// Suffixes are matched case-insensitively.
func Ignored(name string) bool {
	switch {
	case name == "" || name == "." || name == "..":
		return false
	case name[0] == '.':
		return true
	case name == "4913":
		return true
	case len(name) >= 2 && name[0] == '#' && name[len(name)-1] == '#':
		return true
	}
	for _, suffix := range ignoredSuffixes {
		if len(name) >= len(suffix) && strings.EqualFold(name[len(name)-len(suffix):], suffix) {
			return true
		}
	}
	return false
}

// ownStrings gives a its own copy of every string that may be a piece of
// the file's text (the header values, a summary or bio taken from the
// body), so the text itself can be freed once parsed. Without it each
// published article kept its whole file in memory beside its HTML: a
// tenth of a cold start's memory at 100,000 articles. The path is the
// caller's string, not the file's, and is shared as it is.
func (a *Article) ownStrings() {
	for _, s := range []*string{&a.ID, &a.Slug, &a.Title, &a.Author, &a.Bio, &a.Lang, &a.Summary} {
		*s = strings.Clone(*s)
	}
	a.Tags = slices.Clone(a.Tags)
	for i := range a.Tags {
		a.Tags[i] = strings.Clone(a.Tags[i])
	}
	if a.Enclosure != nil {
		e := *a.Enclosure
		e.URL, e.Type = strings.Clone(e.URL), strings.Clone(e.Type)
		a.Enclosure = &e
	}
}
