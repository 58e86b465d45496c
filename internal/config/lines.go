package config

import (
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// keyLines maps each key of a TOML document to the line it is defined on,
// so that problems found after decoding can point at the file. The toml
// package keeps key positions to itself, hence this small scanner. It
// understands the TOML that people write in config files — table headers,
// key/value lines, dotted and quoted keys, multi-line strings — and is not
// a parser: a key it cannot place falls back to its table's line.
type keyLines struct {
	m map[string]int // key.String() → line
}

// scanKeyLines indexes the keys of a TOML document by line.
func scanKeyLines(text string) *keyLines {
	lines := &keyLines{m: make(map[string]int)}
	var table toml.Key
	var openString string // the delimiter of an open multi-line string
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
		if openString != "" {
			if strings.Count(line, openString)%2 == 1 {
				openString = ""
			}
			continue
		}
		line = strings.TrimSpace(line)
		switch {
		case line == "" || line[0] == '#':
		case line[0] == '[':
			table = splitKey(strings.Trim(headerOf(line), "[] \t"))
			lines.add(table, n)
		default:
			name, value, ok := cutKey(line)
			if !ok {
				continue // a continuation line of a multi-line array
			}
			lines.add(join(table, splitKey(name)), n)
			openString = opensString(value)
		}
	}
	return lines
}

// add records key and each of its parents that has no line yet.
func (l *keyLines) add(key toml.Key, line int) {
	for i := 1; i <= len(key); i++ {
		s := key[:i].String()
		if _, ok := l.m[s]; !ok {
			l.m[s] = line
		}
	}
}

// line returns the line of key, or of its nearest parent that has one, or 0.
// A nil *keyLines, for a Config that did not come from a file, knows none.
func (l *keyLines) line(key toml.Key) int {
	if l == nil {
		return 0
	}
	for i := len(key); i > 0; i-- {
		if n, ok := l.m[key[:i].String()]; ok {
			return n
		}
	}
	return 0
}

// has reports whether the dotted key, like "feeds.rss_path", is written in
// the file itself.
func (l *keyLines) has(key string) bool {
	if l == nil {
		return false
	}
	_, ok := l.m[splitKey(key).String()]
	return ok
}

// headerOf returns a table header line without its trailing comment.
func headerOf(line string) string {
	if i := indexOutsideQuotes(line, '#'); i >= 0 {
		return line[:i]
	}
	return line
}

// cutKey splits a key/value line at its first "=" outside quotes.
func cutKey(line string) (key, value string, ok bool) {
	i := indexOutsideQuotes(line, '=')
	if i < 0 {
		return "", "", false
	}
	return line[:i], line[i+1:], true
}

// opensString returns the delimiter of a multi-line string that value opens
// and leaves open at the end of its line, or "".
func opensString(value string) string {
	value = strings.TrimSpace(value)
	for _, delim := range []string{`"""`, `'''`} {
		if strings.HasPrefix(value, delim) && strings.Count(value, delim)%2 == 1 {
			return delim
		}
	}
	return ""
}

// indexOutsideQuotes returns the index of the first c in s that is not
// inside a quoted string, or -1.
func indexOutsideQuotes(s string, c byte) int {
	var quote byte
	for i := 0; i < len(s); i++ {
		switch {
		case quote == '"' && s[i] == '\\':
			i++ // skip the escaped character
		case quote != 0:
			if s[i] == quote {
				quote = 0
			}
		case s[i] == '"' || s[i] == '\'':
			quote = s[i]
		case s[i] == c:
			return i
		}
	}
	return -1
}

// splitKey splits a dotted TOML key into its parts, unquoting quoted parts.
func splitKey(s string) toml.Key {
	var key toml.Key
	for {
		i := indexOutsideQuotes(s, '.')
		if i < 0 {
			return append(key, unquoteKey(s))
		}
		key = append(key, unquoteKey(s[:i]))
		s = s[i+1:]
	}
}

// unquoteKey returns one part of a dotted key without its quotes.
func unquoteKey(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
		return s[1 : len(s)-1]
	}
	if u, err := strconv.Unquote(s); err == nil && s[0] == '"' {
		return u
	}
	return s
}

// join returns the key of part inside table.
func join(table, part toml.Key) toml.Key {
	key := make(toml.Key, 0, len(table)+len(part))
	return append(append(key, table...), part...)
}
