package server

import (
	"bytes"
	"net/http"
)

// serveEntry answers GET or HEAD for a document. The common requests take
// the fast path: prepared header slices written into the header map, a
// 304 when a validator matches, and the body in one Write. Requests with
// preconditions the fast path does not evaluate (If-Match,
// If-Unmodified-Since) or a Range go to http.ServeContent.
func (h *Handler) serveEntry(w http.ResponseWriter, r *http.Request, e *entry) result {
	hdr := r.Header
	if e.view != nil && prefersHTML(hdr["Accept"]) {
		e = e.view // a browser opening a feed gets its HTML view
	}
	if hdr["Range"] != nil || hdr["If-Match"] != nil || hdr["If-Unmodified-Since"] != nil {
		return serveContent(w, r, e, e.choose(hdr["Accept-Encoding"]))
	}
	wh := w.Header()
	v, notModified := e.negotiate(hdr["Accept-Encoding"], hdr["If-None-Match"], hdr["If-Modified-Since"])
	if notModified {
		set(wh, v.notModified)
		w.WriteHeader(http.StatusNotModified)
		return result{e.route, http.StatusNotModified, 0}
	}
	set(wh, v.ok)
	if e.browserType != nil && prefersHTML(hdr["Accept"]) {
		wh["Content-Type"] = e.browserType
	}
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return result{e.route, http.StatusOK, 0}
	}
	n, _ := w.Write(v.body)
	return result{e.route, http.StatusOK, n}
}

// negotiate chooses the variant of e to answer with, by the request's
// Accept-Encoding field values, and evaluates If-None-Match, or
// If-Modified-Since without it (RFC 9110 §13.1.3: a cache that has an ETag
// sends it). With notModified, the answer is a 304 with v's validators,
// which may be another variant's when the client holds that one.
func (e *entry) negotiate(acceptEncoding, ifNoneMatch, ifModifiedSince []string) (v *variant, notModified bool) {
	v = e.choose(acceptEncoding)
	if m, present := e.noneMatch(ifNoneMatch, v); present {
		if m != nil {
			return m, true
		}
		return v, false
	}
	if len(ifModifiedSince) > 0 && e.notModifiedSince(ifModifiedSince[0]) {
		return v, true
	}
	return v, false
}

// serveContent answers with http.ServeContent, which evaluates every
// precondition and Range (RFC 9110 §13.2.2, §14), on the variant chosen by
// Accept-Encoding: ranges are ranges of the bytes that variant's ETag
// names.
func serveContent(w http.ResponseWriter, r *http.Request, e *entry, v *variant) result {
	wh := w.Header()
	set(wh, v.ok)
	// ServeContent sets these itself (and leaves Content-Length out of a
	// whole encoded response).
	delete(wh, "Content-Length")
	delete(wh, "Last-Modified")
	delete(wh, "Accept-Ranges")
	if e.browserType != nil && prefersHTML(r.Header["Accept"]) {
		wh["Content-Type"] = e.browserType
	}
	return serveCounted(w, r, e.route, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "", e.modTime, bytes.NewReader(v.body))
	}))
}
