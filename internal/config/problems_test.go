package config

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// want is an expected problem: its line, its key and a part of its message.
type want struct {
	line int
	key  string
	msg  string
}

// checkProblems loads text and compares the problems reported with wants,
// in order.
func checkProblems(t *testing.T, text string, wants ...want) {
	t.Helper()
	path := writeConfig(t, text)
	_, err := Load(path)
	var cerr *Error
	if !errors.As(err, &cerr) {
		t.Fatalf("Load(%q) = %v, want an *Error", text, err)
	}
	if len(cerr.Problems) != len(wants) {
		t.Fatalf("Load(%q) gave %d problems, want %d:\n%v", text, len(cerr.Problems), len(wants), err)
	}
	for i, w := range wants {
		p := cerr.Problems[i]
		if p.Path != path || p.Line != w.line || p.Key != w.key || !strings.Contains(p.Msg, w.msg) {
			t.Errorf("problem %d = %q, want line %d, key %q, message containing %q", i, p.Error(), w.line, w.key, w.msg)
		}
	}
}

func TestLoadBadValues(t *testing.T) {
	tests := []struct {
		name string
		text string
		want want
	}{
		{"empty title", "[site]\ntitle = \"\"", want{2, "site.title", "must not be empty"}},
		{"relative base_url", "[site]\nbase_url = \"example.com\"", want{2, "site.base_url", `absolute http or https URL, like "https://example.com/"`}},
		{"ftp base_url", "[site]\nbase_url = \"ftp://example.com/\"", want{2, "site.base_url", "absolute http or https URL"}},
		{"base_url without host", "[site]\nbase_url = \"https:///x\"", want{2, "site.base_url", "absolute http or https URL"}},
		{"base_url with query", "[site]\nbase_url = \"https://example.com/?a=b\"", want{2, "site.base_url", "query or fragment"}},
		{"base_url with fragment", "[site]\nbase_url = \"https://example.com/#top\"", want{2, "site.base_url", "query or fragment"}},
		{"base_url with password", "[site]\nbase_url = \"https://u:p@example.com/\"", want{2, "site.base_url", "password"}},
		{"language", "[site]\nlanguage = \"english language\"", want{2, "site.language", "BCP 47"}},
		{"author_email", "[site]\nauthor_email = \"Ana <ana@example.com>\"", want{2, "site.author_email", "plain email address"}},
		{"time_zone", "[site]\ntime_zone = \"Mars/Olympus\"", want{2, "site.time_zone", `unknown time zone "Mars/Olympus"`}},
		{"empty time_zone", "[site]\ntime_zone = \"\"", want{2, "site.time_zone", "IANA"}},
		{"tag_authority without date", "[site]\ntag_authority = \"example.com\"", want{2, "site.tag_authority", "RFC 4151"}},
		{"tag_authority bad date", "[site]\ntag_authority = \"example.com,26\"", want{2, "site.tag_authority", "RFC 4151"}},
		{"tag_authority bad month", "[site]\ntag_authority = \"example.com,2026-13\"", want{2, "site.tag_authority", "RFC 4151"}},
		{"tag_authority bad name", "[site]\ntag_authority = \"exa_mple.com,2026\"", want{2, "site.tag_authority", "RFC 4151"}},
		{"tag_authority URL", "[site]\ntag_authority = \"https://example.com,2026\"", want{2, "site.tag_authority", "RFC 4151"}},
		{"tag_authority from IPv6 host", "[site]\nbase_url = \"http://[::1]:8080/\"", want{1, "site.tag_authority", "RFC 4151"}},
		{"empty dir", "[articles]\ndir = \"\"", want{2, "articles.dir", "must name the articles directory"}},
		{"max_bytes", "[articles]\nmax_bytes = 0", want{2, "articles.max_bytes", "positive"}},
		{"debounce zero", "[articles]\ndebounce = \"0s\"", want{2, "articles.debounce", "must be positive"}},
		{"max_wait below debounce", "[articles]\ndebounce = \"2s\"\nmax_wait = \"1s\"", want{3, "articles.max_wait", "at least articles.debounce (2s)"}},
		{"max_wait negative", "[articles]\nmax_wait = \"-1s\"", want{2, "articles.max_wait", "must not be negative"}},
		{"poll negative", "[articles]\npoll = \"-1s\"", want{2, "articles.poll", "must not be negative"}},
		{"limit", "[feeds]\nlimit = -1", want{2, "feeds.limit", "must not be negative"}},
		{"max_age", "[feeds]\nmax_age = \"-5m\"", want{2, "feeds.max_age", "must not be negative"}},
		{"path without slash", "[feeds]\nrss_path = \"rss.xml\"", want{2, "feeds.rss_path", `must begin with "/"`}},
		{"path root", "[feeds]\natom_path = \"/\"", want{2, "feeds.atom_path", `must not be "/"`}},
		{"path healthz", "[feeds]\njson_path = \"/healthz\"", want{2, "feeds.json_path", "/healthz"}},
		{"path under articles", "[feeds]\nrss_path = \"/articles/rss.xml\"", want{2, "feeds.rss_path", "under /articles/"}},
		{"path with query", "[feeds]\nrss_path = \"/rss?x=1\"", want{2, "feeds.rss_path", "without a query"}},
		{"path under tags", "[feeds]\nrss_path = \"/tags/rss.xml\"", want{2, "feeds.rss_path", "under /tags/"}},
		{"path under archive", "[feeds]\natom_path = \"/archive/atom.xml\"", want{2, "feeds.atom_path", "under /archive/"}},
		{"path opml", "[feeds]\njson_path = \"/feeds.opml\"", want{2, "feeds.json_path", "lists the feeds"}},
		{"feeds max_bytes", "[feeds]\nmax_bytes = 100", want{2, "feeds.max_bytes", "at least 4096 bytes"}},
		{"archive_size", "[feeds]\narchive_size = 0", want{2, "feeds.archive_size", "positive"}},
		{"hub relative", "[websub]\nhubs = [\"hub.example.com\"]", want{2, "websub.hubs", `"hub.example.com" is not an absolute http or https URL`}},
		{"hub ftp", "[websub]\nhubs = [\"ftp://hub.example.com/\"]", want{2, "websub.hubs", "absolute http or https URL"}},
		{"hub fragment", "[websub]\nhubs = [\"https://hub.example.com/#x\"]", want{2, "websub.hubs", "fragment"}},
		{"hub twice", "[websub]\nhubs = [\n  \"https://hub.example.com/\",\n  \"https://hub.example.com/\",\n]", want{2, "websub.hubs", "listed twice"}},
		{"path unclean", "[feeds]\nrss_path = \"/feeds//rss.xml\"", want{2, "feeds.rss_path", `clean path, like "/feeds/rss.xml"`}},
		{"paths equal", "[feeds]\nrss_path = \"/feed\"\njson_path = \"/feed\"", want{3, "feeds.json_path", `"/feed" is also the path of feeds.rss_path`}},
		{"listen empty", "[server]\nlisten = \"\"", want{2, "server.listen", "host:port"}},
		{"listen without port", "[server]\nlisten = \"localhost\"", want{2, "server.listen", "host:port"}},
		{"listen bad port", "[server]\nlisten = \"localhost:99999\"", want{2, "server.listen", "port number from 0 to 65535"}},
		{"read_header_timeout", "[server]\nread_header_timeout = \"0s\"", want{2, "server.read_header_timeout", "must be positive"}},
		{"read_timeout", "[server]\nread_timeout = \"-1s\"", want{2, "server.read_timeout", "must be positive"}},
		{"write_timeout", "[server]\nwrite_timeout = \"0s\"", want{2, "server.write_timeout", "must be positive"}},
		{"idle_timeout", "[server]\nidle_timeout = \"0s\"", want{2, "server.idle_timeout", "must be positive"}},
		{"shutdown_timeout", "[server]\nshutdown_timeout = \"0s\"", want{2, "server.shutdown_timeout", "must be positive"}},
		{"max_header_bytes", "[server]\nmax_header_bytes = 0", want{2, "server.max_header_bytes", "positive"}},
		{"empty state file", "[state]\nfile = \"\"", want{2, "state.file", "must name the state file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkProblems(t, tt.text, tt.want)
		})
	}
}

