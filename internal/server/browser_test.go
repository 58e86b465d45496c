package server_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/server"
)

// chromium returns the path of the Chromium binary, skipping the test
// when there is none, except in CI, where the browser must be there.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed (apt-get install chromium)")
	}
	t.Skip("chromium is not installed; skipping the browser test (apt-get install chromium)")
	return ""
}

// browse runs headless Chromium on url with the given mode flag
// (--dump-dom, --screenshot=FILE) and returns what it printed and its
// log, which holds the page's console messages.
func browse(t *testing.T, bin, mode, url string) (out, log []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--enable-logging=stderr", "--v=0",
		"--user-data-dir="+t.TempDir(), "--window-size=1000,1400", mode, url)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %s %s: %v\n%s", mode, url, err, stderr.Bytes())
	}
	return out, stderr.Bytes()
}

// xsltMessages returns the lines of a Chromium log that mention XSLT,
// such as its console warning that XSLT is being removed.
func xsltMessages(log []byte) string {
	var lines []string
	for line := range strings.SplitSeq(string(log), "\n") {
		if strings.Contains(line, "XSLT") {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "\n")
}

// TestBrowserShowsFeeds opens the RSS and Atom feeds in headless
// Chromium, which asks for text/html first: it must get the feed's HTML
// view, a page listing every item, without XSLT, which browsers are
// removing (Chromium logs a deprecation warning for any page that uses
// it). FEEDPUB_SCREENSHOTS names a directory to keep screenshots of the
// pages in.
func TestBrowserShowsFeeds(t *testing.T) {
	bin := chromium(t)
	// The site's base URL is the server's own address, so the page's
	// links and stylesheet point back at it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := siteConfig(t, t.TempDir(), "http://"+ln.Addr().String()+"/")
	p := publishCorpus(t, 6, cfg)
	base := serveOn(t, ln, server.New(p, server.Options{FeedMaxAge: time.Minute}))

	var rss struct {
		Titles []string `xml:"channel>item>title"`
	}
	if err := xml.Unmarshal(p.Snapshot().Lookup("/rss.xml").Body, &rss); err != nil {
		t.Fatal(err)
	}
	if len(rss.Titles) == 0 {
		t.Fatal("the feed has no items")
	}
	text := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\u00a0", "&nbsp;")
	for _, path := range []string{"/rss.xml", "/atom.xml"} {
		url := base + path
		out, log := browse(t, bin, "--dump-dom", url)
		dom := string(out)
		if msg := xsltMessages(log); msg != "" {
			t.Errorf("%s in the browser used XSLT:\n%s", path, msg)
		}
		wants := []string{"web feed", "<pre>" + url + "</pre>", `<ol class="articles">`, `<link rel="stylesheet" href="` + base + `/style.css">`}
		for _, title := range rss.Titles {
			wants = append(wants, text.Replace(title))
		}
		for _, want := range wants {
			if !strings.Contains(dom, want) {
				t.Errorf("%s in the browser lacks %q; the page is:\n%.3000s", path, want, dom)
			}
		}
		shot := filepath.Join(t.TempDir(), "feed.png")
		if dir := os.Getenv("FEEDPUB_SCREENSHOTS"); dir != "" {
			shot = filepath.Join(dir, strings.TrimPrefix(path, "/")+".png")
		}
		if _, log := browse(t, bin, "--screenshot="+shot, url); xsltMessages(log) != "" {
			t.Errorf("%s in the browser used XSLT:\n%s", path, xsltMessages(log))
		}
		if png, err := os.ReadFile(shot); err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
			t.Errorf("%s: no screenshot (%v)", path, err)
		}
	}
}
