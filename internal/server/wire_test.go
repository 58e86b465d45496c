package server_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/server"
)

// twins serve one Handler twice: through a server.Server (the wire
// path, handing off to net/http) and through a plain http.Server.
type twins struct {
	ts    *testSite
	wire  string // address
	plain string // address
	// handedOff counts the connections the wire path gave to net/http.
	handedOff atomic.Int64
}

func newTwins(t testing.TB) *twins {
	tw := &twins{ts: newTestSite(t, 30, server.Options{})}
	hs := &http.Server{Handler: tw.ts.handler, ConnState: func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			tw.handedOff.Add(1)
		}
	}}
	tw.wire = strings.TrimPrefix(serveWireWith(t, listen(t), tw.ts.handler, hs), "http://")
	plain := httptest.NewServer(tw.ts.handler)
	t.Cleanup(plain.Close)
	tw.plain = strings.TrimPrefix(plain.URL, "http://")
	return tw
}

// exchange sends raw on a new connection to addr, closes its sending
// side, and returns everything the server sent until it closed.
func exchange(t testing.TB, addr, raw string) []byte {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	conn.(*net.TCPConn).CloseWrite()
	got, err := io.ReadAll(conn)
	if err != nil && !errors.Is(err, net.ErrClosed) && !strings.Contains(err.Error(), "reset by peer") {
		t.Fatalf("reading the answer to %.80q: %v", raw, err)
	}
	return got
}

var dateField = regexp.MustCompile(`(?m)^Date: [^\r\n]*`)

// same sends raw to both servers and fails unless they answer with the
// same bytes, the Date aside.
func (tw *twins) same(t testing.TB, raw string) {
	t.Helper()
	wire := dateField.ReplaceAll(exchange(t, tw.wire, raw), []byte("Date: *"))
	plain := dateField.ReplaceAll(exchange(t, tw.plain, raw), []byte("Date: *"))
	if !bytes.Equal(wire, plain) {
		i := 0
		for i < len(wire) && i < len(plain) && wire[i] == plain[i] {
			i++
		}
		from := max(0, i-200)
		t.Errorf("for %.300q the answers differ at byte %d of %d (wire path) and %d (net/http):\nwire path: …%.600q\nnet/http:  …%.600q",
			raw, i, len(wire), len(plain), wire[from:], plain[from:])
	}
}

// commonRequests are the requests feed readers, aggregators and browsers
// send, for every kind of document: the wire path answers them all.
func commonRequests(ts *testSite) []string {
	var reqs []string
	paths := []string{"/", "/rss.xml", "/atom.xml", "/feed.json", "/style.css", "/feed.xsl", "/tags/", "/feeds.opml"}
	for _, p := range ts.snap.Paths() {
		if strings.HasPrefix(p, "/articles/") || strings.HasPrefix(p, "/archive/") {
			paths = append(paths, p)
			break
		}
	}
	for _, p := range paths {
		d := ts.snap.Lookup(p)
		if d == nil {
			continue
		}
		gzipETag := d.GzipETag()
		lastModified := d.LastModified.UTC().Format(http.TimeFormat)
		for _, method := range []string{"GET", "HEAD"} {
			for _, fields := range []string{
				"",
				"Accept-Encoding: gzip\r\n",
				"Accept-Encoding: gzip, deflate, br, zstd\r\n",
				"Accept-Encoding: gzip;q=0\r\n",
				"Accept-Encoding: identity;q=0.5, x-gzip\r\n",
				"Accept-Encoding: br\r\n",
				"If-None-Match: " + d.ETag + "\r\n",
				"If-None-Match: W/" + d.ETag + "\r\n",
				"If-None-Match: \"stale\", " + gzipETag + "\r\n",
				"Accept-Encoding: gzip\r\nIf-None-Match: " + gzipETag + "\r\n",
				"Accept-Encoding: gzip\r\nIf-None-Match: " + d.ETag + "\r\n",
				"If-None-Match: *\r\n",
				"If-None-Match: \"stale\"\r\n",
				"If-Modified-Since: " + lastModified + "\r\n",
				"If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT\r\n",
				"If-Modified-Since: yesterday\r\n",
				"If-None-Match: \"stale\"\r\nIf-Modified-Since: " + lastModified + "\r\n",
				"Accept: application/rss+xml, application/atom+xml, */*\r\n",
				"User-Agent: reader/1.0\r\nConnection: keep-alive\r\nAccept-Encoding: gzip\r\n",
				"Connection: close\r\n",
			} {
				reqs = append(reqs, method+" "+p+" HTTP/1.1\r\nHost: feeds.example\r\n"+fields+"\r\n")
			}
		}
	}
	return reqs
}

