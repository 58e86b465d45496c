package main

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHelp holds that every way of asking for help succeeds and lists
// every command, and that a command's help shows its flags.
func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}, {"--config", "x.toml", "--help"}} {
		out, _, err := runCLI(t, args...)
		if err != nil {
			t.Errorf("feedpub %v = %v, want success", args, err)
		}
		for _, c := range commands() {
			if !strings.Contains(out, "\n  "+c.name+" ") {
				t.Errorf("feedpub %v does not list %q:\n%s", args, c.name, out)
			}
		}
	}
	for _, args := range [][]string{{"help", "build"}, {"build", "--help"}, {"build", "-h"}} {
		out, _, err := runCLI(t, args...)
		if err != nil || !strings.Contains(out, "usage: feedpub build") || !strings.Contains(out, "-out directory") || !strings.Contains(out, "-base-url URL") {
			t.Errorf("feedpub %v = %v:\n%s", args, err, out)
		}
	}
	if _, _, err := runCLI(t, "help", "bogus"); !isUsageError(err) {
		t.Errorf("help bogus = %v, want a usage error", err)
	}
}

func isUsageError(err error) bool {
	var exit exitError
	return errors.As(err, &exit) && exit.code == 2
}

// TestCommandNameServeFlags holds that serve's flags may be given without
// the command, values and all, as the README's synopsis shows.
func TestCommandNameServeFlags(t *testing.T) {
	cases := []struct {
		args []string
		want string
		rest []string
	}{
		{[]string{"--listen", "127.0.0.1:8093"}, "serve", []string{"--listen", "127.0.0.1:8093"}},
		{[]string{"--poll", "2s"}, "serve", []string{"--poll", "2s"}},
		{[]string{"--config", "x.toml", "build", "--out", "o"}, "build", []string{"--config", "x.toml", "--out", "o"}},
		{[]string{"--strict", "check"}, "check", []string{"--strict"}},
		{[]string{"new", "Title"}, "new", []string{"Title"}},
	}
	for _, c := range cases {
		name, rest, _ := commandName(c.args)
		if name != c.want || strings.Join(rest, " ") != strings.Join(c.rest, " ") {
			t.Errorf("commandName(%q) = %q %q, want %q %q", c.args, name, rest, c.want, c.rest)
		}
	}
}

// TestVersionDescribesTheBuild holds that version names the Go version and
// takes neither arguments nor the configuration flags.
func TestVersionDescribesTheBuild(t *testing.T) {
	out, _, err := runCLI(t, "version")
	if err != nil || !strings.HasPrefix(out, "feedpub ") || !strings.Contains(out, " go1.") {
		t.Errorf("version = %q, %v", out, err)
	}
	if _, _, err := runCLI(t, "version", "--config", "x.toml"); !isUsageError(err) {
		t.Errorf("version --config = %v, want a usage error", err)
	}
}

// TestBadFlagBlamesTheFlag holds that a bad value given by a flag names the
// flag, not a line of config.toml that did not set it.
func TestBadFlagBlamesTheFlag(t *testing.T) {
	cfg := project(t, map[string]string{"a.txt": "Title: A\n\nA.\n"})
	cases := [][]string{
		{"--listen", "8080"},
		{"--base-url", "ftp://example.org/"},
	}
	for _, flags := range cases {
		_, _, err := runCLI(t, append([]string{"--config", cfg}, flags...)...)
		if err == nil || !strings.HasPrefix(err.Error(), flags[0]+": ") || strings.Contains(err.Error(), "config.toml") {
			t.Errorf("feedpub %v = %v, want an error naming %s and not config.toml", flags, err, flags[0])
		}
	}
}

// TestListenErrorsSayWhy holds that a host that does not resolve is not
// mistaken for a port in use, and that a port in use says so, at once,
// before any article is read.
func TestListenErrorsSayWhy(t *testing.T) {
	if _, err := listen("999.1.1.1:80", "--listen"); err == nil || strings.Contains(err.Error(), "another server") || !strings.Contains(err.Error(), "not an address of this machine") {
		t.Errorf("listen(999.1.1.1:80) = %v", err)
	}
	ln, err := listen("127.0.0.1:0", "--listen")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if _, err := listen(ln.Addr().String(), "--listen"); err == nil || !strings.Contains(err.Error(), "another server is using that port") {
		t.Errorf("listen on a port in use = %v", err)
	}
}

// TestInit holds that init lays out a site that serves as it is, and that
// it refuses, changing nothing, where a site already is.
func TestInit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	out, _, err := runCLI(t, "init", dir)
	if err != nil || !strings.Contains(out, "cd "+dir+" && feedpub") {
		t.Fatalf("init = %v:\n%s", err, out)
	}
	for _, name := range []string{"config.toml", ".gitignore"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
	// The site checks clean and serves its welcome article.
	if out, _, err := runCLI(t, "check", "--strict", "--config", filepath.Join(dir, "config.toml")); err != nil {
		t.Errorf("check --strict on a new site = %v:\n%s", err, out)
	}
	p := startBinary(t, dir)
	p.waitFor(t, "/rss.xml", func(status int, body string) bool {
		return status == http.StatusOK && strings.Contains(body, "Welcome to feedpub")
	})

	// A second init changes nothing, and neither does one beside a
	// writer's articles.
	before := readBytes(t, filepath.Join(dir, "config.toml"))
	if _, _, err := runCLI(t, "init", dir); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("init over a site = %v, want a refusal", err)
	}
	if string(readBytes(t, filepath.Join(dir, "config.toml"))) != string(before) {
		t.Error("init over a site changed config.toml")
	}
	other := t.TempDir()
	os.Mkdir(filepath.Join(other, "articles"), 0o755)
	os.WriteFile(filepath.Join(other, ".gitignore"), []byte("mine\n"), 0o644)
	if _, _, err := runCLI(t, "init", other); err == nil {
		t.Error("init beside an articles directory succeeded")
	}
	if _, err := os.Stat(filepath.Join(other, "config.toml")); err == nil {
		t.Error("a refused init wrote config.toml")
	}
}

// TestInitConfigIsTheSample holds the config init writes equal to the
// repository's documented sample.
func TestInitConfigIsTheSample(t *testing.T) {
	embedded, err := skeleton.ReadFile("skeleton/config.toml")
	if err != nil {
		t.Fatal(err)
	}
	if string(embedded) != string(readBytes(t, "../../config.toml")) {
		t.Error("cmd/feedpub/skeleton/config.toml differs from config.toml: copy config.toml over it")
	}
}
