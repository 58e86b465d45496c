package server_test

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/feedpub/feedpub/internal/server"
)

// TestPipelinedResponsesInOrder pipelines requests of every size and kind
// on one connection: each response arrives whole and in order, with the
// body of its document, the unknown path's 404 among them.
func TestPipelinedResponsesInOrder(t *testing.T) {
	ts := newTestSite(t, 8, server.Options{})
	type exchange struct {
		request string
		status  int
		body    []byte
	}
	var exchanges []exchange
	for i, p := range ts.snap.Paths() {
		if i == len(ts.snap.Paths())/2 {
			exchanges = append(exchanges, exchange{"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", 404, ts.snap.NotFound.Body})
		}
		d := ts.snap.Lookup(p)
		exchanges = append(exchanges,
			exchange{"GET " + p + " HTTP/1.1\r\nHost: x\r\n\r\n", 200, must(d.Bytes())},
			exchange{"HEAD " + p + " HTTP/1.1\r\nHost: x\r\n\r\n", 200, nil},
			exchange{"GET " + p + " HTTP/1.1\r\nHost: x\r\nIf-None-Match: " + d.ETag + "\r\n\r\n", 304, nil},
		)
		if d.Gzip() != nil {
			exchanges = append(exchanges, exchange{"GET " + p + " HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n", 200, must(d.Gzip().Bytes())})
		}
	}

	conn, err := net.Dial("tcp", strings.TrimPrefix(ts.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var all strings.Builder
	for _, x := range exchanges {
		all.WriteString(x.request)
	}
	go io.WriteString(conn, all.String())
	br := bufio.NewReader(conn)
	for i, x := range exchanges {
		method, _, _ := strings.Cut(x.request, " ")
		resp, err := http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			t.Fatalf("response %d to %q: %v", i, x.request, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("response %d to %q: %v", i, x.request, err)
		}
		if resp.StatusCode != x.status || !bytes.Equal(body, x.body) {
			t.Fatalf("response %d to %q: status %d with %d bytes, want %d with %d", i, x.request, resp.StatusCode, len(body), x.status, len(x.body))
		}
	}
}

// must returns a document's bytes (which may be read from the store),
// panicking on the error a test does not expect.
func must(body []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return body
}