// otherRequests are requests net/http answers.
var otherRequests = []string{
	"GET /rss.xml?x=1 HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET //rss.xml HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET http://x/rss.xml HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /rss.xml HTTP/1.0\r\n\r\n",
	"GET /rss.xml HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
	"POST /rss.xml HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc",
	"OPTIONS /rss.xml HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /rss.xml HTTP/1.1\r\n\r\n",
	"GET /rss.xml HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
	"GET /rss.xml HTTP/1.1\nHost: x\n\n",
	"GET /rss.xml HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
	"GET /rss.xml HTTP/1.1\r\nHost: x\r\nBad Name: y\r\n\r\n",
	"GET /rss.xml HTTP/1.1\r\nHost: x\r\nX: a\x01b\r\n\r\n",
	// A browser opening a feed gets its HTML view from the Handler.
	"GET /rss.xml HTTP/1.1\r\nHost: x\r\nAccept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\nAccept-Encoding: gzip, deflate\r\n\r\n",
	"GET /atom.xml HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\n\r\n",
	"GET /rss.xml HTTP/1.1\r\nHost: x\r\nRange: bytes=0-9\r\n\r\n",
	"GET /rss.xml HTTP/1.1\r\nHost: x\r\nIf-Match: \"x\"\r\n\r\n",
	"GET /rss.xml HTTP/1.1\r\nHost: x\r\nIf-Unmodified-Since: Sat, 01 Jan 2000 00:00:00 GMT\r\n\r\n",
	"GET /rss.xml HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab",
	"GET /rss.xml HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	"GET /rss.xml HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nAccept-Encoding: identity\r\n\r\n",
	"GET /rss.xml HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\n",
	"GET /rss.xml HTTP/1.1\r\nHost: x\r\nCookie: " + strings.Repeat("c", 6000) + "\r\n\r\n",
	"GET /rss.xml HTTP/1.1\r\nHost: x\r\nCookie: " + strings.Repeat("c", 1<<20) + "\r\n\r\n",
	"GET /rss.xml HTTP/1.1\r\nHost: x\r\nAccept-Enc",   // cut short
	"GET /rss.xml HTTP/1.1\r\nHost: x\r\n\r\nGET /rss", // the second cut short
	"\r\nGET /rss.xml HTTP/1.1\r\nHost: x\r\n\r\n",
	"garbage\r\n\r\n",
}

// TestWireMatchesNetHTTP sends every kind of request to the wire path and
// to plain net/http: the answers are the same bytes. The common requests
// are answered on the wire path, without net/http.
func TestWireMatchesNetHTTP(t *testing.T) {
	tw := newTwins(t)
	common := commonRequests(tw.ts)
	for _, raw := range common {
		tw.same(t, raw)
	}
	if n := tw.handedOff.Load(); n != 0 {
		t.Errorf("%d of %d common requests went to net/http, want none", n, len(common))
	}
	for _, raw := range otherRequests {
		tw.same(t, raw)
	}
	// Pipelined: the wire path answers the first ones, net/http the rest
	// from the request it does not take on.
	for i := 0; i+3 < len(common); i += 7 {
		tw.same(t, common[i]+common[i+1]+otherRequests[i%len(otherRequests)]+common[i+2]+common[i+3])
	}
}

// FuzzWireMatchesNetHTTP holds the wire path to net/http's answers for any
// bytes a client sends.
func FuzzWireMatchesNetHTTP(f *testing.F) {
	tw := newTwins(f)
	for _, raw := range commonRequests(tw.ts) {
		f.Add(raw)
	}
	for _, raw := range otherRequests {
		if len(raw) < 8000 {
			f.Add(raw)
		}
	}
	f.Fuzz(func(t *testing.T, raw string) {
		tw.same(t, raw)
	})
}

