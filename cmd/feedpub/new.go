package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxSlugBytes bounds the slug part of a new file's name, well within the
// 255 bytes file systems allow for a name.
const maxSlugBytes = 100

func newCommand() command {
	var format, tags string
	return command{
		name:     "new",
		summary:  `start a new article, as a draft dated now: feedpub new "Title"`,
		synopsis: `feedpub new "Title" [--format txt|md] [--tags a,b] [--config FILE] [--articles DIR]`,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&format, "format", "txt", "file `format`: txt (the house format) or md (Markdown)")
			fs.StringVar(&tags, "tags", "", "comma-separated `tags`, like go,feeds")
		},
		run: func(_ context.Context, e *env) error {
			if len(e.args) != 1 {
				return usageError(`new needs the article's title, quoted: feedpub new "My first post" [--format txt|md] [--tags a,b]`)
			}
			if format != "txt" && format != "md" {
				return usageError("new --format must be txt or md, not %q", format)
			}
			return runNew(e, e.args[0], format, splitTags(tags), time.Now())
		},
	}
}

// runNew writes a new draft article titled title into the articles
// directory, dated now in the site's time zone, as
// "YYYY-MM-DD-slug.txt" or ".md", and prints its path. It never
// overwrites a file. The article starts as a draft, so a running server
// does not publish it half-written; the writer deletes the Draft line to
// publish it.
func runNew(e *env, title, format string, tags []string, now time.Time) error {
	title = strings.TrimSpace(title)
	if err := checkNewText("title", title); err != nil {
		return err
	}
	for _, tag := range tags {
		if err := checkNewText("tag", tag); err != nil {
			return err
		}
	}
	slug := slugify(title)
	if slug == "" {
		return usageError("the title %q has no letters or digits to name the file after", title)
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	now = now.In(cfg.Site.Location)
	name := now.Format("2006-01-02") + "-" + slug + "." + format
	path := filepath.Join(cfg.Articles.Dir, name)
	content := newTxt(title, tags, now)
	if format == "md" {
		content = newMarkdown(title, tags, now)
	}
	if err := os.MkdirAll(cfg.Articles.Dir, 0o755); err != nil {
		return fmt.Errorf("creating the articles directory: %w", err)
	}
	if err := writeNew(path, content); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, displayPath(path))
	fmt.Fprintln(e.stderr, "feedpub: written as a draft; delete its draft line to publish it")
	return nil
}

// writeNew creates path with content, failing if it exists: O_EXCL makes
// the check and the creation one step, so an existing article is never
// overwritten, even by a command racing this one.
func writeNew(path, content string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s already exists: feedpub new never overwrites an article; edit it, or choose another title", path)
	}
	if err != nil {
		return err
	}
	_, err = f.WriteString(content)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path) // leave no half-written article behind
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// checkNewText rejects a title or tag that a header line could not hold.
func checkNewText(what, s string) error {
	switch {
	case s == "":
		return usageError("the %s is empty", what)
	case !utf8.ValidString(s):
		return usageError("the %s %q is not valid UTF-8", what, s)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return usageError("the %s %q contains a line break or control character", what, s)
	}
	return nil
}

// splitTags splits the --tags value at commas, dropping empty entries.
func splitTags(s string) []string {
	var tags []string
	for field := range strings.SplitSeq(s, ",") {
		if tag := strings.TrimSpace(field); tag != "" {
			tags = append(tags, tag)
		}
	}
	return tags
}

// slugify makes the file name part of a title: lower case, letters (of
// any script), digits and combining marks kept, every run of anything else
// one hyphen, no hyphen at either end, at most maxSlugBytes bytes cut at a
// hyphen where there is one.
func slugify(title string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(title) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.In(r, unicode.Mn, unicode.Mc) {
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
			continue
		}
		hyphen = true
	}
	slug := b.String()
	if len(slug) <= maxSlugBytes {
		return slug
	}
	cut := maxSlugBytes
	for !utf8.RuneStart(slug[cut]) {
		cut--
	}
	if i := strings.LastIndexByte(slug[:cut], '-'); i > 0 {
		cut = i
	}
	return slug[:cut]
}

// newTxt is a new article in the house format.
func newTxt(title string, tags []string, now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Title: %s\nDate: %s\n", title, now.Format("2006-01-02 15:04"))
	if len(tags) > 0 {
		fmt.Fprintf(&b, "Tags: %s\n", strings.Join(tags, ", "))
	}
	b.WriteString("Draft: true\n\n")
	return b.String()
}

// newMarkdown is a new Markdown article with TOML front matter. The date
// is a TOML local date-time, read in the site's time zone.
func newMarkdown(title string, tags []string, now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "+++\ntitle = %s\ndate = %s\n", tomlString(title), now.Format("2006-01-02T15:04:00"))
	if len(tags) > 0 {
		quoted := make([]string, len(tags))
		for i, tag := range tags {
			quoted[i] = tomlString(tag)
		}
		fmt.Fprintf(&b, "tags = [%s]\n", strings.Join(quoted, ", "))
	}
	b.WriteString("draft = true\n+++\n\n")
	return b.String()
}

// tomlString quotes s as a TOML basic string. s holds no control
// characters (checkNewText), so only the quote and the backslash need
// escaping.
func tomlString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
