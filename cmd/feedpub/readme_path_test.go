package main

// These tests run feedpub the way the README tells a person to: the real
// binary, started in a copy of the repository with that copy as its working
// directory and the default, relative paths of config.toml. Every other
// test hands feedpub absolute temporary paths, which is how a relative
// articles directory once broke live reload without a test noticing.

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/syncbuf"
)

var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
)

// feedpubBinary builds cmd/feedpub once per test run and returns its path.
func feedpubBinary(t *testing.T) string {
	t.Helper()
	binaryOnce.Do(func() {
		dir, err := os.MkdirTemp("", "feedpub-bin")
		if err != nil {
			binaryErr = err
			return
		}
		binaryPath = filepath.Join(dir, "feedpub")
		out, err := exec.Command("go", "build", "-o", binaryPath, ".").CombinedOutput()
		if err != nil {
			binaryErr = &buildError{err, out}
		}
	})
	if binaryErr != nil {
		t.Fatalf("building feedpub: %v", binaryErr)
	}
	return binaryPath
}

type buildError struct {
	err error
	out []byte
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + string(e.out) }

// TestMain removes the binary feedpubBinary built.
func TestMain(m *testing.M) {
	code := m.Run()
	if binaryPath != "" {
		os.RemoveAll(filepath.Dir(binaryPath))
	}
	os.Exit(code)
}

// copyRepoSample copies the repository's config.toml and articles/ into
// dir/sub (sub may be ""), as a fresh clone has them.
func copyRepoSample(t *testing.T, dir, sub string) {
	t.Helper()
	dst := filepath.Join(dir, sub)
	if err := os.MkdirAll(filepath.Join(dst, "articles"), 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, "../../config.toml", filepath.Join(dst, "config.toml"))
	entries, err := os.ReadDir("../../articles")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		copyFile(t, filepath.Join("../../articles", e.Name()), filepath.Join(dst, "articles", e.Name()))
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// process is a running feedpub binary.
type process struct {
	url string // http://ADDR/
	log *syncbuf.Buffer
}

// startBinary runs feedpub in dir with args and --listen on a free port,
// and waits until it serves. The process is stopped (SIGTERM) when the test
// ends, and must exit cleanly.
func startBinary(t *testing.T, dir string, args ...string) *process {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(feedpubBinary(t), append(args, "--listen", addr)...)
	cmd.Dir = dir
	log := &syncbuf.Buffer{}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("feedpub exited with %v; its log:\n%s", err, log)
			}
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			t.Errorf("feedpub did not stop on SIGINT; its log:\n%s", log)
		}
	})
	p := &process{url: "http://" + addr + "/", log: log}
	p.waitFor(t, "/healthz", func(status int, _ string) bool { return status == http.StatusOK })
	return p
}

// waitFor fetches path until ok accepts the answer, failing the test when
// 2 s pass without it: the README promises that a change is served within
// a fraction of a second, and 2 s leaves room for a loaded machine.
func (p *process) waitFor(t *testing.T, path string, ok func(status int, body string) bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	var status int
	var body string
	for {
		status, body = fetch(p.url + strings.TrimPrefix(path, "/"))
		if ok(status, body) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: still %d after 2 s; body:\n%.2000s\nfeedpub's log:\n%s", path, status, body, p.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// fetch returns the status and body of a GET, or 0 when the server does
// not answer.
func fetch(url string) (int, string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestReadmePathLiveReload starts the binary as the README does, in every
// way a user names the articles, and makes each kind of change a writer
// makes, requiring each to be served.
func TestReadmePathLiveReload(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	cases := []struct {
		name     string
		layout   func(t *testing.T, dir string) (articles string)
		args     []string
		articles string // the articles directory, relative to the clone
	}{
		{name: "no flags", articles: "articles"},
		{name: "--articles articles", args: []string{"--articles", "articles"}, articles: "articles"},
		{name: "--config sub/config.toml", args: []string{"--config", "sub/config.toml"}, articles: "sub/articles"},
		{name: "articles is a symlink", articles: "articles", layout: func(t *testing.T, dir string) string {
			// A writer keeps the articles elsewhere and links them in.
			if err := os.Rename(filepath.Join(dir, "articles"), filepath.Join(dir, "writing")); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("writing", filepath.Join(dir, "articles")); err != nil {
				t.Fatal(err)
			}
			return "writing"
		}},
		{name: "--config is a symlink", args: []string{"--config", "linked.toml"}, articles: "articles", layout: func(t *testing.T, dir string) string {
			if err := os.Symlink("config.toml", filepath.Join(dir, "linked.toml")); err != nil {
				t.Fatal(err)
			}
			return "articles"
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			copyRepoSample(t, dir, filepath.Dir(tc.articles))
			writeDir := tc.articles
			if tc.layout != nil {
				writeDir = tc.layout(t, dir)
			}
			p := startBinary(t, dir, tc.args...)
			writerEdits(t, p, filepath.Join(dir, writeDir))
		})
	}
}

// writerEdits makes, in the articles directory dir, every kind of change a
// writer makes, and waits for each to be served.
func writerEdits(t *testing.T, p *process, dir string) {
	t.Helper()
	rssHas := func(s string) func(int, string) bool {
		return func(status int, body string) bool { return status == 200 && strings.Contains(body, s) }
	}
	rssLacks := func(s string) func(int, string) bool {
		return func(status int, body string) bool { return status == 200 && !strings.Contains(body, s) }
	}
	write := func(name, text string) {
		t.Helper()
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// A new file, written as the issue that found the bug wrote it.
	write("live.txt", "Title: Live test\nWord Count: 3\nOne two three.")
	p.waitFor(t, "/rss.xml", rssHas("Live test"))

	// An edit.
	write("live.txt", "Title: Live edited\n\nOne two three.\n")
	p.waitFor(t, "/rss.xml", rssHas("Live edited"))
	p.waitFor(t, "/rss.xml", rssLacks("Live test"))

	// A rename: the date now comes from the new name's prefix.
	if err := os.Rename(filepath.Join(dir, "live.txt"), filepath.Join(dir, "2024-03-01-live.txt")); err != nil {
		t.Fatal(err)
	}
	p.waitFor(t, "/rss.xml", rssHas("Fri, 01 Mar 2024"))

	// A new subdirectory with an article in it.
	write("deep/down/nested.txt", "Title: Nested article\n\nFrom a new directory.\n")
	p.waitFor(t, "/rss.xml", rssHas("Nested article"))

	// A draft, published by deleting its draft line.
	write("draft.txt", "Title: Draft article\nDraft: true\n\nNot yet.\n")
	write("marker.txt", "Title: Marker after draft\n\nWritten after the draft.\n")
	p.waitFor(t, "/rss.xml", rssHas("Marker after draft"))
	if _, body := fetch(p.url + "rss.xml"); strings.Contains(body, "Draft article") {
		t.Fatal("a draft was published")
	}
	write("draft.txt", "Title: Draft article\n\nNow it is out.\n")
	p.waitFor(t, "/rss.xml", rssHas("Draft article"))

	// A deletion.
	if err := os.Remove(filepath.Join(dir, "2024-03-01-live.txt")); err != nil {
		t.Fatal(err)
	}
	p.waitFor(t, "/rss.xml", rssLacks("Live edited"))
}
