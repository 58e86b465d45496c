package article

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// frontMatterFence opens and closes the TOML front matter of a Markdown
// file, as Hugo and Zola write it.
const frontMatterFence = "+++"

// frontMatter is the TOML block at the top of a Markdown file.
type frontMatter struct {
	text string
	// first is the file line (1-based) of the front matter's first line,
	// the one after the opening fence.
	first int
}

// splitFrontMatter separates the front matter from the body. A file has
// front matter when its first line is "+++"; the block ends at the next
// "+++" line. It returns the front matter (empty text when there is none),
// the body and the file line the body starts on.
func (p *txtParser) splitFrontMatter(lines []string) (frontMatter, []string, int, *ParseError) {
	if len(lines) == 0 || strings.TrimRight(lines[0], " \t") != frontMatterFence {
		return frontMatter{}, lines, 1, nil
	}
	for i := 1; i < len(lines); i++ {
		if strings.TrimRight(lines[i], " \t") == frontMatterFence {
			fm := frontMatter{text: strings.Join(lines[1:i], "\n"), first: 2}
			return fm, lines[i+1:], i + 2, nil
		}
	}
	return frontMatter{}, nil, 0, p.errorf(1, `front matter opened with "+++" is never closed: add a "+++" line after the last key`)
}

// frontMatterName is the front matter key of a header: its name in lower
// case, spaces written as underscores ("Word Count" → "word_count").
func frontMatterName(k headerKey) string {
	return strings.ReplaceAll(strings.ToLower(k.String()), " ", "_")
}

// frontMatterKey returns the header a front matter key stands for.
func frontMatterKey(name string) (headerKey, bool) {
	for k := range numKeys {
		if frontMatterName(k) == name {
			return k, true
		}
	}
	return 0, false
}

// knownFrontMatterKeys lists the keys front matter may hold, for messages.
func knownFrontMatterKeys() string {
	names := make([]string, numKeys)
	for k := range numKeys {
		names[k] = frontMatterName(k)
	}
	return strings.Join(names, ", ")
}

// applyFrontMatter decodes the TOML front matter into a. Each key is the
// .txt header of the same name and its value goes through setHeader, so
// both formats accept, reject and normalise the same values: TOML strings,
// booleans, integers and dates are turned into the text a header would
// hold, and the tags array into a comma-separated list.
func (p *txtParser) applyFrontMatter(a *Article, fm frontMatter) *ParseError {
	var raw map[string]any
	meta, err := toml.Decode(fm.text, &raw)
	if err != nil {
		return p.tomlError(fm, err)
	}
	lines := frontMatterLines(fm.text)
	for _, key := range meta.Keys() {
		if len(key) != 1 {
			continue // inside a table, which is reported by its name
		}
		name := key[0]
		line := fm.first
		if n, ok := lines[name]; ok {
			line = fm.first + n - 1
		}
		k, ok := frontMatterKey(name)
		if !ok {
			return p.errorf(line, "unknown front matter key %q: feedpub reads %s", name, knownFrontMatterKeys())
		}
		value, err := headerText(k, raw[name])
		if err != nil {
			return p.errorf(line, "%s: %s", name, err)
		}
		if k == keyTitle && value == "" {
			return p.errorf(line, `empty title: write the article's title, like title = "My first post"`)
		}
		if err := p.setHeader(a, k, value, line); err != nil {
			return err
		}
	}
	return nil
}

// tomlError turns a TOML syntax error into a ParseError on the file line
// it concerns.
func (p *txtParser) tomlError(fm frontMatter, err error) *ParseError {
	var perr toml.ParseError
	if errors.As(err, &perr) {
		line := 0
		if perr.Position.Line > 0 {
			line = fm.first + perr.Position.Line - 1
		}
		return p.errorf(line, "bad front matter: %s", perr.Message)
	}
	return p.errorf(fm.first, "bad front matter: %v", err)
}

// headerText returns a decoded TOML value as the text of header k.
func headerText(k headerKey, v any) (string, error) {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v), nil
	case bool:
		return strconv.FormatBool(v), nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case time.Time:
		return dateText(v)
	case []any:
		if k == keyTags {
			return tagsText(v)
		}
		return "", errors.New("must be a single value, not an array")
	case map[string]any:
		return "", errors.New("must be a single value, not a table")
	}
	return "", fmt.Errorf("must be a string, not %T", v)
}

// dateText writes a TOML date or date-time the way a header would. TOML
// dates without an offset come back in zones the toml package names
// "date-local" and "datetime-local"; their wall clock is what the writer
// wrote, which the site's time zone then places.
func dateText(t time.Time) (string, error) {
	switch t.Location().String() {
	case "date-local":
		return t.Format("2006-01-02"), nil
	case "datetime-local":
		return t.Format("2006-01-02T15:04:05.999999999"), nil
	case "time-local":
		return "", errors.New("a time of day needs a date: write 2024-05-01T09:30:00 or 2024-05-01")
	}
	return t.Format(time.RFC3339Nano), nil
}

// tagsText joins a TOML array of strings with commas, as a Tags header
// holds them. A comma inside a tag is refused: the house format could not
// say it, and the same article must give the same tags in both formats.
func tagsText(tags []any) (string, error) {
	parts := make([]string, len(tags))
	for i, t := range tags {
		s, ok := t.(string)
		if !ok {
			return "", fmt.Errorf(`must be an array of strings, like tags = ["go", "feeds"]; item %d is %v`, i+1, t)
		}
		if strings.Contains(s, ",") {
			return "", fmt.Errorf("tag %q contains a comma: split it into separate tags", s)
		}
		parts[i] = s
	}
	return strings.Join(parts, ","), nil
}

// frontMatterLines maps each top-level key of the front matter to its
// line within the front matter (1-based), so errors found after decoding
// can point at the file. The toml package keeps key positions to itself.
// Lines inside multi-line strings and arrays are skipped, and a table
// header counts as its table's key.
func frontMatterLines(text string) map[string]int {
	lines := map[string]int{}
	var openString string
	depth := 0
	for i, line := range strings.Split(text, "\n") {
		if openString != "" {
			if strings.Count(line, openString)%2 == 1 {
				openString = ""
			}
			continue
		}
		line = strings.TrimSpace(line)
		if depth > 0 {
			depth += bracketDepth(line)
			continue
		}
		name, value := "", ""
		switch {
		case line == "" || line[0] == '#':
			continue
		case line[0] == '[':
			name, _, _ = strings.Cut(strings.Trim(line, "[] \t"), ".")
		default:
			var ok bool
			if name, value, ok = strings.Cut(line, "="); !ok {
				continue
			}
			name, _, _ = strings.Cut(name, ".")
		}
		name = strings.Trim(strings.TrimSpace(name), `"'`)
		if _, seen := lines[name]; !seen {
			lines[name] = i + 1
		}
		value = strings.TrimSpace(value)
		for _, delim := range []string{`"""`, `'''`} {
			if strings.HasPrefix(value, delim) && strings.Count(value, delim)%2 == 1 {
				openString = delim
			}
		}
		if strings.HasPrefix(value, "[") {
			depth = bracketDepth(value)
		}
	}
	return lines
}

// bracketDepth returns how many more "[" than "]" s holds outside quoted
// strings.
func bracketDepth(s string) int {
	depth := 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote == '"' && c == '\\':
			i++
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#':
			return depth
		case c == '[':
			depth++
		case c == ']':
			depth--
		}
	}
	return depth
}
