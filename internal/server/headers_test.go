package server_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/feed"
	"github.com/feedpub/feedpub/internal/server"
	"github.com/feedpub/feedpub/internal/site"
)

// absent marks a header field that must not be in the response.
const absent = "<absent>"

// TestResponseHeaders holds the status and header fields answered to
// each kind of request.
func TestResponseHeaders(t *testing.T) {
	ts := newTestSite(t, 30, server.Options{FeedMaxAge: 5 * time.Minute})
	rss := ts.snap.Lookup("/rss.xml")
	page := ts.snap.Lookup("/")
	tag, gzTag := rss.ETag, rss.Gzip().ETag()
	lastMod := rss.LastModified.UTC().Format(http.TimeFormat)
	before := rss.LastModified.Add(-time.Hour).UTC().Format(http.TimeFormat)
	after := rss.LastModified.Add(time.Hour).UTC().Format(http.TimeFormat)
	var article string
	for _, p := range ts.snap.Paths() {
		if strings.HasPrefix(p, "/articles/") {
			article = p
			break
		}
	}

	identity200 := map[string]string{
		"Content-Type": feed.RSSContentType, "Etag": tag, "Content-Encoding": absent,
		"Content-Length": strconv.Itoa(len(rss.Body)), "Last-Modified": lastMod,
		"Cache-Control": "public, max-age=300", "Vary": "Accept, Accept-Encoding",
		"Access-Control-Allow-Origin": "*", "X-Content-Type-Options": "nosniff",
		"Content-Security-Policy": absent,
	}
	// A browser opening a feed gets its HTML view, a page: the page's
	// caching and Content-Security-Policy, varying by Accept.
	view := rss.View
	view200 := map[string]string{
		"Content-Type": site.HTMLContentType, "Etag": view.ETag, "Content-Encoding": absent,
		"Content-Length": strconv.Itoa(len(view.Body)),
		"Cache-Control":  "public, max-age=60", "Vary": "Accept, Accept-Encoding",
		"X-Content-Type-Options": "nosniff", "Access-Control-Allow-Origin": absent,
		"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' https: data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
	}
	gzip200 := map[string]string{
		"Content-Type": feed.RSSContentType, "Etag": gzTag, "Content-Encoding": "gzip",
		"Content-Length": strconv.Itoa(len(rss.Gzip().Body)), "Vary": "Accept, Accept-Encoding",
	}
	notModified := func(etag string) map[string]string {
		return map[string]string{
			"Etag": etag, "Cache-Control": "public, max-age=300", "Vary": "Accept, Accept-Encoding",
			"Content-Type": absent, "Content-Length": absent, "Content-Encoding": absent,
			"Last-Modified": absent, "X-Content-Type-Options": "nosniff",
		}
	}
	tests := []struct {
		name       string
		method     string
		path       string
		fields     []string // request header fields, name then value
		status     int
		want       map[string]string
		bodyLength int // -1: don't check
	}{
		{"GET", "GET", "/rss.xml", nil, 200, identity200, len(rss.Body)},
		{"HEAD", "HEAD", "/rss.xml", nil, 200, identity200, 0},
		{"gzip", "GET", "/rss.xml", []string{"Accept-Encoding", "gzip"}, 200, gzip200, len(rss.Gzip().Body)},
		{"HEAD gzip", "HEAD", "/rss.xml", []string{"Accept-Encoding", "gzip, deflate, br"}, 200, gzip200, 0},
		{"gzip among others", "GET", "/rss.xml", []string{"Accept-Encoding", "br;q=1.0, gzip;q=0.8, *;q=0.1"}, 200, gzip200, -1},
		{"x-gzip", "GET", "/rss.xml", []string{"Accept-Encoding", "x-gzip"}, 200, gzip200, -1},
		{"any coding", "GET", "/rss.xml", []string{"Accept-Encoding", "*"}, 200, gzip200, -1},
		{"gzip refused", "GET", "/rss.xml", []string{"Accept-Encoding", "gzip;q=0, deflate"}, 200, identity200, -1},
		{"gzip refused, any", "GET", "/rss.xml", []string{"Accept-Encoding", "gzip;q=0, *"}, 200, identity200, -1},
		{"identity only", "GET", "/rss.xml", []string{"Accept-Encoding", "identity"}, 200, identity200, -1},
		{"identity preferred", "GET", "/rss.xml", []string{"Accept-Encoding", "identity, gzip;q=0.5"}, 200, identity200, -1},
		{"identity refused", "GET", "/rss.xml", []string{"Accept-Encoding", "gzip, identity;q=0"}, 200, gzip200, -1},
		{"nothing acceptable", "GET", "/rss.xml", []string{"Accept-Encoding", "br, identity;q=0"}, 200, identity200, -1},
		{"malformed weight", "GET", "/rss.xml", []string{"Accept-Encoding", "gzip;q=2"}, 200, identity200, -1},
		{"browser", "GET", "/rss.xml", []string{"Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}, 200, view200, len(view.Body)},
		{"browser HEAD", "HEAD", "/rss.xml", []string{"Accept", "text/html"}, 200, view200, 0},
		{"browser gzip", "GET", "/rss.xml", []string{"Accept", "text/html", "Accept-Encoding", "gzip"}, 200,
			map[string]string{"Content-Type": site.HTMLContentType, "Etag": view.Gzip().ETag(), "Content-Encoding": "gzip", "Vary": "Accept, Accept-Encoding"}, len(view.Gzip().Body)},
		{"browser If-None-Match", "GET", "/rss.xml", []string{"Accept", "text/html", "If-None-Match", view.ETag}, 304,
			map[string]string{"Etag": view.ETag, "Vary": "Accept, Accept-Encoding", "Content-Type": absent}, 0},
		{"browser holding the feed", "GET", "/rss.xml", []string{"Accept", "text/html", "If-None-Match", tag}, 200, view200, len(view.Body)},
		{"browser Range", "GET", "/rss.xml", []string{"Accept", "text/html", "Range", "bytes=0-9"}, 206,
			map[string]string{"Content-Range": "bytes 0-9/" + strconv.Itoa(len(view.Body)), "Content-Type": site.HTMLContentType, "Etag": view.ETag}, 10},
		{"reader", "GET", "/rss.xml", []string{"Accept", "application/rss+xml, application/atom+xml, text/html;q=0.1"}, 200,
			map[string]string{"Content-Type": feed.RSSContentType}, -1},
		{"If-None-Match", "GET", "/rss.xml", []string{"If-None-Match", tag}, 304, notModified(tag), 0},
		{"If-None-Match HEAD", "HEAD", "/rss.xml", []string{"If-None-Match", tag}, 304, notModified(tag), 0},
		{"If-None-Match gzip", "GET", "/rss.xml", []string{"Accept-Encoding", "gzip", "If-None-Match", gzTag}, 304, notModified(gzTag), 0},
		{"If-None-Match other variant", "GET", "/rss.xml", []string{"If-None-Match", gzTag}, 304, notModified(gzTag), 0},
		{"If-None-Match other variant gzip", "GET", "/rss.xml", []string{"Accept-Encoding", "gzip", "If-None-Match", tag}, 304, notModified(tag), 0},
		{"If-None-Match list", "GET", "/rss.xml", []string{"If-None-Match", `"old", ` + tag + `, "older"`}, 304, notModified(tag), 0},
		{"If-None-Match list, both variants", "GET", "/rss.xml", []string{"Accept-Encoding", "gzip", "If-None-Match", tag + "," + gzTag}, 304, notModified(gzTag), 0},
		{"If-None-Match weak", "GET", "/rss.xml", []string{"If-None-Match", "W/" + tag}, 304, notModified(tag), 0},
		{"If-None-Match star", "GET", "/rss.xml", []string{"If-None-Match", "*"}, 304, notModified(tag), 0},
		{"If-None-Match stale", "GET", "/rss.xml", []string{"If-None-Match", `"stale"`}, 200, identity200, len(rss.Body)},
		{"If-None-Match malformed", "GET", "/rss.xml", []string{"If-None-Match", tag[1:]}, 200, identity200, -1},
		{"If-Modified-Since equal", "GET", "/rss.xml", []string{"If-Modified-Since", lastMod}, 304, notModified(tag), 0},
		{"If-Modified-Since later", "GET", "/rss.xml", []string{"If-Modified-Since", after}, 304, notModified(tag), 0},
		{"If-Modified-Since earlier", "GET", "/rss.xml", []string{"If-Modified-Since", before}, 200, identity200, -1},
		{"If-Modified-Since invalid", "GET", "/rss.xml", []string{"If-Modified-Since", "yesterday"}, 200, identity200, -1},
		{"If-Modified-Since ignored beside If-None-Match", "GET", "/rss.xml", []string{"If-None-Match", `"stale"`, "If-Modified-Since", after}, 200, identity200, -1},
		{"If-Match fails", "GET", "/rss.xml", []string{"If-Match", `"stale"`}, 412, nil, -1},
		{"Range", "GET", "/rss.xml", []string{"Range", "bytes=0-9"}, 206,
			map[string]string{"Content-Range": "bytes 0-9/" + strconv.Itoa(len(rss.Body)), "Content-Length": "10", "Etag": tag}, 10},
		{"Range of gzip", "GET", "/rss.xml", []string{"Range", "bytes=0-1", "Accept-Encoding", "gzip"}, 206,
			map[string]string{"Content-Range": "bytes 0-1/" + strconv.Itoa(len(rss.Gzip().Body)), "Content-Encoding": "gzip", "Etag": gzTag}, 2},
		{"Range stale If-Range", "GET", "/rss.xml", []string{"Range", "bytes=0-9", "If-Range", `"stale"`}, 200, nil, len(rss.Body)},
		{"page", "GET", "/", nil, 200, map[string]string{
			"Content-Type": site.HTMLContentType, "Etag": page.ETag, "Cache-Control": "public, max-age=60",
			"Vary": "Accept-Encoding", "Access-Control-Allow-Origin": absent,
			"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' https: data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
		}, len(page.Body)},
		{"page for browser", "GET", "/", []string{"Accept", "text/html"}, 200, map[string]string{"Content-Type": site.HTMLContentType}, -1},
		{"article", "GET", article, nil, 200, map[string]string{"Content-Type": site.HTMLContentType, "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' https: data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"}, -1},
		{"article without slash", "GET", strings.TrimSuffix(article, "/") + "?x=1", nil, 301, map[string]string{"Location": article + "?x=1"}, -1},
		{"stylesheet", "GET", "/style.css", nil, 200, map[string]string{"Content-Type": site.CSSContentType, "Cache-Control": "public, max-age=3600"}, -1},
		{"feed stylesheet", "GET", "/feed.xsl", nil, 200, map[string]string{"Content-Type": site.XSLContentType}, -1},
		{"JSON feed", "GET", "/feed.json", []string{"Accept", "text/html"}, 200, map[string]string{"Content-Type": feed.JSONContentType, "Vary": "Accept-Encoding", "Access-Control-Allow-Origin": "*"}, -1},
		{"not found", "GET", "/nope", nil, 404, map[string]string{"Content-Type": site.HTMLContentType, "X-Content-Type-Options": "nosniff", "Etag": absent}, len(ts.snap.NotFound.Body)},
		{"not found gzip", "GET", "/nope", []string{"Accept-Encoding", "gzip"}, 404, map[string]string{"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}, -1},
		{"health", "GET", "/healthz", nil, 200, map[string]string{"Content-Type": "application/json", "Cache-Control": "no-store"}, -1},
		{"OPTIONS", "OPTIONS", "/rss.xml", nil, 204, map[string]string{"Allow": "GET, HEAD, OPTIONS"}, 0},
		{"POST", "POST", "/rss.xml", nil, 405, map[string]string{"Allow": "GET, HEAD, OPTIONS", "Etag": absent}, -1},
		{"DELETE unknown", "DELETE", "/nope", nil, 405, map[string]string{"Allow": "GET, HEAD, OPTIONS"}, -1},
		{"metrics not served", "GET", "/metrics", nil, 404, nil, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, tt.method, ts.url+tt.path, tt.fields...)
			if resp.StatusCode != tt.status {
				t.Fatalf("%s %s %q: status %d, want %d", tt.method, tt.path, tt.fields, resp.StatusCode, tt.status)
			}
			for name, want := range tt.want {
				got, ok := resp.Header[name]
				switch {
				case want == absent && ok:
					t.Errorf("%s = %q, want none", name, got)
				case want != absent && (len(got) != 1 || got[0] != want):
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			if tt.bodyLength >= 0 && len(body) != tt.bodyLength {
				t.Errorf("body of %d bytes, want %d", len(body), tt.bodyLength)
			}
		})
	}
}