func TestLoadUnknownKeys(t *testing.T) {
	tests := []struct {
		name string
		text string
		want want
	}{
		{"top level", "# feedpub\ntitle = \"x\"\n[site]\n", want{2, "title", "every key belongs in one of the tables [site], [articles], [feeds], [server], [state], [websub], [markdown], [media], [tls] and [deploy]"}},
		{"unknown table", "[site]\ntitle = \"x\"\n\n[webhooks]\nurl = \"x\"\n", want{4, "webhooks", "unknown table; the tables are [site]"}},
		{"site", "[site]\ntitle = \"x\"\ntitel = \"y\"\n", want{3, "site.titel", "[site] takes title, description, base_url"}},
		{"articles", "[articles]\ndirectory = \"x\"\n", want{2, "articles.directory", "[articles] takes dir, max_bytes"}},
		{"feeds", "[feeds]\n\n  items = 5 # too many\n", want{3, "feeds.items", "[feeds] takes limit, full_content"}},
		{"server", "[server]\nport = 80\n", want{2, "server.port", "[server] takes listen"}},
		{"state", "[state]\npath = \"x\"\n", want{2, "state.path", "[state] takes file"}},
		{"websub", "[websub]\nhub = \"x\"\n", want{2, "websub.hub", "[websub] takes hubs"}},
		{"key in wrong table", "[site]\nlisten = \":80\"\n", want{2, "site.listen", "unknown key"}},
		{"sub-table", "[site]\n[site.social]\nmastodon = \"x\"\n", want{2, "site.social", "unknown key"}},
		{"dotted key", "[site]\nsocial.mastodon = \"x\"\n", want{2, "site.social.mastodon", "unknown key"}},
		{"quoted key", "[site]\n\"base url\" = \"x\"\n", want{2, `site."base url"`, "unknown key"}},
		{"case", "[site]\nTitle = \"x\"\n", want{2, "site.Title", "case-sensitive: write title"}},
		{"inline table", "site = { title = \"x\", colour = \"red\" }\n", want{1, "site.colour", "unknown key"}},
		{"after multi-line string", "[site]\ndescription = \"\"\"\nfoo = 1\n\"\"\"\nfoo = 2\n", want{5, "site.foo", "unknown key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkProblems(t, tt.text, tt.want)
		})
	}
}

