package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
)

// Load reads the config file at path and returns it with defaults applied,
// derived fields filled in and relative paths resolved, after validating
// it.
//
// Keys the file leaves out keep their defaults. Path, Articles.Dir and
// State.File come out absolute and cleaned, so that no package below ever
// sees a relative path (file events name absolute paths, and the working
// directory is nobody's business below the command line): path against the
// working directory, the other two, when relative, against the directory
// of path. Symbolic links are kept, not resolved, so that re-pointing a
// link is seen as the change it is. Problems still name path as given.
// Site.BaseURL gains a trailing "/" if it lacks one. Site.Location is
// loaded from Site.TimeZone; an empty Site.TagAuthority is derived from the
// host of Site.BaseURL (port dropped) plus ",2026"; an empty Site.Author
// becomes Site.Title.
//
// A file that cannot be read gives an error wrapping the os error, so
// errors.Is(err, fs.ErrNotExist) works. Every other problem — invalid TOML,
// an unknown key or table, a value of the wrong type, a value Validate
// rejects — is reported in one *Error listing all of them with their lines;
// invalid TOML stops the reading at the first syntax error. On error the
// returned Config is the zero value, so a caller reloading a changed file
// keeps the config it has.
func Load(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, readError(err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return Config{}, fmt.Errorf("reading config %s: %w", path, err)
	}
	text := string(data)
	c := defaults()
	c.Path = path
	c.AbsPath = abs
	c.lines = scanKeyLines(text)
	ps := &problems{path: path, lines: c.lines}
	if decode(text, &c, ps) {
		c.resolve(filepath.Dir(abs))
		c.derive()
		c.validate(ps)
	}
	if err := ps.err(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// readError wraps an error reading the config file, saying what to do when
// the file is missing.
func readError(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("reading config: %w (create it, starting from the sample config.toml, or give the path of an existing file)", err)
	}
	return fmt.Errorf("reading config: %w", err)
}

// decode decodes text onto c, recording invalid TOML, values of the wrong
// type and unknown keys in ps. Values of the wrong type are left out so
// that the rest of the file still decodes and is checked. decode reports
// whether the text was TOML, that is whether c holds the file's values.
func decode(text string, c *Config, ps *problems) bool {
	var raw map[string]any
	if _, err := toml.Decode(text, &raw); err != nil {
		ps.list = append(ps.list, syntaxProblem(ps.path, text, err))
		return false
	}
	if checkTypes(raw, configType, nil, ps) {
		var b strings.Builder
		if err := toml.NewEncoder(&b).Encode(raw); err != nil {
			ps.list = append(ps.list, Problem{Path: ps.path, Msg: fmt.Sprintf("cannot check the rest of the file: %v", err)})
			return false
		}
		text = b.String()
	}
	md, err := toml.Decode(text, c)
	if err != nil {
		// checkTypes mirrors the decoder's rules, so this is not expected.
		ps.list = append(ps.list, Problem{Path: ps.path, Msg: err.Error()})
		return false
	}
	reportUndecoded(md, ps)
	return true
}

// syntaxProblem turns a TOML parse error in text into a Problem on its
// line. The line is counted from the error's byte offset: the parser's own
// line number is one too far when the offending character is a newline, as
// in an unclosed "[table".
func syntaxProblem(path, text string, err error) Problem {
	var pe toml.ParseError
	if !errors.As(err, &pe) {
		return Problem{Path: path, Msg: "invalid TOML: " + err.Error()}
	}
	line := pe.Position.Line
	if start := pe.Position.Start; start >= 0 && start <= len(text) {
		line = strings.Count(text[:start], "\n") + 1
	}
	return Problem{Path: path, Line: line, Msg: "invalid TOML: " + pe.Message}
}

// reportUndecoded records the keys that match no field: misspelt keys,
// keys in the wrong table and unknown tables. Only the outermost unknown
// key is reported; the keys inside an unknown table are not.
func reportUndecoded(md toml.MetaData, ps *problems) {
	var reported []toml.Key
	for _, key := range md.Undecoded() {
		if hasPrefix(key, reported) {
			continue
		}
		reported = append(reported, key)
		ps.add(key, "%s", unknownKeyMsg(key, md.Type(key...)))
	}
}

// hasPrefix reports whether one of prefixes is key or a parent of key.
func hasPrefix(key toml.Key, prefixes []toml.Key) bool {
	for _, p := range prefixes {
		if len(p) <= len(key) && p.String() == key[:len(p)].String() {
			return true
		}
	}
	return false
}

// unknownKeyMsg explains an unknown key and lists what is allowed where it
// was written. typ is the key's TOML type as MetaData.Type gives it.
func unknownKeyMsg(key toml.Key, typ string) string {
	if len(key) == 1 {
		if typ == "Hash" {
			return "unknown table; the tables are " + keyList(configType, "[%s]")
		}
		return "unknown key; every key belongs in one of the tables " + keyList(configType, "[%s]")
	}
	section, _ := fieldFor(configType, key[0])
	return fmt.Sprintf("unknown key; [%s] takes %s", key[0], keyList(section.Type, "%s"))
}

// resolve makes the relative paths relative to dir, the directory of the
// config file. Empty paths stay empty for Validate to report.
func (c *Config) resolve(dir string) {
	c.Articles.Dir = resolvePath(dir, c.Articles.Dir)
	c.State.File = resolvePath(dir, c.State.File)
	c.TLS.resolve(dir)
}

// resolvePath joins a relative path p to dir, an absolute directory, and
// cleans an absolute one.
func resolvePath(dir, p string) string {
	switch {
	case p == "":
		return p
	case filepath.IsAbs(p):
		return filepath.Clean(p)
	}
	return filepath.Join(dir, p)
}

// AbsDir returns dir, a directory given on the command line, as an absolute
// cleaned path relative to the working directory, as Load leaves the paths
// it resolves.
func AbsDir(dir string) (string, error) {
	if dir == "" {
		return "", nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("resolving %s: %w", dir, err)
	}
	return abs, nil
}
