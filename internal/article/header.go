package article

import (
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// headerKey is one of the keys the header block of a .txt file may hold.
type headerKey int

const (
	keyTitle headerKey = iota
	keyWordCount
	keyDate
	keyUpdated
	keyAuthor
	keyTags
	keySummary
	keySlug
	keyID
	keyDraft
	keyLang
	keyEnclosure
	numKeys
)

// headerNames are the keys as the format documents them; matching ignores
// case.
var headerNames = [numKeys]string{
	keyTitle:     "Title",
	keyWordCount: "Word Count",
	keyDate:      "Date",
	keyUpdated:   "Updated",
	keyAuthor:    "Author",
	keyTags:      "Tags",
	keySummary:   "Summary",
	keySlug:      "Slug",
	keyID:        "ID",
	keyDraft:     "Draft",
	keyLang:      "Lang",
	keyEnclosure: "Enclosure",
}

func (k headerKey) String() string { return headerNames[k] }

// splitHeader splits a header line "Key: value". It reports false when the
// part before the first colon is not a known key: such a line begins the
// body, so body text like "Note: …" is never mistaken for a header.
func splitHeader(line string) (headerKey, string, bool) {
	name, value, ok := strings.Cut(line, ":")
	if !ok {
		return 0, "", false
	}
	name = strings.TrimSpace(name)
	for k, known := range headerNames {
		if strings.EqualFold(name, known) {
			return headerKey(k), strings.TrimSpace(value), true
		}
	}
	return 0, "", false
}

// parseHeader reads the header block, which starts at lines[start], into a.
// The block ends at a blank line (not part of the body) or at the first line
// that is not a known header (the first line of the body). It returns the
// index of the first body line.
func (p *txtParser) parseHeader(a *Article, lines []string, start int) (int, *ParseError) {
	body := len(lines)
	for i := start; i < len(lines); i++ {
		if isBlank(lines[i]) {
			body = i + 1
			break
		}
		k, value, ok := splitHeader(lines[i])
		if !ok {
			body = i
			break
		}
		if err := p.setHeader(a, k, value, i+1); err != nil {
			return 0, err
		}
	}
	if p.seen[keyTitle] == 0 {
		return 0, p.errorf(0, `missing Title header: add a first line "Title: …"`)
	}
	return body, nil
}

// setHeader validates one header found on line and stores its value in a.
func (p *txtParser) setHeader(a *Article, k headerKey, value string, line int) *ParseError {
	if first := p.seen[k]; first != 0 {
		return p.errorf(line, "%s header repeated (first on line %d): keep only one of the two lines", k, first)
	}
	p.seen[k] = line
	var err error
	switch k {
	case keyTitle:
		a.Title = value
		if value == "" {
			err = errors.New(`missing Title header: the Title line is empty; write the article's title after "Title:"`)
		}
	case keyWordCount:
		a.DeclaredWordCount, err = parseWordCount(value)
	case keyDate:
		a.Published, err = p.parseDate(k, value)
		a.DateDeclared = true
	case keyUpdated:
		a.Updated, err = p.parseDate(k, value)
	case keyAuthor:
		a.Author = value
	case keyTags:
		a.Tags = parseTags(value)
	case keySummary:
		a.Summary = value
	case keySlug:
		a.Slug, err = value, checkSlug(value)
	case keyID:
		a.ID, a.ExplicitID, err = value, true, checkID(value)
	case keyDraft:
		a.Draft, err = parseDraft(value)
	case keyLang:
		a.Lang = value
	case keyEnclosure:
		// A bad enclosure costs the article its attachment, not its
		// publication: the text is still worth reading.
		if a.Enclosure, err = parseEnclosure(value); err != nil {
			p.warnf(line, "%s; the article is published without it", err)
			err = nil
		}
	}
	if err != nil {
		return p.errorf(line, "%s", err)
	}
	return nil
}

func parseWordCount(value string) (int, error) {
	n, err := strconv.Atoi(value)
	if err != nil || n < 0 {
		return -1, fmt.Errorf(`bad Word Count %q: write a whole number such as "Word Count: 350", or delete the line`, value)
	}
	return n, nil
}

func parseDraft(value string) (bool, error) {
	switch {
	case strings.EqualFold(value, "true"), strings.EqualFold(value, "yes"):
		return true, nil
	case strings.EqualFold(value, "false"), strings.EqualFold(value, "no"):
		return false, nil
	}
	return false, fmt.Errorf(`bad Draft %q: write "Draft: true" or "Draft: false"`, value)
}

// parseTags splits a comma-separated list, dropping empty entries and
// entries that repeat an earlier one in another case; the first spelling and
// the writer's order are kept.
func parseTags(value string) []string {
	var tags []string
	seen := make(map[string]bool)
	for field := range strings.SplitSeq(value, ",") {
		tag := strings.TrimSpace(field)
		folded := strings.ToLower(tag)
		if tag == "" || seen[folded] {
			continue
		}
		seen[folded] = true
		tags = append(tags, tag)
	}
	return tags
}

// checkSlug rejects slugs that cannot be a single URL path segment and a
// directory name in the built site: "/" and "\" would add path levels, "?"
// and "#" would end the path, "%" would read as an escape, white space and
// control characters would need escaping, and a leading dot would make the
// page a hidden file. Letters of any script are fine.
func checkSlug(slug string) error {
	if slug == "" {
		return errors.New(`empty Slug: write the article's URL name after "Slug:" (for example "Slug: my-first-post"), or delete the line`)
	}
	if slug[0] == '.' {
		return fmt.Errorf("bad Slug %q: it must not start with a dot; remove the dot", slug)
	}
	if i := strings.IndexFunc(slug, unsafeInSlug); i >= 0 {
		r, _ := utf8.DecodeRuneInString(slug[i:])
		return fmt.Errorf("bad Slug %q: %q cannot appear in a URL path segment; use letters, digits and hyphens", slug, r)
	}
	return nil
}

func unsafeInSlug(r rune) bool {
	return strings.ContainsRune(`/\?#%`, r) || spaceOrControl(r)
}

func spaceOrControl(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsControl(r)
}

// checkID rejects ids that cannot be part of a feed entry's tag URI
// (RFC 4151) without escaping.
func checkID(id string) error {
	if id == "" {
		return errors.New(`empty ID: write a permanent id after "ID:", or delete the line to let feedpub assign one`)
	}
	if i := strings.IndexFunc(id, spaceOrControl); i >= 0 {
		r, _ := utf8.DecodeRuneInString(id[i:])
		return fmt.Errorf("bad ID %q: it contains %q; ids cannot contain spaces or control characters", id, r)
	}
	return nil
}

// dateLayouts are the forms besides RFC 3339 a date may take; they carry no
// offset and are read in the site's time zone.
var dateLayouts = []string{
	"2006-01-02",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05",
}

// parseDate reads the value of the date header k, returning it in UTC.
func (p *txtParser) parseDate(k headerKey, value string) (time.Time, error) {
	// RFC 3339 §5.6 allows a lower-case "t" and "z" and, in its note, a
	// space in place of the "T"; time.RFC3339 accepts neither.
	upper := strings.ToUpper(value)
	for _, layout := range []string{time.RFC3339, "2006-01-02 15:04:05Z07:00"} {
		if t, err := time.Parse(layout, upper); err == nil {
			return t.UTC(), nil
		}
	}
	for _, layout := range dateLayouts {
		if t, err := time.ParseInLocation(layout, upper, p.loc); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("bad %s %q: write RFC 3339 (2024-05-01T09:30:00+02:00), "+
		"2024-05-01, or 2024-05-01 09:30 (in the site's time zone)", k, value)
}

// resolveDates falls back, for dates the headers did not give, to the date
// the file name starts with and to the modification time, and keeps Updated
// from preceding Published: feed readers sort and flag items by these.
func (p *txtParser) resolveDates(a *Article) {
	if !a.DateDeclared {
		a.Published, a.DateDeclared = p.dateFromName()
	}
	a.UpdatedDeclared = p.seen[keyUpdated] != 0
	if !a.UpdatedDeclared {
		a.Updated = a.ModTime
	}
	if !a.Updated.Before(a.Published) {
		return
	}
	if line := p.seen[keyUpdated]; line != 0 {
		p.warnf(line, "Updated is earlier than the publication date: using the publication date; correct the Updated line")
	}
	a.Updated = a.Published
}

// dateFromName returns the date a file name starts with, as in
// "2024-05-01-hello.txt", at midnight in the site's time zone.
func (p *txtParser) dateFromName() (time.Time, bool) {
	name := path.Base(p.src.Path)
	if !hasDatePrefix(name) {
		return time.Time{}, false
	}
	t, err := time.ParseInLocation("2006-01-02", name[:10], p.loc)
	if err != nil {
		p.warnf(0, "file name starts with %q, which is not a date: it is not used as the publication date; rename the file or add a \"Date:\" header", name[:10])
		return time.Time{}, false
	}
	return t.UTC(), true
}

// hasDatePrefix reports whether name starts with the shape "YYYY-MM-DD"
// followed by the end of the name or a separator.
func hasDatePrefix(name string) bool {
	if len(name) < 10 {
		return false
	}
	for i := range 10 {
		c := name[i]
		if i == 4 || i == 7 {
			if c != '-' {
				return false
			}
		} else if c < '0' || c > '9' {
			return false
		}
	}
	return len(name) == 10 || strings.IndexByte("-_. ", name[10]) >= 0
}