func TestLoadTypeErrors(t *testing.T) {
	tests := []struct {
		name string
		text string
		want want
	}{
		{"int as string", "[feeds]\nlimit = \"x\"\n", want{2, "feeds.limit", "must be a whole number, not a string"}},
		{"int as float", "[feeds]\nlimit = 2.5\n", want{2, "feeds.limit", "must be a whole number, not a float"}},
		{"string as int", "[site]\ntitle = 5\n", want{2, "site.title", "must be a string in quotes, not an integer"}},
		{"bool as string", "[feeds]\nfull_content = \"yes\"\n", want{2, "feeds.full_content", "must be true or false, not a string"}},
		{"duration as int", "[articles]\ndebounce = 100\n", want{2, "articles.debounce", "must be a duration in quotes"}},
		{"bad duration", "[articles]\n\ndebounce = \"100\"\n", want{3, "articles.debounce", `not "100"`}},
		{"table as value", "site = \"x\"\n", want{1, "site", "must be a table, not a string"}},
		{"array", "[site]\ntitle = [\"a\", \"b\"]\n", want{2, "site.title", "not an array"}},
		{"date", "[site]\ntitle = 2026-01-02\n", want{2, "site.title", "not a date or time"}},
		{"hubs as string", "[websub]\nhubs = \"https://hub.example.com/\"\n", want{2, "websub.hubs", "must be an array of strings in quotes"}},
		{"hubs of numbers", "[websub]\nhubs = [\"https://hub.example.com/\", 5]\n", want{2, "websub.hubs", "item 2 is an integer"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkProblems(t, tt.text, tt.want)
		})
	}
}

func TestLoadSyntaxErrors(t *testing.T) {
	tests := []struct {
		name string
		text string
		want want
	}{
		{"unterminated string", "[site]\ntitle = \"x\n", want{2, "", "invalid TOML"}},
		{"missing value", "[site]\ntitle = \"x\"\n\nbase_url =\n", want{4, "", "invalid TOML"}},
		{"duplicate key", "[site]\ntitle = \"a\"\ntitle = \"b\"\n", want{3, "", "already been defined"}},
		{"unclosed array", "a = [1,\n2\nb = 1\n", want{3, "", "expected a comma"}},
		{"bad header", "[site]\n[feeds\nlimit = 1\n", want{2, "", "invalid TOML"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkProblems(t, tt.text, tt.want)
		})
	}
}

