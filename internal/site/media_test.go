package site_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/library"
	"github.com/feedpub/feedpub/internal/server"
	"github.com/feedpub/feedpub/internal/site"
	"github.com/feedpub/feedpub/internal/state"
)

// snapshotSource serves one snapshot.
type snapshotSource struct{ snap *site.Snapshot }

func (s snapshotSource) Snapshot() *site.Snapshot { return s.snap }

var mediaCorpus = map[string]string{
	"post.md":           "# Post\n\n![chart](img/chart.png)\n",
	"img/chart.png":     "\x89PNG\r\n\x1a\nchart",
	"img/photo one.JPG": "\xff\xd8\xffjpeg",
	"drawing.svg":       `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`,
	"audio/ep1.mp3":     "ID3mp3",
	"doc.pdf":           "%PDF-1.7",
	"huge.mp4":          strings.Repeat("v", 200),
	"img/.hidden.png":   "hidden",
	"notes/readme.xyz":  "not media",
}

func TestMediaServed(t *testing.T) {
	dir := t.TempDir()
	writeCorpus(t, dir, mediaCorpus)
	cfg := testConfig(dir)
	st := state.New()
	sc := library.NewScanner(library.Options{Dir: dir, State: st, MediaMaxBytes: 100, RacyWindow: -1})
	lib, _, err := sc.Scan()
	if err != nil {
		t.Fatal(err)
	}
	b, err := site.NewBuilder(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	snap, _, err := b.Build(lib, now)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(snapshotSource{snap}, server.Options{}))
	defer srv.Close()

	tests := []struct {
		path, contentType, body string
	}{
		{"/media/img/chart.png", "image/png", mediaCorpus["img/chart.png"]},
		{"/media/img/photo%20one.JPG", "image/jpeg", mediaCorpus["img/photo one.JPG"]},
		{"/media/drawing.svg", "image/svg+xml", mediaCorpus["drawing.svg"]},
		{"/media/audio/ep1.mp3", "audio/mpeg", mediaCorpus["audio/ep1.mp3"]},
		{"/media/doc.pdf", "application/pdf", mediaCorpus["doc.pdf"]},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp := get(t, srv.URL+tt.path, "")
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			etag := resp.Header.Get("ETag")
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != tt.contentType || string(body) != tt.body || etag == "" {
				t.Fatalf("GET %s = %d %q ETag %q, body %q; want 200 %s with the file", tt.path, resp.StatusCode, resp.Header.Get("Content-Type"), etag, body, tt.contentType)
			}
			if lm, err := http.ParseTime(resp.Header.Get("Last-Modified")); err != nil || !lm.Equal(fixedTime) {
				t.Errorf("GET %s Last-Modified = %q, want the file's modification time %v", tt.path, resp.Header.Get("Last-Modified"), fixedTime)
			}
			again := get(t, srv.URL+tt.path, etag)
			again.Body.Close()
			if again.StatusCode != http.StatusNotModified {
				t.Errorf("GET %s If-None-Match %s = %d, want 304", tt.path, etag, again.StatusCode)
			}
		})
	}
	for _, path := range []string{"/media/huge.mp4", "/media/img/.hidden.png", "/media/notes/readme.xyz", "/media/post.md"} {
		resp := get(t, srv.URL+path, "")
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, resp.StatusCode)
		}
	}
	if svg := snap.Lookup("/media/drawing.svg"); svg.ContentSecurityPolicy != site.SVGContentSecurityPolicy ||
		!strings.Contains(svg.ContentSecurityPolicy, "default-src 'none'") {
		t.Errorf("SVG ContentSecurityPolicy = %q, want one that blocks scripts", svg.ContentSecurityPolicy)
	}
	if png := snap.Lookup("/media/img/chart.png"); png.ContentSecurityPolicy != "" || png.Kind != site.KindMedia {
		t.Errorf("PNG document = %+v, want KindMedia without a policy", png)
	}

	// A rebuild with nothing changed keeps every media document as it
	// was, without hashing the files again.
	lib, _, err = sc.Scan()
	if err != nil {
		t.Fatal(err)
	}
	next, _, err := b.Build(lib, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if next.Lookup("/media/img/chart.png") != snap.Lookup("/media/img/chart.png") {
		t.Error("an unchanged media file got a new document")
	}
}

func get(t *testing.T, url, ifNoneMatch string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ifNoneMatch != "" {
		req.Header.Set("If-None-Match", ifNoneMatch)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}
