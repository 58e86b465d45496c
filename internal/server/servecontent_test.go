package server_test

import (
	"bytes"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/server"
)

// TestFastPathMatchesServeContent holds every answer of the handler to
// what http.ServeContent answers for the same document variant, given the
// same header fields to start from: status, header fields and body, for
// every kind of request. The only intended difference is that an encoded
// 200 carries its Content-Length, which ServeContent leaves out (net/http
// then sends it chunked). Answers to a tag of another variant are not
// compared: ServeContent knows one tag (see TestNotModifiedPerEncoding).
func TestFastPathMatchesServeContent(t *testing.T) {
	ts := newTestSite(t, 10, server.Options{FeedMaxAge: time.Minute})
	for _, path := range []string{"/rss.xml", "/", "/style.css"} {
		doc := ts.snap.Lookup(path)
		for _, enc := range []string{"", "gzip"} {
			body, tag := doc.Body, doc.ETag
			if enc == "gzip" {
				body, tag = doc.Gzip().Body, doc.Gzip().ETag()
			}
			lastMod := doc.LastModified.UTC().Format(http.TimeFormat)
			before := doc.LastModified.Add(-time.Second).UTC().Format(http.TimeFormat)
			after := doc.LastModified.Add(time.Second).UTC().Format(http.TimeFormat)

			// The reference starts from the handler's own header fields,
			// minus those ServeContent sets itself.
			plain, _ := do(t, "GET", ts.url+path, "Accept-Encoding", enc)
			preset := plain.Header.Clone()
			for _, k := range []string{"Content-Length", "Last-Modified", "Accept-Ranges", "Date"} {
				preset.Del(k)
			}
			ref := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				maps.Copy(w.Header(), preset.Clone())
				http.ServeContent(w, r, "", doc.LastModified, bytes.NewReader(body))
			}))
			defer ref.Close()

			kinds := []struct {
				name   string
				fields []string
			}{
				{"plain", nil},
				{"If-None-Match", []string{"If-None-Match", tag}},
				{"If-None-Match stale", []string{"If-None-Match", `"stale"`}},
				{"If-None-Match list", []string{"If-None-Match", `"a", ` + tag + `,"b"`}},
				{"If-None-Match weak", []string{"If-None-Match", "W/" + tag}},
				{"If-None-Match star", []string{"If-None-Match", "*"}},
				{"If-None-Match malformed", []string{"If-None-Match", "stale"}},
				{"If-Modified-Since before", []string{"If-Modified-Since", before}},
				{"If-Modified-Since equal", []string{"If-Modified-Since", lastMod}},
				{"If-Modified-Since after", []string{"If-Modified-Since", after}},
				{"If-Modified-Since invalid", []string{"If-Modified-Since", "soon"}},
				{"both, tag stale", []string{"If-None-Match", `"stale"`, "If-Modified-Since", after}},
				{"both, tag current", []string{"If-None-Match", tag, "If-Modified-Since", before}},
				{"Range", []string{"Range", "bytes=0-9"}},
				{"Range suffix", []string{"Range", "bytes=-5"}},
				{"Range unsatisfiable", []string{"Range", "bytes=99999999-"}},
				{"Range malformed", []string{"Range", "bytes=x"}},
				{"Range If-Range current", []string{"Range", "bytes=0-9", "If-Range", tag}},
				{"Range If-Range stale", []string{"Range", "bytes=0-9", "If-Range", `"stale"`}},
				{"If-Match", []string{"If-Match", tag}},
				{"If-Match stale", []string{"If-Match", `"stale"`}},
				{"If-Unmodified-Since before", []string{"If-Unmodified-Since", before}},
				{"If-Unmodified-Since after", []string{"If-Unmodified-Since", after}},
			}
			for _, method := range []string{"GET", "HEAD"} {
				for _, k := range kinds {
					fields := append([]string{"Accept-Encoding", enc}, k.fields...)
					got, gotBody := do(t, method, ts.url+path, fields...)
					want, wantBody := do(t, method, ref.URL, fields...)
					name := method + " " + path + " " + enc + " " + k.name
					if got.StatusCode != want.StatusCode {
						t.Errorf("%s: status %d, ServeContent %d", name, got.StatusCode, want.StatusCode)
						continue
					}
					compareHeaders(t, name, got.Header, want.Header)
					if !bytes.Equal(gotBody, wantBody) {
						t.Errorf("%s: body of %d bytes differs from ServeContent's %d", name, len(gotBody), len(wantBody))
					}
				}
			}
		}
	}
}

func compareHeaders(t *testing.T, name string, got, want http.Header) {
	t.Helper()
	got, want = got.Clone(), want.Clone()
	got.Del("Date")
	want.Del("Date")
	if want.Get("Content-Length") == "" && got.Get("Content-Encoding") != "" && got.Get("Content-Length") != "" {
		got.Del("Content-Length") // the intended difference
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if !slices.Equal(got[k], want[k]) {
			t.Errorf("%s: %s = %q, ServeContent %q", name, k, got[k], want[k])
		}
	}
	for k := range want {
		if _, ok := got[k]; !ok {
			t.Errorf("%s: %s missing, ServeContent %q", name, k, want[k])
		}
	}
}
