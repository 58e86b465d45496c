package server_test

import (
	"bufio"
	"bytes"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/feedpub/feedpub/internal/server"
	"github.com/feedpub/feedpub/internal/site"
)

// rawRequest sends a request line as given, bypassing the path cleaning
// of http.Client, and returns the response.
func rawRequest(t *testing.T, addr, target string) (*http.Response, []byte) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("GET " + target + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("GET %.60s: %v", target, err)
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	return resp, body.Bytes()
}

// TestPathsOutsideTheSnapshot sends traversal attempts and malformed
// paths over a connection: none reaches anything but the snapshot, and
// each gets 400 (malformed) or 404 (well-formed but unknown).
func TestPathsOutsideTheSnapshot(t *testing.T) {
	ts := newTestSite(t, 3, server.Options{})
	addr := strings.TrimPrefix(ts.url, "http://")
	tests := []struct {
		target string
		status int
	}{
		{"/../../etc/passwd", 400},
		{"/articles/../../../etc/passwd", 400},
		{"/%2e%2e/%2e%2e/etc/passwd", 400},
		{"/%2E%2E%2f%2E%2E%2fetc%2fpasswd", 400},
		{"/./rss.xml", 400},
		{"/rss.xml/.", 400},
		{"/..", 400},
		{"/rss.xml%00", 400},
		{"/%00", 400},
		{"/rss.xml%0a", 400},
		{"/" + strings.Repeat("a", 2048), 400},
		{"/" + strings.Repeat("%61", 700), 400},
		{"*", 400},
		{"//", 404},
		{"//etc/passwd", 404},
		{"/etc/passwd", 404},
		{"/..%5c..%5cetc%5cpasswd", 404},
		{"/rss.xml/", 404},
		{"/.feedpub/state.json", 404},
		{"/config.toml", 404},
		{"/" + strings.Repeat("a", 2047), 404},
		{"/rss.xml", 200},
		{"/rss.xml?x=../../etc/passwd", 200},
		{"http://test/rss.xml", 200},
	}
	for _, tt := range tests {
		resp, body := rawRequest(t, addr, tt.target)
		if resp.StatusCode != tt.status {
			t.Errorf("GET %.60s: status %d, want %d", tt.target, resp.StatusCode, tt.status)
		}
		if bytes.Contains(body, []byte("root:")) {
			t.Errorf("GET %.60s: body looks like /etc/passwd", tt.target)
		}
	}
}

// panicking is a Source that panics, standing for any bug on the way to
// a response.
type panicking struct{}

func (panicking) Snapshot() *site.Snapshot { panic("boom") }

func TestPanicIsRecovered(t *testing.T) {
	var logs bytes.Buffer
	metrics := server.NewMetrics(panicking{})
	h := server.New(panicking{}, server.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)), Metrics: metrics})
	srv := httptest.NewServer(h)
	defer srv.Close()
	for range 2 {
		resp, body := do(t, "GET", srv.URL+"/rss.xml")
		if resp.StatusCode != 500 || !strings.Contains(string(body), "internal server error") {
			t.Fatalf("status %d %q, want 500", resp.StatusCode, body)
		}
		if strings.Contains(string(body), "boom") {
			t.Error("the panic value reached the client")
		}
	}
	if !strings.Contains(logs.String(), "level=ERROR msg=\"panic serving request\"") || !strings.Contains(logs.String(), "boom") {
		t.Errorf("log = %q, want the panic logged", logs.String())
	}
}

// lines is a log destination that hands over each line written to it;
// the access log line is written after the response has gone out.
type lines chan string

func (l lines) Write(p []byte) (int, error) {
	l <- string(p)
	return len(p), nil
}

func TestAccessLog(t *testing.T) {
	logs := make(lines, 10)
	ts := newTestSite(t, 3, server.Options{AccessLog: true, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	do(t, "GET", ts.url+"/rss.xml", "Accept-Encoding", "gzip")
	line := <-logs
	for _, want := range []string{"msg=request", "method=GET", "path=/rss.xml", "status=200", "bytes=" + itoa(len(ts.snap.Lookup("/rss.xml").Gzip().Body)), "duration=", "remote=127.0.0.1:"} {
		if !strings.Contains(line, want) {
			t.Errorf("access log %q lacks %q", line, want)
		}
	}
}

func TestNoAccessLogByDefault(t *testing.T) {
	var logs bytes.Buffer
	ts := newTestSite(t, 3, server.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	do(t, "GET", ts.url+"/rss.xml")
	if logs.Len() != 0 {
		t.Errorf("log = %q, want nothing", logs.String())
	}
}
