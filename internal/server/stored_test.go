package server_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/server"
	"github.com/feedpub/feedpub/internal/site"
)

// TestStoredPages holds that an article page kept in the store (out of
// memory) is served as its bytes, in both codings and for ranges, and
// that a damaged file is never served: the request gets 503 with
// Retry-After while the page is rendered again, after which it is served
// whole.
func TestStoredPages(t *testing.T) {
	ts := newTestSite(t, 5, server.Options{})
	var path string
	for _, p := range ts.snap.Paths() {
		if strings.HasPrefix(p, "/articles/") {
			path = p
			break
		}
	}
	d := ts.snap.Lookup(path)
	file, size := d.File()
	if file == "" || d.Body != nil {
		t.Fatalf("%s is not kept in the store", path)
	}
	want, err := d.Bytes()
	if err != nil || int64(len(want)) != size {
		t.Fatalf("reading %s: %v", file, err)
	}
	get := func(header ...string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, ts.url+path, nil)
		// Set, it keeps the transport from asking for gzip itself.
		req.Header.Set("Accept-Encoding", "identity")
		for i := 0; i < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, body
	}
	if resp, body := get(); resp.StatusCode != http.StatusOK || !bytes.Equal(body, want) || resp.Header.Get("Content-Length") != itoa(len(want)) {
		t.Errorf("GET %s: %d, %d bytes, Content-Length %s; want 200 with the %d stored bytes", path, resp.StatusCode, len(body), resp.Header.Get("Content-Length"), len(want))
	}
	gz, err := d.Gzip().Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if resp, body := get("Accept-Encoding", "gzip"); resp.StatusCode != http.StatusOK || !bytes.Equal(body, gz) || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("GET %s with gzip: %d, %d bytes; want 200 with the %d stored gzip bytes", path, resp.StatusCode, len(body), len(gz))
	}
	if resp, body := get("Range", "bytes=10-19"); resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, want[10:20]) {
		t.Errorf("GET %s bytes 10-19: %d, %q; want 206 with %q", path, resp.StatusCode, body, want[10:20])
	}

	// The page just sent, damaged in place, its size kept: its file is
	// not the one checked (another modification time), so it is checked
	// again and not sent.
	if err := os.WriteFile(file, bytes.Repeat([]byte("y"), int(size)), 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(file, later, later); err != nil {
		t.Fatal(err)
	}
	if resp, body := get(); resp.StatusCode != http.StatusServiceUnavailable || bytes.Contains(body, []byte("yyyy")) {
		t.Fatalf("GET of a sent page damaged since: %d, %q; want 503, not the damaged bytes", resp.StatusCode, body)
	}
	waitServed(t, get, size)

	// Another page, not requested yet, damaged in place, its size kept.
	var other string
	for _, p := range ts.snap.Paths() {
		if strings.HasPrefix(p, "/articles/") && p != path {
			other = p
		}
	}
	ofile, osize := ts.snap.Lookup(other).File()
	if err := os.WriteFile(ofile, bytes.Repeat([]byte("x"), int(osize)), 0o644); err != nil {
		t.Fatal(err)
	}
	path = other
	resp, body := get()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || bytes.Contains(body, []byte("xxxx")) {
		t.Fatalf("GET of a damaged stored page: %d, Retry-After %q, %q; want 503 with Retry-After, not the damaged bytes", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	waitServed(t, get, osize)
}

// waitServed waits until get answers 200 with size bytes that are not
// the damage the test wrote, while the page is rendered again.
func waitServed(t *testing.T, get func(...string) (*http.Response, []byte), size int64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, body := get()
		if resp.StatusCode == http.StatusOK {
			if bytes.Contains(body, []byte("xxxx")) || bytes.Contains(body, []byte("yyyy")) || int64(len(body)) != size {
				t.Fatalf("after mending: %d bytes; want the %d rendered", len(body), size)
			}
			return
		}
		if resp.StatusCode != http.StatusServiceUnavailable || time.Now().After(deadline) {
			t.Fatalf("while mending: status %d", resp.StatusCode)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestDamagedGzipVariant holds that a stored gzip variant damaged on disk
// after it was sent, its size kept, is not sent again: the request gets
// the identity body, and the variant alone is made again, in the
// background, without rendering anything (the snapshot served and the
// document in it stay the very ones). Then gzip is sent again, its file
// holds the right bytes, and a rebuild keeps them. For an article page,
// whose entry is made per request, and a stored tag feed, whose entry
// is prepared and keeps its variant; the feed's damage is found by a Range
// request, which http.ServeContent answers.
func TestDamagedGzipVariant(t *testing.T) {
	ts := newTestSite(t, 5, server.Options{})
	var page, feed string
	for _, p := range ts.snap.Paths() {
		switch d := ts.snap.Lookup(p); {
		case !d.Stored() || d.View != nil:
		case strings.HasPrefix(p, "/articles/"):
			page = p
		case d.Kind == site.KindFeed && d.Topic != "": // a tag feed
			feed = p
		}
	}
	if page == "" || feed == "" {
		t.Fatalf("no stored article page (%q) or feed (%q) to damage", page, feed)
	}
	for _, c := range []struct {
		path   string
		ranged bool
	}{{page, false}, {feed, true}} {
		t.Run(c.path, func(t *testing.T) {
			path := c.path
			snap := ts.pub.Snapshot()
			d := snap.Lookup(path)
			body, err := d.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			good, err := d.Gzip().Bytes()
			if err != nil {
				t.Fatal(err)
			}
			file, _ := d.Gzip().File()
			u := ts.url + (&url.URL{Path: path}).EscapedPath()
			get := func(fields ...string) (*http.Response, []byte) {
				t.Helper()
				return do(t, http.MethodGet, u, append([]string{"Accept-Encoding", "gzip"}, fields...)...)
			}
			if resp, got := get(); resp.Header.Get("Content-Encoding") != "gzip" || !bytes.Equal(got, good) {
				t.Fatalf("GET with gzip: %d, Content-Encoding %q; want the %d stored gzip bytes", resp.StatusCode, resp.Header.Get("Content-Encoding"), len(good))
			}

			damaged := bytes.Clone(good)
			for i := len(damaged) / 3; i < 2*len(damaged)/3; i++ {
				damaged[i] ^= 0xff
			}
			if err := os.WriteFile(file, damaged, 0o644); err != nil {
				t.Fatal(err)
			}
			later := time.Now().Add(time.Hour)
			if err := os.Chtimes(file, later, later); err != nil {
				t.Fatal(err)
			}
			var fields []string
			status, want := http.StatusOK, body
			if c.ranged {
				fields = []string{"Range", "bytes=10-19"}
				status, want = http.StatusPartialContent, body[10:20]
			}
			resp, got := get(fields...)
			if resp.StatusCode != status || resp.Header.Get("Content-Encoding") != "" || !bytes.Equal(got, want) ||
				resp.Header.Get("Etag") != d.ETag || !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
				t.Fatalf("GET with gzip %q of a damaged variant: %d, Content-Encoding %q, ETag %s, Vary %q, %d bytes; want %d with the %d bytes of the identity body, its ETag %s, varying by Accept-Encoding",
					fields, resp.StatusCode, resp.Header.Get("Content-Encoding"), resp.Header.Get("Etag"), resp.Header.Get("Vary"), len(got), status, len(want), d.ETag)
			}

			ts.pub.Wait() // the variant made again
			if now := ts.pub.Snapshot(); now != snap || now.Lookup(path) != d {
				t.Error("the site was rendered again for a damaged gzip variant")
			}
			wantGzip := func(when string) {
				t.Helper()
				if got, _ := os.ReadFile(file); !bytes.Equal(got, good) {
					t.Errorf("%s: the variant's file holds %d other bytes; want the %d made first", when, len(got), len(good))
				}
				resp, got := get()
				if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Etag") != d.GzipETag() || !bytes.Equal(gunzip(t, got), body) {
					t.Errorf("%s: GET with gzip: %d, Content-Encoding %q, ETag %s; want gzip of the body, ETag %s",
						when, resp.StatusCode, resp.Header.Get("Content-Encoding"), resp.Header.Get("Etag"), d.GzipETag())
				}
			}
			wantGzip("once made again")
			if _, err := ts.pub.Rebuild(); err != nil {
				t.Fatal(err)
			}
			ts.pub.Wait()
			wantGzip("after a rebuild")
		})
	}
}

// gunzip returns the bytes gz decompresses to, failing t when it does
// not.
func gunzip(t *testing.T, gz []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("damaged gzip: %v", err)
	}
	return body
}

// TestArchiveFeedsAnswerLikePolledFeeds holds that an archive feed, whose
// response is prepared on each request, is answered as the main feed,
// which is prepared once per snapshot: the same caching, negotiation and
// cross-origin fields, its stored bytes in both codings, a 304 for its
// ETag, and its HTML view for a browser.
func TestArchiveFeedsAnswerLikePolledFeeds(t *testing.T) {
	ts := newTestSite(t, 50, server.Options{})
	const archive = "/archive/1/rss.xml"
	d := ts.snap.Lookup(archive)
	if d == nil || !d.Stored() || d.Topic != "" {
		t.Fatalf("%s: want a stored archive feed, got %+v", archive, d)
	}
	want, err := d.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	same := []string{"Content-Type", "Cache-Control", "Vary", "Access-Control-Allow-Origin", "X-Content-Type-Options", "Accept-Ranges"}
	main, _ := do(t, http.MethodGet, ts.url+"/rss.xml", "Accept-Encoding", "identity")
	resp, body := do(t, http.MethodGet, ts.url+archive, "Accept-Encoding", "identity")
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, want) {
		t.Fatalf("GET %s: %d, %d bytes; want 200 with the %d stored", archive, resp.StatusCode, len(body), len(want))
	}
	for _, name := range same {
		if got, ref := resp.Header.Values(name), main.Header.Values(name); !slices.Equal(got, ref) || len(got) == 0 {
			t.Errorf("%s: %s %q; the main feed sends %q", archive, name, got, ref)
		}
	}
	if resp.Header.Get("Last-Modified") == "" || resp.Header.Get("ETag") != d.ETag {
		t.Errorf("%s: Last-Modified %q, ETag %q; want a date and %s", archive, resp.Header.Get("Last-Modified"), resp.Header.Get("ETag"), d.ETag)
	}
	if resp, _ := do(t, http.MethodGet, ts.url+archive, "Accept-Encoding", "identity", "If-None-Match", d.ETag); resp.StatusCode != http.StatusNotModified {
		t.Errorf("%s with its ETag: %d; want 304", archive, resp.StatusCode)
	}
	gz, err := d.Gzip().Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if resp, body := do(t, http.MethodGet, ts.url+archive, "Accept-Encoding", "gzip"); resp.Header.Get("Content-Encoding") != "gzip" || !bytes.Equal(body, gz) {
		t.Errorf("%s with gzip: Content-Encoding %q, %d bytes; want the %d stored gzip bytes", archive, resp.Header.Get("Content-Encoding"), len(body), len(gz))
	}
	view, err := d.View.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if resp, body := do(t, http.MethodGet, ts.url+archive, "Accept", "text/html,*/*;q=0.8", "Accept-Encoding", "identity"); !bytes.Equal(body, view) || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("%s for a browser: %s, %d bytes; want its %d-byte HTML view", archive, resp.Header.Get("Content-Type"), len(body), len(view))
	}
}
