package server_test

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/server"
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
