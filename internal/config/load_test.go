package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// writeConfig writes text to config.toml in a new temporary directory and
// returns its path.
func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// mustLoad loads text as a config file and fails the test on error.
func mustLoad(t *testing.T, text string) Config {
	t.Helper()
	path := writeConfig(t, text)
	c, err := Load(path)
	if err != nil {
		t.Fatalf("Load(%q) error:\n%v", text, err)
	}
	return c
}

func TestDefault(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v, want nil", err)
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"Path", c.Path, ""},
		{"Site.Title", c.Site.Title, "feedpub"},
		{"Site.Description", c.Site.Description, "Articles published with feedpub."},
		{"Site.BaseURL", c.Site.BaseURL, "http://127.0.0.1:8080/"},
		{"Site.Language", c.Site.Language, "en"},
		{"Site.Author", c.Site.Author, "feedpub"},
		{"Site.AuthorEmail", c.Site.AuthorEmail, ""},
		{"Site.TimeZone", c.Site.TimeZone, "UTC"},
		{"Site.TagAuthority", c.Site.TagAuthority, "127.0.0.1,2026"},
		{"Site.Location", c.Site.Location, time.UTC},
		{"Articles.Dir", c.Articles.Dir, "articles"},
		{"Articles.MaxBytes", c.Articles.MaxBytes, int64(8 << 20)},
		{"Articles.Debounce", c.Articles.Debounce.Duration, 100 * time.Millisecond},
		{"Articles.MaxWait", c.Articles.MaxWait.Duration, time.Second},
		{"Articles.Poll", c.Articles.Poll.Duration, time.Duration(0)},
		{"Feeds.Limit", c.Feeds.Limit, 20},
		{"Feeds.FullContent", c.Feeds.FullContent, true},
		{"Feeds.RSSPath", c.Feeds.RSSPath, "/rss.xml"},
		{"Feeds.AtomPath", c.Feeds.AtomPath, "/atom.xml"},
		{"Feeds.JSONPath", c.Feeds.JSONPath, "/feed.json"},
		{"Feeds.MaxAge", c.Feeds.MaxAge.Duration, 5 * time.Minute},
		{"Feeds.MaxBytes", c.Feeds.MaxBytes, int64(1 << 20)},
		{"Feeds.ArchiveSize", c.Feeds.ArchiveSize, 50},
		{"WebSub.Hubs", len(c.WebSub.Hubs), 0},
		{"Server.Listen", c.Server.Listen, "127.0.0.1:8080"},
		{"Server.ReadHeaderTimeout", c.Server.ReadHeaderTimeout.Duration, 5 * time.Second},
		{"Server.ReadTimeout", c.Server.ReadTimeout.Duration, 10 * time.Second},
		{"Server.WriteTimeout", c.Server.WriteTimeout.Duration, 30 * time.Second},
		{"Server.IdleTimeout", c.Server.IdleTimeout.Duration, 120 * time.Second},
		{"Server.MaxHeaderBytes", c.Server.MaxHeaderBytes, 16384},
		{"Server.ShutdownTimeout", c.Server.ShutdownTimeout.Duration, 10 * time.Second},
		{"Server.AccessLog", c.Server.AccessLog, false},
		{"State.File", c.State.File, ".feedpub/state.json"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("Default().%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestLoadMinimal(t *testing.T) {
	path := writeConfig(t, "[site]\ntitle = \"My notes\"\nbase_url = \"https://notes.example.org:8443/blog\"\n")
	c, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	dir := filepath.Dir(path)
	want := Default()
	want.Path = path
	want.AbsPath = path
	want.lines = c.lines
	want.Site.Title = "My notes"
	want.Site.Author = "My notes"
	want.Site.BaseURL = "https://notes.example.org:8443/blog/"
	want.Site.TagAuthority = "notes.example.org,2026"
	want.Articles.Dir = filepath.Join(dir, "articles")
	want.State.File = filepath.Join(dir, ".feedpub", "state.json")
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Load(minimal) =\n%+v\nwant\n%+v", c, want)
	}
}