// TestWireCutsOffSlowHeads: a client that sends its head a byte at a time
// is cut off after the header timeout, on the wire path as on net/http.
func TestWireCutsOffSlowHeads(t *testing.T) {
	ts := newTestSite(t, 3, server.Options{})
	addr := serveWireWith(t, listen(t), ts.handler, &http.Server{Handler: ts.handler, ReadHeaderTimeout: 300 * time.Millisecond})
	conn := dial(t, addr)
	head := "GET /rss.xml HTTP/1.1\r\nHost: x\r\nUser-Agent: " + strings.Repeat("s", 100) + "\r\n\r\n"
	start := time.Now()
	for i := range len(head) {
		if _, err := conn.Write([]byte{head[i]}); err != nil {
			break // cut off
		}
		time.Sleep(20 * time.Millisecond)
		if time.Since(start) > 10*time.Second {
			t.Fatal("still connected after 10 s")
		}
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := conn.Read(make([]byte, 1)); n != 0 || err == nil {
		t.Errorf("read %d bytes, %v; want the connection closed without an answer", n, err)
	}
}

// TestWireClosesIdleConnections: a connection waiting for its next
// request is closed after the idle timeout.
func TestWireClosesIdleConnections(t *testing.T) {
	ts := newTestSite(t, 3, server.Options{})
	addr := serveWireWith(t, listen(t), ts.handler, &http.Server{Handler: ts.handler, IdleTimeout: 200 * time.Millisecond})
	conn := dial(t, addr)
	io.WriteString(conn, "GET /rss.xml HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := br.ReadByte(); err != io.EOF {
		t.Errorf("idle connection: %v, want it closed by the server (EOF)", err)
	}
}

// TestWireShutdownDrains: Shutdown closes idle connections at once, lets
// a response in progress finish, and returns once it has.
func TestWireShutdownDrains(t *testing.T) {
	// A site with a large media file, whose response outlasts every
	// buffer on the way.
	dir := t.TempDir()
	cfg := siteConfig(t, dir, "")
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<20)
	if err := os.WriteFile(filepath.Join(dir, "big.mp3"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	p := publishCorpus(t, 3, cfg)
	if d := p.Snapshot().Lookup("/media/big.mp3"); d == nil || !bytes.Equal(d.Body, big) {
		t.Fatal("the site does not serve /media/big.mp3")
	}
	h := server.New(p, server.Options{})
	srv := server.NewServer(h, &http.Server{Handler: h})
	ln := listen(t)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	addr := ln.Addr().String()

	idle := dial(t, addr)
	io.WriteString(idle, "HEAD /rss.xml HTTP/1.1\r\nHost: x\r\n\r\n")
	idleReader := bufio.NewReader(idle)
	if _, err := http.ReadResponse(idleReader, &http.Request{Method: "HEAD"}); err != nil {
		t.Fatal(err)
	}

	// A client that asks for the large file and does not read yet: the
	// response stays in flight.
	busy := dialSmallWindow(t, addr)
	io.WriteString(busy, "GET /media/big.mp3 HTTP/1.1\r\nHost: x\r\n\r\n")
	time.Sleep(100 * time.Millisecond) // the server is writing

	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(context.Background()) }()

	idle.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := idleReader.ReadByte(); err != io.EOF {
		t.Errorf("idle connection: %v, want EOF at shutdown", err)
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned %v with a response in flight", err)
	case <-time.After(200 * time.Millisecond):
	}
	// Read the response in flight: it is whole, and the connection then
	// closes.
	br := bufio.NewReader(busy)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	if err != nil || !bytes.Equal(got, big) {
		t.Errorf("response in flight: %d bytes, %v; want the %d of big.mp3", len(got), err, len(big))
	}
	if _, err := br.ReadByte(); err != io.EOF {
		t.Errorf("after the response in flight: %v, want EOF", err)
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := <-served; err != http.ErrServerClosed {
		t.Errorf("Serve: %v, want http.ErrServerClosed", err)
	}
}

// TestWireShutdownGivesUp: when the context ends first, Shutdown closes
// every connection and says so.
func TestWireShutdownGivesUp(t *testing.T) {
	ts := newTestSite(t, 50, server.Options{})
	srv := server.NewServer(ts.handler, &http.Server{Handler: ts.handler})
	ln := listen(t)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	stuck := dialSmallWindow(t, ln.Addr().String())
	io.WriteString(stuck, strings.Repeat("GET /rss.xml HTTP/1.1\r\nHost: x\r\n\r\n", 400))
	time.Sleep(100 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := srv.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown: %v, want context.DeadlineExceeded", err)
	}
	if err := <-served; err != http.ErrServerClosed {
		t.Errorf("Serve: %v, want http.ErrServerClosed", err)
	}
	stuck.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.Copy(io.Discard, stuck); err != nil && !strings.Contains(err.Error(), "reset") {
		t.Errorf("the stuck connection: %v, want it closed", err)
	}
}

// TestWirePanicIsRecovered: a panic on the wire path is logged and
// answered 500, like one under net/http.
func TestWirePanicIsRecovered(t *testing.T) {
	logs := make(lines, 10)
	h := server.New(panicking{}, server.Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	addr := strings.TrimPrefix(serveWire(t, listen(t), h), "http://")
	got := exchange(t, addr, "GET /rss.xml HTTP/1.1\r\nHost: x\r\n\r\nGET /rss.xml HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(got)), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 500 || string(body) != "500 internal server error\n" || !resp.Close {
		t.Errorf("answer %d %q (close %v), want 500 and the connection closed", resp.StatusCode, body, resp.Close)
	}
	if line := <-logs; !strings.Contains(line, "level=ERROR msg=\"panic serving request\"") || !strings.Contains(line, "boom") {
		t.Errorf("log = %q, want the panic logged", line)
	}
}

// dial connects to the server at url (or an address), until the test
// ends.
func dial(t *testing.T, url string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// dialSmallWindow connects to addr with a receive buffer of 2 KB, so
// that a response the client does not read stays in flight.
func dialSmallWindow(t *testing.T, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		var err error
		c.Control(func(fd uintptr) {
			err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 2<<10)
		})
		return err
	}}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}
