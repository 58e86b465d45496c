package server_test

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/feedpub/feedpub/internal/server"
)

// reusingWriter is a ResponseWriter that keeps its header map between
// requests, as net/http's own does not: it shows the allocations of the
// handler alone.
type reusingWriter struct {
	header http.Header
	status int
	n      int
}

func (w *reusingWriter) Header() http.Header { return w.header }

func (w *reusingWriter) WriteHeader(status int) { w.status = status }

func (w *reusingWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.n += len(b)
	return len(b), nil
}

func (w *reusingWriter) reset() {
	clear(w.header)
	w.status, w.n = 0, 0
}

// benchmarkHandler serves /rss.xml of a 1,000-article site (a 20-item
// feed) with the given request header fields and wants status.
func benchmarkHandler(b *testing.B, status int, fields func(*testSite) []string) {
	ts := newTestSite(b, 1000, server.Options{Metrics: nil})
	h := server.New(ts.pub, server.Options{Metrics: server.NewMetrics(ts.pub)})
	req := httptest.NewRequest("GET", "/rss.xml", nil)
	f := fields(ts)
	for i := 0; i+1 < len(f); i += 2 {
		req.Header.Set(f[i], f[i+1])
	}
	b.Run("reused-header", func(b *testing.B) {
		w := &reusingWriter{header: http.Header{}}
		b.ReportAllocs()
		for b.Loop() {
			w.reset()
			h.ServeHTTP(w, req)
		}
		if w.status != status {
			b.Fatalf("status %d, want %d", w.status, status)
		}
		b.SetBytes(int64(w.n))
	})
	// What the plain net/http way costs, for comparison: the same
	// document through http.ServeContent.
	doc := ts.snap.Lookup("/rss.xml")
	body, etag := doc.Body, doc.ETag
	if req.Header.Get("Accept-Encoding") == "gzip" {
		body, etag = doc.Gzip().Body, doc.Gzip().ETag()
	}
	b.Run("servecontent", func(b *testing.B) {
		w := &reusingWriter{header: http.Header{}}
		b.ReportAllocs()
		for b.Loop() {
			w.reset()
			w.header.Set("Content-Type", doc.ContentType)
			w.header.Set("ETag", etag)
			w.header.Set("Cache-Control", "public, max-age=300")
			http.ServeContent(w, req, "", doc.LastModified, bytes.NewReader(body))
		}
		if w.status != status {
			b.Fatalf("status %d, want %d", w.status, status)
		}
	})
	b.Run("recorder", func(b *testing.B) {
		b.ReportAllocs()
		var w *httptest.ResponseRecorder
		for b.Loop() {
			w = httptest.NewRecorder()
			h.ServeHTTP(w, req)
		}
		if w.Code != status {
			b.Fatalf("status %d, want %d", w.Code, status)
		}
	})
}

func BenchmarkHandlerIdentity(b *testing.B) {
	benchmarkHandler(b, 200, func(*testSite) []string { return nil })
}

func BenchmarkHandlerGzip(b *testing.B) {
	benchmarkHandler(b, 200, func(*testSite) []string { return []string{"Accept-Encoding", "gzip"} })
}

func BenchmarkHandlerNotModified(b *testing.B) {
	benchmarkHandler(b, 304, func(ts *testSite) []string {
		return []string{"Accept-Encoding", "gzip", "If-None-Match", ts.snap.Lookup("/rss.xml").Gzip().ETag()}
	})
}

// BenchmarkHandlerBrowserQValues is a browser's request with a full
// q-value Accept-Encoding parse and the Accept negotiation.
func BenchmarkHandlerBrowserQValues(b *testing.B) {
	benchmarkHandler(b, 200, func(*testSite) []string {
		return []string{"Accept-Encoding", "gzip;q=1.0, identity;q=0.5, *;q=0", "Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
	})
}

// BenchmarkRoundTrip sends requests for /rss.xml one after another on one
// loopback connection to net/http serving the Handler, as feedpub serve
// does. The client reads each response into a reused buffer without
// allocating, so allocs/op are the server's.
func BenchmarkRoundTrip(b *testing.B) {
	ts := newTestSite(b, 1000, server.Options{Metrics: nil})
	h := server.New(ts.pub, server.Options{Metrics: server.NewMetrics(ts.pub)})
	url := serveOn(b, listen(b), h)
	rss := ts.snap.Lookup("/rss.xml")
	requests := []struct {
		name, fields string
		status       string
	}{
		{"identity", "", "200"},
		{"gzip", "Accept-Encoding: gzip\r\n", "200"},
		{"304", "Accept-Encoding: gzip\r\nIf-None-Match: " + rss.Gzip().ETag() + "\r\n", "304"},
	}
	for _, rq := range requests {
		b.Run(rq.name, func(b *testing.B) {
			conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close()
			req := []byte("GET /rss.xml HTTP/1.1\r\nHost: bench\r\nUser-Agent: bench/1.0\r\n" + rq.fields + "\r\n")
			br := bufio.NewReaderSize(conn, 128<<10)
			statusLine := []byte("HTTP/1.1 " + rq.status + " ")
			b.ReportAllocs()
			for b.Loop() {
				if _, err := conn.Write(req); err != nil {
					b.Fatal(err)
				}
				if err := readResponse(br, statusLine, rq.status == "304"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// readResponse reads a response that has a Content-Length, or none as
// a 304, and checks its status line starts with statusLine, without
// allocating.
func readResponse(br *bufio.Reader, statusLine []byte, notModified bool) error {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(line, statusLine) {
		return fmt.Errorf("status line %q, want %q", line, statusLine)
	}
	length := 0
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(line) <= 2 {
			break
		}
		if v, ok := bytes.CutPrefix(line, []byte("Content-Length: ")); ok {
			length, _ = strconv.Atoi(string(bytes.TrimSpace(v)))
		}
	}
	if notModified {
		length = 0
	}
	_, err = br.Discard(length)
	return err
}
