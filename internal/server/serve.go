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
	v := e.choose(hdr["Accept-Encoding"])
	if hdr["Range"] != nil || hdr["If-Match"] != nil || hdr["If-Unmodified-Since"] != nil {
		return serveContent(w, r, e, v)
	}
	wh := w.Header()
	// If-Modified-Since counts only without If-None-Match (RFC 9110
	// §13.1.3), which a cache sends when it has an ETag.
	if m, present := e.noneMatch(hdr["If-None-Match"], v); present {
		if m != nil {
			set(wh, m.notModified)
			w.WriteHeader(http.StatusNotModified)
			return result{e.route, http.StatusNotModified, 0}
		}
	} else if ims := hdr["If-Modified-Since"]; len(ims) > 0 && e.notModifiedSince(ims[0]) {
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
	n := writeBodyGathered(w, r, v.body)
	return result{e.route, http.StatusOK, n}
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
