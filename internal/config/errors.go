package config

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// Problem is one thing wrong with a configuration: a syntax error, an
// unknown key, a value of the wrong type or a value out of range.
type Problem struct {
	// Path is the config file as given to Load; "" when the Config did not
	// come from a file.
	Path string
	// Line is the 1-based line in Path; 0 when unknown, for example for a
	// bad value that was never written in the file.
	Line int
	// Key is the dotted key, like "site.base_url"; "" for a syntax error.
	Key string
	// Msg says what is wrong and what to do about it.
	Msg string
}

// Error formats p as "path:line: key: msg", leaving out the parts that are
// empty, so that editors and terminals can jump to the line.
func (p Problem) Error() string {
	var b strings.Builder
	if p.Path != "" {
		b.WriteString(p.Path)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
		}
		b.WriteString(": ")
	}
	if p.Key != "" {
		b.WriteString(p.Key)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Error is every problem found in a configuration, in file order. Load and
// Validate return it (as *Error) so that a writer sees all of them at once
// rather than one per attempt.
type Error struct {
	// Problems holds at least one problem.
	Problems []Problem
}

// Error prints one problem per line.
func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the problems, so that errors.As can find a Problem.
func (e *Error) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p
	}
	return errs
}

// problems collects the problems of one configuration file.
type problems struct {
	path  string
	lines *keyLines
	list  []Problem
}

// add records a problem with key, placing it on the key's line.
func (ps *problems) add(key toml.Key, format string, args ...any) {
	ps.list = append(ps.list, Problem{
		Path: ps.path,
		Line: ps.lines.line(key),
		Key:  key.String(),
		Msg:  fmt.Sprintf(format, args...),
	})
}

// addf records a problem with a dotted key such as "site.base_url".
func (ps *problems) addf(key, format string, args ...any) {
	ps.add(toml.Key(strings.Split(key, ".")), format, args...)
}

// err returns the problems as an *Error sorted by line, problems without a
// line last, or nil when there are none.
func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	list := slices.Clone(ps.list)
	slices.SortStableFunc(list, func(a, b Problem) int {
		return cmp.Compare(sortLine(a.Line), sortLine(b.Line))
	})
	return &Error{Problems: list}
}

// sortLine orders problems without a line after all others.
func sortLine(line int) int {
	if line == 0 {
		return math.MaxInt
	}
	return line
}
