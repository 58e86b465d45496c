package server

import (
	"strings"
	"testing"
)

func TestParseHead(t *testing.T) {
	tests := []struct {
		head string
		ok   bool
		want request
	}{
		{"GET /rss.xml HTTP/1.1\r\nHost: example.com\r\n\r\n", true, request{method: "GET", path: "/rss.xml"}},
		{"HEAD / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n", true, request{method: "HEAD", path: "/"}},
		// What feed readers send: every field the answer depends on,
		// any case, surrounding blanks trimmed, other fields ignored.
		{"GET /atom.xml HTTP/1.1\r\nhost: [::1]:80\r\nUser-Agent: reader/1.0 (+https://reader.example)\r\n" +
			"ACCEPT-ENCODING:gzip, deflate\r\nIf-None-Match:  \"abc\" \t\r\nif-modified-since: Thu, 01 Jan 2026 00:00:00 GMT\r\n" +
			"Accept: application/atom+xml, */*;q=0.8\r\nConnection: Keep-Alive\r\nCookie: \x80\xff\r\n\r\n", true,
			request{method: "GET", path: "/atom.xml", acceptEncoding: "gzip, deflate", ifNoneMatch: `"abc"`,
				ifModifiedSince: "Thu, 01 Jan 2026 00:00:00 GMT", accept: "application/atom+xml, */*;q=0.8"}},
		{"GET /tags/c++/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", true, request{method: "GET", path: "/tags/c++/", close: true}},
		{"GET / HTTP/1.1\r\nHost:\r\n\r\n", true, request{method: "GET", path: "/"}},

		// Everything else is net/http's.
		{"POST / HTTP/1.1\r\nHost: x\r\n\r\n", false, request{}},
		{"get / HTTP/1.1\r\nHost: x\r\n\r\n", false, request{}},
		{"GET / HTTP/1.0\r\nHost: x\r\n\r\n", false, request{}},
		{"GET / HTTP/2.0\r\nHost: x\r\n\r\n", false, request{}},
		{"GET /  HTTP/1.1\r\nHost: x\r\n\r\n", false, request{}},
		{"GET / HTTP/1.1 \r\nHost: x\r\n\r\n", false, request{}},
		{"GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n", false, request{}},
		{"GET * HTTP/1.1\r\nHost: x\r\n\r\n", false, request{}},
		{"GET /rss.xml?x=1 HTTP/1.1\r\nHost: x\r\n\r\n", false, request{}},
		{"GET /tags/c%23/ HTTP/1.1\r\nHost: x\r\n\r\n", false, request{}},
		{"GET /a#b HTTP/1.1\r\nHost: x\r\n\r\n", false, request{}},
		{"GET /" + strings.Repeat("a", maxPathBytes) + " HTTP/1.1\r\nHost: x\r\n\r\n", false, request{}},
		{"GET / HTTP/1.1\r\n\r\n", false, request{}},                                 // no Host
		{"GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", false, request{}},           // two
		{"GET / HTTP/1.1\r\nHost: x/y\r\n\r\n", false, request{}},                    // odd Host
		{"GET / HTTP/1.1\nHost: x\n\n", false, request{}},                            // bare LF
		{"GET / HTTP/1.1\r\nHost: x\n\r\n", false, request{}},                        // one bare LF
		{"GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", false, request{}},           // obs-fold
		{"GET / HTTP/1.1\r\nHost : x\r\n\r\n", false, request{}},                     // space before colon
		{"GET / HTTP/1.1\r\nHost: x\r\nNo colon\r\n\r\n", false, request{}},          // not a field
		{"GET / HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n", false, request{}},         // NUL
		{"GET / HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n", false, request{}},           // bare CR
		{"\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", false, request{}},                  // leading empty line
		{"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", false, request{}}, // a body
		{"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", false, request{}},
		{"GET / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n", false, request{}},
		{"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n", false, request{}},
		{"GET / HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1\r\n\r\n", false, request{}},
		{"GET / HTTP/1.1\r\nHost: x\r\nIf-Range: \"a\"\r\n\r\n", false, request{}},
		{"GET / HTTP/1.1\r\nHost: x\r\nIf-Match: *\r\n\r\n", false, request{}},
		{"GET / HTTP/1.1\r\nHost: x\r\nIf-Unmodified-Since: x\r\n\r\n", false, request{}},
		{"GET / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nAccept-Encoding: br\r\n\r\n", false, request{}},
		{"GET / HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"a\"\r\nif-none-match: \"b\"\r\n\r\n", false, request{}},
		{"GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\n\r\n", false, request{}},
		{"GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, close\r\n\r\n", false, request{}},
		{"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET", false, request{}}, // more than the head
	}
	for _, tt := range tests {
		got, ok := parseHead(tt.head)
		if ok != tt.ok || ok && got != tt.want {
			t.Errorf("parseHead(%.80q) = %+v, %v; want %+v, %v", tt.head, got, ok, tt.want, tt.ok)
		}
	}
}

func TestHeadEnd(t *testing.T) {
	tests := []struct {
		b    string
		from int
		want int
	}{
		{"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 0, 27},
		{"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\n", 0, 27},
		{"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 24, 27}, // resumed where the last look stopped
		{"GET / HTTP/1.1\nHost: x\n\n", 0, 24},
		{"GET / HTTP/1.1\r\nHost: x\r\n", 0, -1},
		{"GET / HTTP/1.1\r\nHost: x\r\n\r", 0, -1},
		{"GET / HTTP/1.1\r\n", 0, -1},
		{"", 0, -1},
	}
	for _, tt := range tests {
		if got := headEnd([]byte(tt.b), tt.from); got != tt.want {
			t.Errorf("headEnd(%q, %d) = %d, want %d", tt.b, tt.from, got, tt.want)
		}
	}
}
