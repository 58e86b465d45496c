package server_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"testing"

	"github.com/feedpub/feedpub/internal/server"
)

// TestCompressionRoundTrip fetches every document with and without gzip:
// the gzip body decompresses to the identity body, and each encoding
// revalidates with its own tag.
func TestCompressionRoundTrip(t *testing.T) {
	ts := newTestSite(t, 20, server.Options{})
	compressed := 0
	for _, path := range ts.snap.Paths() {
		plain, identity := do(t, "GET", ts.url+path)
		resp, body := do(t, "GET", ts.url+path, "Accept-Encoding", "gzip")
		if plain.StatusCode != 200 || resp.StatusCode != 200 {
			t.Fatalf("GET %s: status %d and %d", path, plain.StatusCode, resp.StatusCode)
		}
		if resp.Header.Get("Content-Encoding") == "gzip" {
			compressed++
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("GET %s gzip: %v", path, err)
			}
			if body, err = io.ReadAll(zr); err != nil {
				t.Fatalf("GET %s gzip: %v", path, err)
			}
		}
		if !bytes.Equal(body, identity) {
			t.Errorf("GET %s: gzip body decompresses to other bytes than the identity body", path)
		}
		for _, enc := range []string{"", "gzip"} {
			orig := plain
			if enc == "gzip" {
				orig = resp
			}
			again, b := do(t, "GET", ts.url+path, "Accept-Encoding", enc, "If-None-Match", orig.Header.Get("Etag"))
			if again.StatusCode != 304 || len(b) != 0 {
				t.Errorf("GET %s %q with its ETag: status %d with %d bytes, want 304 without a body", path, enc, again.StatusCode, len(b))
			}
			if got, want := again.Header.Get("Etag"), orig.Header.Get("Etag"); got != want {
				t.Errorf("GET %s %q: 304 ETag %s, want %s", path, enc, got, want)
			}
		}
	}
	if compressed < len(ts.snap.Paths())/2 {
		t.Errorf("only %d of %d documents came gzip-compressed", compressed, len(ts.snap.Paths()))
	}
}

// TestNotModifiedPerEncoding holds that a tag of any variant of the
// current body is answered 304 with the tag the client holds, whatever
// coding it now asks for, and that a tag of an earlier body is not.
func TestNotModifiedPerEncoding(t *testing.T) {
	ts := newTestSite(t, 5, server.Options{})
	doc := ts.snap.Lookup("/atom.xml")
	for _, held := range []string{doc.ETag, doc.Gzip().ETag()} {
		for _, enc := range []string{"", "gzip", "identity", "gzip;q=0"} {
			resp, _ := do(t, "GET", ts.url+"/atom.xml", "Accept-Encoding", enc, "If-None-Match", held)
			if resp.StatusCode != 304 || resp.Header.Get("Etag") != held {
				t.Errorf("If-None-Match %s, Accept-Encoding %q: %d with ETag %s, want 304 with %s",
					held, enc, resp.StatusCode, resp.Header.Get("Etag"), held)
			}
		}
	}
	stale := doc.ETag[:len(doc.ETag)-2] + `x"`
	if resp, _ := do(t, "GET", ts.url+"/atom.xml", "If-None-Match", stale); resp.StatusCode != 200 {
		t.Errorf("If-None-Match of another body: status %d, want 200", resp.StatusCode)
	}
}
