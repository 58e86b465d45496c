package server_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/library"
	"github.com/feedpub/feedpub/internal/server"
	"github.com/feedpub/feedpub/internal/site"
	"github.com/feedpub/feedpub/internal/testcorpus"
)

// fixedSource serves one snapshot.
type fixedSource struct{ snap *site.Snapshot }

func (f fixedSource) Snapshot() *site.Snapshot { return f.snap }

// TestGzipVariantArrivesAfterCompression covers the moments between a
// swap and the end of its background compression: the document is served
// as identity, a client holding the gzip bytes still gets its 304, and the
// gzip variant is served as soon as it exists.
func TestGzipVariantArrivesAfterCompression(t *testing.T) {
	dir := t.TempDir()
	if err := testcorpus.Write(dir, testcorpus.Generate(30, 7)); err != nil {
		t.Fatal(err)
	}
	cfg := siteConfig(t, dir, "")
	lib, _, err := library.NewScanner(library.Options{Dir: dir}).Scan()
	if err != nil {
		t.Fatal(err)
	}
	b, err := site.NewBuilder(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	snap, _, err := b.Build(lib, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	base := serveOn(t, listen(t), server.New(fixedSource{snap}, server.Options{FeedMaxAge: time.Minute}))
	rss := snap.Lookup("/rss.xml")
	if rss.Gzip() != nil {
		t.Fatal("Build compressed the feed; compression belongs after the swap")
	}

	resp, _ := do(t, "GET", base+"/rss.xml", "Accept-Encoding", "gzip")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "" || resp.Header.Get("Etag") != rss.ETag {
		t.Errorf("before compression: status %d, Content-Encoding %q, ETag %q; want 200 identity %s",
			resp.StatusCode, resp.Header.Get("Content-Encoding"), resp.Header.Get("Etag"), rss.ETag)
	}
	resp, _ = do(t, "GET", base+"/rss.xml", "Accept-Encoding", "gzip", "If-None-Match", rss.GzipETag())
	if resp.StatusCode != http.StatusNotModified || resp.Header.Get("Etag") != rss.GzipETag() {
		t.Errorf("If-None-Match of the gzip variant before compression: status %d, ETag %q; want 304 %s",
			resp.StatusCode, resp.Header.Get("Etag"), rss.GzipETag())
	}

	snap.Compress()
	resp, body := do(t, "GET", base+"/rss.xml", "Accept-Encoding", "gzip")
	if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Etag") != rss.GzipETag() || len(body) != len(rss.Gzip().Body) {
		t.Errorf("after compression: Content-Encoding %q, ETag %q, %d bytes; want the gzip variant",
			resp.Header.Get("Content-Encoding"), resp.Header.Get("Etag"), len(body))
	}
}