func TestLoadFull(t *testing.T) {
	c := mustLoad(t, `
[site]
title = "Field notes"
description = "Notes from the field."
base_url = "https://example.com/notes/"
language = "pt-BR"
author = "Ana"
author_email = "ana@example.com"
time_zone = "Europe/Lisbon"
tag_authority = "ana@example.com,2026-05-01"

[articles]
dir = "/srv/notes"
max_bytes = 1024
debounce = "50ms"
max_wait = "2s"
poll = "1m"

[feeds]
limit = 0
full_content = false
rss_path = "/feeds/rss.xml"
atom_path = "/feeds/atom.xml"
json_path = "/feeds/feed.json"
max_age = "0s"
max_bytes = 65536
archive_size = 10

[server]
listen = ":9000"
read_header_timeout = "1s"
read_timeout = "2s"
write_timeout = "3s"
idle_timeout = "4s"
max_header_bytes = 4096
shutdown_timeout = "5s"
access_log = true

[state]
file = "/var/lib/feedpub/state.json"

[websub]
hubs = ["https://hub.example.com/", "http://127.0.0.1:9/hub"]
`)
	tests := []struct {
		name      string
		got, want any
	}{
		{"Site.Title", c.Site.Title, "Field notes"},
		{"Site.Description", c.Site.Description, "Notes from the field."},
		{"Site.BaseURL", c.Site.BaseURL, "https://example.com/notes/"},
		{"Site.Language", c.Site.Language, "pt-BR"},
		{"Site.Author", c.Site.Author, "Ana"},
		{"Site.AuthorEmail", c.Site.AuthorEmail, "ana@example.com"},
		{"Site.TimeZone", c.Site.TimeZone, "Europe/Lisbon"},
		{"Site.Location", c.Site.Location.String(), "Europe/Lisbon"},
		{"Site.TagAuthority", c.Site.TagAuthority, "ana@example.com,2026-05-01"},
		{"Articles.Dir", c.Articles.Dir, "/srv/notes"},
		{"Articles.MaxBytes", c.Articles.MaxBytes, int64(1024)},
		{"Articles.Debounce", c.Articles.Debounce.Duration, 50 * time.Millisecond},
		{"Articles.MaxWait", c.Articles.MaxWait.Duration, 2 * time.Second},
		{"Articles.Poll", c.Articles.Poll.Duration, time.Minute},
		{"Feeds.Limit", c.Feeds.Limit, 0},
		{"Feeds.FullContent", c.Feeds.FullContent, false},
		{"Feeds.RSSPath", c.Feeds.RSSPath, "/feeds/rss.xml"},
		{"Feeds.AtomPath", c.Feeds.AtomPath, "/feeds/atom.xml"},
		{"Feeds.JSONPath", c.Feeds.JSONPath, "/feeds/feed.json"},
		{"Feeds.MaxAge", c.Feeds.MaxAge.Duration, time.Duration(0)},
		{"Feeds.MaxBytes", c.Feeds.MaxBytes, int64(65536)},
		{"Feeds.ArchiveSize", c.Feeds.ArchiveSize, 10},
		{"WebSub.Hubs", slices.Equal(c.WebSub.Hubs, []string{"https://hub.example.com/", "http://127.0.0.1:9/hub"}), true},
		{"Server.Listen", c.Server.Listen, ":9000"},
		{"Server.ReadHeaderTimeout", c.Server.ReadHeaderTimeout.Duration, time.Second},
		{"Server.ReadTimeout", c.Server.ReadTimeout.Duration, 2 * time.Second},
		{"Server.WriteTimeout", c.Server.WriteTimeout.Duration, 3 * time.Second},
		{"Server.IdleTimeout", c.Server.IdleTimeout.Duration, 4 * time.Second},
		{"Server.MaxHeaderBytes", c.Server.MaxHeaderBytes, 4096},
		{"Server.ShutdownTimeout", c.Server.ShutdownTimeout.Duration, 5 * time.Second},
		{"Server.AccessLog", c.Server.AccessLog, true},
		{"State.File", c.State.File, "/var/lib/feedpub/state.json"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("Load(full).%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestLoadPaths(t *testing.T) {
	tests := []struct {
		name, dir, file string
		wantDir         string // relative to the config file's directory unless absolute
		wantFile        string
	}{
		{"relative", "posts", "state.json", "posts", "state.json"},
		{"nested", "../shared/posts", "var/state.json", "../shared/posts", "var/state.json"},
		{"absolute", "/srv/posts", "/var/lib/feedpub/state.json", "/srv/posts", "/var/lib/feedpub/state.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, "[articles]\ndir = \""+tt.dir+"\"\n[state]\nfile = \""+tt.file+"\"\n")
			c, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if want := inDir(filepath.Dir(path), tt.wantDir); c.Articles.Dir != want {
				t.Errorf("Articles.Dir = %q, want %q", c.Articles.Dir, want)
			}
			if want := inDir(filepath.Dir(path), tt.wantFile); c.State.File != want {
				t.Errorf("State.File = %q, want %q", c.State.File, want)
			}
		})
	}
}

// inDir returns p relative to dir, or p if it is absolute.
func inDir(dir, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

func TestLoadBaseURL(t *testing.T) {
	tests := []struct {
		in, want, wantTag string
	}{
		{"https://example.com", "https://example.com/", "example.com,2026"},
		{"https://example.com/", "https://example.com/", "example.com,2026"},
		{"https://Example.COM:8443/blog", "https://Example.COM:8443/blog/", "example.com,2026"},
		{"http://localhost:8080/a/b/", "http://localhost:8080/a/b/", "localhost,2026"},
	}
	for _, tt := range tests {
		c := mustLoad(t, "[site]\nbase_url = \""+tt.in+"\"\n")
		if c.Site.BaseURL != tt.want || c.Site.TagAuthority != tt.wantTag {
			t.Errorf("base_url %q: BaseURL, TagAuthority = %q, %q, want %q, %q",
				tt.in, c.Site.BaseURL, c.Site.TagAuthority, tt.want, tt.wantTag)
		}
	}
}

func TestLoadKeepsDefaults(t *testing.T) {
	// Booleans defaulting to true must survive a file that leaves them out,
	// and an empty table must change nothing.
	c := mustLoad(t, "[feeds]\nlimit = 5\n[server]\n")
	if !c.Feeds.FullContent {
		t.Error("Feeds.FullContent = false, want the default true")
	}
	if c.Feeds.Limit != 5 || c.Feeds.RSSPath != "/rss.xml" || c.Server.Listen != "127.0.0.1:8080" {
		t.Errorf("Load = %+v, %+v; want limit 5 and the other defaults", c.Feeds, c.Server)
	}
}

func TestLoadEmptyFile(t *testing.T) {
	c := mustLoad(t, "")
	if c.Site.Title != "feedpub" || c.Site.TagAuthority != "127.0.0.1,2026" {
		t.Errorf("Load(empty) Site = %+v, want the defaults", c.Site)
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.toml")
	_, err := Load(path)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load(missing) = %v, want an error wrapping fs.ErrNotExist", err)
	}
	want := "reading config: open " + path + ": no such file or directory"
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Load(missing) = %q, want it to begin %q", err, want)
	}
}

func TestLoadSample(t *testing.T) {
	c, err := Load("../../config.toml")
	if err != nil {
		t.Fatalf("Load(sample config.toml):\n%v", err)
	}
	if c.Site.Title != "feedpub sample" || c.Site.TagAuthority != "feedpub.example,2026" {
		t.Errorf("sample Site = %+v", c.Site)
	}
	want, err := filepath.Abs(filepath.Join("..", "..", "articles"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Articles.Dir != want {
		t.Errorf("sample Articles.Dir = %q, want %q", c.Articles.Dir, want)
	}
	// The sample documents every key with its default value, apart from
	// the site's own description and tag authority.
	def := Default()
	articles := c.Articles
	articles.Dir = def.Articles.Dir
	if articles != def.Articles || c.Feeds != def.Feeds || !reflect.DeepEqual(c.Server, def.Server) || c.TLS != def.TLS {
		t.Errorf("sample differs from the defaults:\n%+v\nwant\n%+v", c, def)
	}
}

// TestLoadRelativePaths loads a config named by a relative path, as
// "feedpub --config sub/config.toml" does from a shell: every path in the
// result is absolute, so that file events (which name absolute paths) match
// the articles, whatever the working directory does later.
func TestLoadRelativePaths(t *testing.T) {
	root := t.TempDir()
	sub := filepath.Join(root, "sub")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	text := "[site]\ntitle = \"t\"\n[articles]\ndir = \"./posts/../articles\"\n[state]\nfile = \"/var/lib//feedpub/state.json\"\n"
	if err := os.WriteFile(filepath.Join(sub, "config.toml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(root)
	c, err := Load(filepath.Join("sub", "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Path != filepath.Join("sub", "config.toml") {
		t.Errorf("Path = %q, want the path as given, for messages", c.Path)
	}
	checks := []struct{ name, got, want string }{
		{"AbsPath", c.AbsPath, filepath.Join(root, "sub", "config.toml")},
		{"Articles.Dir", c.Articles.Dir, filepath.Join(root, "sub", "articles")},
		{"State.File", c.State.File, "/var/lib/feedpub/state.json"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %q, want %q", ch.name, ch.got, ch.want)
		}
	}
}
