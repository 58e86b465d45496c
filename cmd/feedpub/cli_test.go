package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/config"
)

// buildInto runs feedpub build with the config cfg into out, and fails
// the test, with what it logged, if the build fails; when says which.
func buildInto(t *testing.T, cfg, out, when string) {
	t.Helper()
	if _, stderr, err := runCLI(t, "build", "--config", cfg, "--out", out); err != nil {
		t.Fatalf("%s: %v\n%s", when, err, stderr)
	}
}

// damageFile overwrites the file at path with as many bytes of "x".
func damageFile(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err == nil {
		err = os.WriteFile(path, bytes.Repeat([]byte("x"), len(data)), 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// damageStored damages (damageFile) every file of the document store of
// the config cfg that holds one of bodies, and returns how many it did.
func damageStored(t *testing.T, cfg string, bodies ...[]byte) int {
	t.Helper()
	damaged := 0
	err := filepath.WalkDir(filepath.Join(filepath.Dir(cfg), ".feedpub", "store"), func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, body := range bodies {
			if bytes.Equal(data, body) {
				damageFile(t, path)
				damaged++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return damaged
}

// project lays out a config and an articles directory in a temp dir and
// returns the config path.
func project(t *testing.T, articles map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	cfg := "[site]\ntitle = \"CLI test\"\nbase_url = \"http://127.0.0.1:8080/\"\n"
	if err := os.WriteFile(filepath.Join(dir, "config.toml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, body := range articles {
		path := filepath.Join(dir, "articles", filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "config.toml")
}

func runCLI(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

func seedArticle(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../../articles/000_68686de34c3f3bfb.txt")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestCheckReportsEveryProblem(t *testing.T) {
	cfg := project(t, map[string]string{
		"2024-01-01-good.txt": seedArticle(t),
		"notitle.txt":         "Date: 2024-01-01\n\nbody\n",
		"baddate.txt":         "Title: x\nDate: yesterday\n\nbody\n",
		"sub/dup1.txt":        "Title: a\nID: same\nDate: 2024-01-01\n\nbody\n",
		"sub/dup2.txt":        "Title: b\nID: same\nDate: 2024-01-01\n\nbody\n",
	})
	out, _, err := runCLI(t, "check", "--config", cfg)
	var exit exitError
	if !errors.As(err, &exit) || exit.code != 1 {
		t.Fatalf("check exited with %v, want status 1", err)
	}
	for _, want := range []string{
		filepath.Join(filepath.Dir(cfg), "articles", "notitle.txt") + ": error:",
		"baddate.txt:2: error:",
		"dup2.txt: error: duplicate id \"same\"",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "good.txt") {
		t.Errorf("check reports the good article:\n%s", out)
	}
}

func TestCheckPassesOnGoodArticles(t *testing.T) {
	cfg := project(t, map[string]string{"a.txt": seedArticle(t)})
	if out, _, err := runCLI(t, "--config", cfg, "check"); err != nil {
		t.Fatalf("check failed: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(cfg), ".feedpub")); err == nil {
		t.Error("check wrote a state file; it must only look")
	}
}

func TestConfigErrorsNameKeyAndLine(t *testing.T) {
	cfg := project(t, nil)
	if err := os.WriteFile(cfg, []byte("[site]\ntitle = \"x\"\nbase_url = \"not a url\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, "check", "--config", cfg)
	if err == nil || !strings.Contains(out, "config.toml:3: error: site.base_url") {
		t.Errorf("check = %v, output %q; want the key and line of the bad value", err, out)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"bogus"}, {"build"}, {"serve", "--no-such-flag"}} {
		_, _, err := runCLI(t, args...)
		var exit exitError
		if !errors.As(err, &exit) || exit.code != 2 {
			t.Errorf("feedpub %v = %v, want a usage error (status 2)", args, err)
		}
	}
}

func TestVersion(t *testing.T) {
	out, _, err := runCLI(t, "version")
	if err != nil || !strings.HasPrefix(out, "feedpub ") {
		t.Errorf("version = %q, %v", out, err)
	}
}

// TestBuildMatchesServe builds the site to disk, serves it, and compares
// every file with the bytes served at its URL.
func TestBuildMatchesServe(t *testing.T) {
	cfg := project(t, map[string]string{
		"000_68686de34c3f3bfb.txt": seedArticle(t),
		"sub/other.txt":            "Title: Other\nDate: 2024-01-01\n\nBody.\n",
	})
	out := filepath.Join(t.TempDir(), "site")
	if _, stderr, err := runCLI(t, "build", "--out", out, "--config", cfg); err != nil {
		t.Fatalf("build: %v\n%s", err, stderr)
	}
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve", "--config", cfg, "--listen", addr}, io.Discard, io.Discard) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve returned %v", err)
		}
	}()
	waitServing(t, addr)

	for urlPath, file := range map[string]string{
		"/rss.xml":                        "rss.xml",
		"/atom.xml":                       "atom.xml",
		"/feed.json":                      "feed.json",
		"/":                               "index.html",
		"/articles/000_68686de34c3f3bfb/": "articles/000_68686de34c3f3bfb/index.html",
		"/articles/sub/other/":            "articles/sub/other/index.html",
	} {
		want, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(file)))
		if err != nil {
			t.Errorf("build did not write %s: %v", file, err)
			continue
		}
		resp, err := http.Get("http://" + addr + urlPath)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !bytes.Equal(got, want) {
			t.Errorf("GET %s: status %d, %d bytes; built file has %d bytes", urlPath, resp.StatusCode, len(got), len(want))
		}
	}
	if !strings.Contains(readFile(t, filepath.Join(out, "rss.xml")), "Lavrov") {
		t.Error("the built RSS feed lacks the sample article")
	}
}

func TestBuildRefusesForeignDirectory(t *testing.T) {
	cfg := project(t, map[string]string{"a.txt": seedArticle(t)})
	out := t.TempDir()
	if err := os.WriteFile(filepath.Join(out, "precious.txt"), []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCLI(t, "build", "--config", cfg, "--out", out); err == nil {
		t.Fatal("build emptied a directory that is not its own output")
	}
	if readFile(t, filepath.Join(out, "precious.txt")) != "keep me" {
		t.Error("precious.txt was changed")
	}
	// A second build over its own output replaces it.
	fresh := filepath.Join(t.TempDir(), "out")
	for range 2 {
		buildInto(t, cfg, fresh, "build over its own output")
	}
}

// TestBuildRewritesOnlyChanges holds that a build over its own output
// leaves the files whose bytes did not change as they are, writes those
// that did, and removes the pages of a deleted article (with their
// directory) and any file no document has.
func TestBuildRewritesOnlyChanges(t *testing.T) {
	cfg := project(t, map[string]string{
		"kept.txt": "Title: Kept\nDate: 2024-01-01\n\nKept body.\n",
		"gone.txt": "Title: Gone\nDate: 2024-01-02\n\nGone body.\n",
	})
	out := filepath.Join(t.TempDir(), "site")
	buildInto(t, cfg, out, "build")
	kept := filepath.Join(out, "articles", "kept", "index.html")
	long := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, path := range []string{kept, filepath.Join(out, "rss.xml")} {
		if err := os.Chtimes(path, long, long); err != nil {
			t.Fatal(err)
		}
	}
	// Strays in a directory of their own and beside a kept page.
	stray := filepath.Join(out, "old", "stray.html")
	strayBeside := filepath.Join(out, "articles", "kept", "stray.html")
	for _, path := range []string{stray, strayBeside} {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("from a build long ago"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Remove(filepath.Join(filepath.Dir(cfg), "articles", "gone.txt")); err != nil {
		t.Fatal(err)
	}
	buildInto(t, cfg, out, "second build")
	if info, err := os.Stat(kept); err != nil || !info.ModTime().Equal(long) {
		t.Errorf("the unchanged page of an unchanged article was written again: %v", err)
	}
	if info, err := os.Stat(filepath.Join(out, "rss.xml")); err != nil || info.ModTime().Equal(long) || strings.Contains(readFile(t, filepath.Join(out, "rss.xml")), "Gone") {
		t.Errorf("the feed, which lost an article, was not written again: %v", err)
	}
	for _, path := range []string{filepath.Join(out, "articles", "gone"), filepath.Dir(stray), strayBeside} {
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("%s stayed after the second build: %v", path, err)
		}
	}
	if _, err := os.Stat(filepath.Join(out, buildMarker)); err != nil {
		t.Errorf("the second build left no marker: %v", err)
	}
}

// TestBuildWritesBackWhatChangedAndMendsTheStore holds that a rerun,
// which leaves alone the files it wrote last time unread, writes back a
// file changed by hand since, even with its size kept: written through
// (which, the file being a link, damages the store's file too) or
// replaced. And that a page whose file in the store was damaged
// meanwhile is rendered again rather than failing the build or writing
// the damage.
func TestBuildWritesBackWhatChangedAndMendsTheStore(t *testing.T) {
	cfg := project(t, map[string]string{
		"kept.txt":  "Title: Kept\nDate: 2024-01-01\n\nKept body.\n",
		"other.txt": "Title: Other\nDate: 2024-01-02\n\nOther body.\n",
	})
	out := filepath.Join(t.TempDir(), "site")
	buildInto(t, cfg, out, "build")
	want := map[string]string{}
	for _, page := range []string{"kept", "other"} {
		path := filepath.Join(out, "articles", page, "index.html")
		want[path] = readFile(t, path)
	}
	kept := filepath.Join(out, "articles", "kept", "index.html")
	damageFile(t, kept)
	if n := damageStored(t, cfg, []byte(want[kept])); n != 0 {
		t.Fatalf("the store still holds the page written to through the output %d times; want its file linked, and damaged with it", n)
	}
	other := filepath.Join(out, "articles", "other", "index.html")
	if err := os.Remove(other); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(other, bytes.Repeat([]byte("y"), len(want[other])), 0o644); err != nil {
		t.Fatal(err)
	}
	if n := damageStored(t, cfg, []byte(want[other])); n != 1 {
		t.Fatalf("found the page replaced in the output %d times in the store; want once", n)
	}
	buildInto(t, cfg, out, "build over a damaged store")
	for path, page := range want {
		if got := readFile(t, path); got != page {
			t.Errorf("%s, changed by hand, is now\n%s\nwant\n%s", path, got, page)
		}
	}
}

// TestBuildLinksTheFilesOfTheStore holds that build's files are hard
// links to the document store's, so that the output takes no room of its
// own, and that the 404 page, held in memory, is written; and that a
// build writes no .gz files unless asked (--gzip), even over the output
// of one that was, whose variants the store keeps.
func TestBuildLinksTheFilesOfTheStore(t *testing.T) {
	cfg := project(t, map[string]string{"a.txt": "Title: A\nDate: 2024-01-01\n\nA body.\n"})
	out := filepath.Join(t.TempDir(), "site")
	if _, stderr, err := runCLI(t, "build", "--gzip", "--config", cfg, "--out", out); err != nil {
		t.Fatalf("build --gzip: %v\n%s", err, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "articles", "a", "index.html.gz")); err != nil {
		t.Fatalf("build --gzip wrote no .gz file for the article: %v", err)
	}
	buildInto(t, cfg, out, "build")
	page, err := os.Stat(filepath.Join(out, "articles", "a", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	linked := false
	filepath.WalkDir(filepath.Join(filepath.Dir(cfg), ".feedpub", "store"), func(path string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			if info, err := os.Stat(path); err == nil && os.SameFile(info, page) {
				linked = true
			}
		}
		return err
	})
	if !linked {
		t.Error("the article's page is a file of its own, not a link to the store's")
	}
	// As os.WriteFile makes a file, readable by all but for the umask:
	// a web server may run as another user.
	written := filepath.Join(t.TempDir(), "written")
	if err := os.WriteFile(written, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(written); err != nil || page.Mode() != info.Mode() {
		t.Errorf("the article's page has mode %v; want %v, as os.WriteFile gives", page.Mode(), info.Mode())
	}
	if !strings.Contains(readFile(t, filepath.Join(out, "404.html")), "</html>") {
		t.Error("404.html is not the 404 page")
	}
	filepath.WalkDir(out, func(path string, e fs.DirEntry, err error) error {
		if strings.HasSuffix(path, ".gz") {
			t.Errorf("build without --gzip wrote %s", path)
		}
		return err
	})
}

// TestBuildRemovesThePageOfANameNotUTF8 holds that a rerun removes the
// page of a deleted article whose file name is not UTF-8, which the index
// of what a build wrote cannot hold.
func TestBuildRemovesThePageOfANameNotUTF8(t *testing.T) {
	cfg := project(t, map[string]string{
		"kept.txt":    "Title: Kept\nDate: 2024-01-01\n\nKept.\n",
		"caf\xe9.txt": "Title: Latin-1\nDate: 2024-01-02\n\nA name in Latin-1.\n",
	})
	out := filepath.Join(t.TempDir(), "site")
	buildInto(t, cfg, out, "build")
	var page string
	entries, err := os.ReadDir(filepath.Join(out, "articles"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "kept" {
			page = filepath.Join(out, "articles", e.Name())
		}
	}
	if page == "" {
		t.Fatal("no page for the article named in Latin-1")
	}
	if err := os.Remove(filepath.Join(filepath.Dir(cfg), "articles", "caf\xe9.txt")); err != nil {
		t.Fatal(err)
	}
	buildInto(t, cfg, out, "second build")
	if _, err := os.Stat(page); !os.IsNotExist(err) {
		t.Errorf("%q stayed after its article was deleted: %v", page, err)
	}
}

// TestBuildKeepsTheIndexesOfItsLastOutputs holds that builds into ever
// new directories leave no more than keptOutIndexes indexes behind, the
// newest among them.
func TestBuildKeepsTheIndexesOfItsLastOutputs(t *testing.T) {
	cfg := project(t, map[string]string{"a.txt": "Title: A\nDate: 2024-01-01\n\nA.\n"})
	var last string
	for i := range keptOutIndexes + 3 {
		last = filepath.Join(t.TempDir(), fmt.Sprint("site", i))
		buildInto(t, cfg, last, fmt.Sprint("build ", i))
	}
	builds := filepath.Join(filepath.Dir(cfg), ".feedpub", "builds")
	entries, err := os.ReadDir(builds)
	if err != nil {
		t.Fatal(err)
	}
	conf, err := config.Load(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, newest := os.Stat(outIndexFile(conf, last))
	if len(entries) != keptOutIndexes || newest != nil {
		t.Errorf("%d indexes kept, the newest %v; want %d, the newest among them", len(entries), newest, keptOutIndexes)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	for range 100 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		if handOut(addr) {
			return addr
		}
	}
	t.Fatal("no free port that was not handed out already")
	return ""
}

// handedOut holds the addresses freeAddr and freeUDPAddr returned. A port
// is free only until whoever was given it binds it, and the kernel may
// offer it again meanwhile: a Pebble test once gave feedpub and Pebble
// the same port.
var handedOut sync.Map

// handOut reports whether addr was not handed out before, and records it.
func handOut(addr string) bool {
	_, taken := handedOut.LoadOrStore(addr, true)
	return !taken
}

func waitServing(t *testing.T, addr string) {
	t.Helper()
	// The feeds are served before the pages of a first start are
	// rendered: tests that follow links wait for every page.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && strings.Contains(string(body), `"complete":true`) {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("server at %s did not come up with every page rendered", addr)
}