func TestLoadReportsAllProblems(t *testing.T) {
	checkProblems(t, `titel = "x"
[site]
base_url = "example.com"
language = 5

[feeds]
limit = -1
rss_path = "/atom.xml"

[extra]
a = 1

[server]
listen = "8080"
`,
		want{1, "titel", "unknown key"},
		want{3, "site.base_url", "absolute"},
		want{4, "site.language", "must be a string"},
		want{7, "feeds.limit", "negative"},
		want{8, "feeds.rss_path", `"/atom.xml" is also the path of feeds.atom_path`},
		want{10, "extra", "unknown table"},
		want{14, "server.listen", "host:port"},
	)
}

func TestErrorFormat(t *testing.T) {
	path := writeConfig(t, "[site]\nbase_url = \"example.com\"\nlanguage = \"?\"\n")
	_, err := Load(path)
	want := fmt.Sprintf("%s:2: site.base_url: must be an absolute http or https URL, like \"https://example.com/\"\n"+
		"%s:3: site.language: must be a BCP 47 language tag, like \"en\" or \"pt-BR\"", path, path)
	if err == nil || err.Error() != want {
		t.Errorf("Load error =\n%v\nwant\n%s", err, want)
	}
	var p Problem
	if !errors.As(err, &p) || p.Key != "site.base_url" {
		t.Errorf("errors.As(err, &Problem) = %+v, want the site.base_url problem", p)
	}
}

func TestProblemError(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{"config.toml", 12, "site.base_url", "bad"}, "config.toml:12: site.base_url: bad"},
		{Problem{"config.toml", 0, "site.tag_authority", "bad"}, "config.toml: site.tag_authority: bad"},
		{Problem{"config.toml", 3, "", "invalid TOML"}, "config.toml:3: invalid TOML"},
		{Problem{"", 0, "feeds.limit", "bad"}, "feeds.limit: bad"},
	}
	for _, tt := range tests {
		if got := tt.p.Error(); got != tt.want {
			t.Errorf("%#v.Error() = %q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestValidateWithoutFile(t *testing.T) {
	c := Default()
	c.Feeds.Limit = -1
	c.Server.Listen = ""
	err := c.Validate()
	want := "feeds.limit: must not be negative; 0 puts every article in the feeds\n" +
		`server.listen: must be host:port, like "127.0.0.1:8080", or ":8080" for every interface`
	if err == nil || err.Error() != want {
		t.Errorf("Validate() =\n%v\nwant\n%s", err, want)
	}
}

func TestValidateAfterLoad(t *testing.T) {
	// A value changed after loading, say by a flag, is reported with the
	// line of its key in the file.
	path := writeConfig(t, "[site]\ntitle = \"x\"\n[server]\nlisten = \":80\"\n")
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	c.Server.Listen = "nowhere"
	want := filepath.Clean(path) + ":4: server.listen: must be host:port"
	if err := c.Validate(); err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Validate() = %v, want %q…", err, want)
	}
}

func TestTagAuthority(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"example.com,2026", true},
		{"feedpub.example,2026", true},
		{"127.0.0.1,2026", true},
		{"localhost,2026-01", true},
		{"a-b.example,2026-02-28", true},
		{"you@example.com,2026", true},
		{"first.last_x@mail.example,2000-01-01", true},
		{"example.com", false},
		{"example.com,", false},
		{",2026", false},
		{"example.com,2026-02-30", false},
		{"example.com,2026-1-1", false},
		{"-example.com,2026", false},
		{"example-.com,2026", false},
		{"example..com,2026", false},
		{"@example.com,2026", false},
		{"a@b@example.com,2026", false},
		{"exa mple.com,2026", false},
	}
	for _, tt := range tests {
		if got := tagAuthorityProblem(tt.in) == ""; got != tt.ok {
			t.Errorf("tagAuthorityProblem(%q) ok = %v, want %v", tt.in, got, tt.ok)
		}
	}
}

func TestLoadLinesAfterMultiLineValues(t *testing.T) {
	checkProblems(t, `[site]
title = [
  "a = b",
  'c = d',
]
description = '''
e = f
'''
colour = "red"
`,
		want{2, "site.title", "must be a string in quotes, not an array"},
		want{9, "site.colour", "unknown key"},
	)
}
