package server

import (
	"net/http"
	"runtime/debug"
	"strings"
)

// maxPathBytes bounds the URL path of a request. No document has a path
// near it; browsers and proxies cap URLs at about this length too.
const maxPathBytes = 2048

// serveMissing answers a GET or HEAD for a path that is not in the
// snapshot (path is the request's under the base path, "" outside it):
// 400 for a path no document could ever have (see badPath), a redirect
// for an article path missing its trailing slash, else the 404 page.
func (h *Handler) serveMissing(w http.ResponseWriter, r *http.Request, t *table, path string) result {
	if badPath(r.URL.Path) || len(r.URL.RawPath) > maxPathBytes {
		return result{routeInvalid, writeStatus(w, r, http.StatusBadRequest), 0}
	}
	if path != "" && !strings.HasSuffix(path, "/") && t.snap.Lookup(path+"/") != nil {
		target := r.URL.EscapedPath() + "/"
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
		return result{routeRedirect, http.StatusMovedPermanently, 0}
	}
	e := t.notFound
	v := e.choose(r.Header["Accept-Encoding"])
	wh := w.Header()
	wh["Content-Type"] = fixed(e.doc.ContentType)
	wh["Vary"] = varyEncoding
	wh["X-Content-Type-Options"] = nosniff
	wh["Content-Security-Policy"] = pagePolicy
	wh["Cache-Control"] = pageCaching
	if v != &e.identity {
		wh["Content-Encoding"] = gzipCoding
	}
	return writeBody(w, r, routeNotFound, http.StatusNotFound, v.body)
}

// badPath reports whether a decoded URL path is malformed rather than
// merely unknown, which gets 400 instead of 404: a path that does not
// begin with "/" ("*"), one longer than maxPathBytes, one holding a NUL or
// another control character (often %00, to cut a string short in a
// C-based back end), and one with "." or ".." segments, raw or encoded
// as %2e (RFC 3986 §5.2.4: clients remove them, so only a path traversal
// attempt sends them). Empty segments ("//") are well-formed and get 404.
func badPath(p string) bool {
	if len(p) == 0 || p[0] != '/' || len(p) > maxPathBytes {
		return true
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c < 0x20 || c == 0x7f {
			return true
		}
	}
	for seg := range strings.SplitSeq(p[1:], "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// Bodies of the statuses the handler answers with a short text.
var statusBodies = map[int][]byte{
	http.StatusBadRequest:          []byte("400 bad request\n"),
	http.StatusMethodNotAllowed:    []byte("405 method not allowed: use GET or HEAD\n"),
	http.StatusInternalServerError: []byte("500 internal server error\n"),
	http.StatusServiceUnavailable:  []byte("503 starting up, try again in a second\n"),
}

// writeStatus answers with status and a short plain text saying what it
// means, never an error's text, and returns status. It is the one place
// that writes error responses.
func writeStatus(w http.ResponseWriter, r *http.Request, status int) int {
	wh := w.Header()
	delete(wh, "Content-Encoding")
	delete(wh, "Etag")
	delete(wh, "Last-Modified")
	wh["Content-Type"] = textType
	wh["X-Content-Type-Options"] = nosniff
	wh["Cache-Control"] = noStore
	writeBody(w, r, routeInvalid, status, statusBodies[status])
	return status
}

// stack is the stack of a recovered panic, for the log.
func stack() string { return string(debug.Stack()) }
