package server

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/feedpub/feedpub/internal/site"
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
		return h.serveContent(w, r, e, e.choose(hdr["Accept-Encoding"]))
	}
	wh := w.Header()
	v, notModified := e.negotiate(hdr["Accept-Encoding"], hdr["If-None-Match"], hdr["If-Modified-Since"])
	if notModified {
		set(wh, v.notModified)
		w.WriteHeader(http.StatusNotModified)
		return result{e.route, http.StatusNotModified, 0}
	}
	if v.file != "" && r.Method != http.MethodHead {
		return h.serveFile(w, r, e, v)
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
func (h *Handler) serveContent(w http.ResponseWriter, r *http.Request, e *entry, v *variant) result {
	var content io.ReadSeeker = bytes.NewReader(v.body)
	if v.file != "" {
		f, err := h.openChecked(e, v)
		if err != nil && v != &e.identity {
			return h.serveContent(w, r, e, &e.identity) // as serveFile does
		}
		if err != nil {
			return result{routeUnavailable, unavailable(w, r), 0}
		}
		defer f.Close()
		content = f
	}
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
		http.ServeContent(w, r, "", e.modTime, content)
	}))
}

// serveFile answers with the variant v of e whose body is a file in the
// store, checked the first time it is sent. io.Copy from the *os.File to
// net/http's ResponseWriter sends it with sendfile on Linux. A file
// found missing or damaged is never sent: the request gets a 503 with
// Retry-After while the page is rendered again, or, for a gzip variant,
// the identity body while the variant is compressed again.
func (h *Handler) serveFile(w http.ResponseWriter, r *http.Request, e *entry, v *variant) result {
	f, err := h.openChecked(e, v)
	if err != nil && v != &e.identity {
		// The identity body serves every request; Vary says so.
		return h.serveFile(w, r, e, &e.identity)
	}
	if err != nil {
		return result{routeUnavailable, unavailable(w, r), 0}
	}
	defer f.Close()
	wh := w.Header()
	set(wh, v.ok)
	if e.browserType != nil && prefersHTML(r.Header["Accept"]) {
		wh["Content-Type"] = e.browserType
	}
	n, _ := io.Copy(w, f)
	return result{e.route, http.StatusOK, int(n)}
}

// openChecked opens v's file, checking it against its hash the first
// time and whenever the file is not the one checked then: another size,
// modification time or inode (site.FileSig). On a damaged file it tells the
// source to mend it, if it can.
func (h *Handler) openChecked(e *entry, v *variant) (*os.File, error) {
	f, err := os.Open(v.file)
	var info os.FileInfo
	if err == nil {
		if info, err = f.Stat(); err != nil {
			f.Close()
		}
	}
	if err == nil && info.Size() != v.size {
		f.Close()
		err = fmt.Errorf("%s: not the %d bytes stored", v.file, v.size)
	}
	if err == nil && v.src.CheckedAs() != sigOf(info) {
		if err = v.src.Check(); err == nil {
			v.src.SetCheckedAs(sigOf(info))
		} else {
			f.Close()
		}
	}
	if err != nil {
		v.src.SetCheckedAs(site.FileSig{})
		h.mend(e, v, err)
		return nil, err
	}
	return f, nil
}

// mend has the source make again v's file, found missing or damaged by
// err, if it can. A gzip variant is only compressed again, and not
// offered meanwhile: rendering the site again for it would give the
// same variant back, and did, on every request for it.
func (h *Handler) mend(e *entry, v *variant, err error) {
	m, ok := h.src.(mender)
	gz, isGzip := v.src.(*site.Encoded)
	if !isGzip {
		h.logger.Error("stored page missing or damaged; rendering it again", "path", e.doc.Path, "err", err)
		if ok {
			m.Mend(e.doc)
		}
		return
	}
	h.logger.Error("stored gzip variant missing or damaged; compressing it again", "path", e.doc.Path, "err", err)
	if ok {
		m.MendGzip(e.doc, gz)
		// The entry's next request builds the variant from the
		// document's (gzipVariant), which has none until it is made.
		e.gzip.CompareAndSwap(v, nil)
	}
}

// mender is a source that can make again a document's stored file found
// missing or damaged (publish.Publisher). Neither method waits for it.
type mender interface {
	// Mend renders d again: its body's file failed.
	Mend(d *site.Document)
	// MendGzip compresses d again: the file of gz, its gzip variant,
	// failed.
	MendGzip(d *site.Document, gz *site.Encoded)
}

// unavailable answers 503 with Retry-After, as for a page still being
// rendered, and returns the status.
func unavailable(w http.ResponseWriter, r *http.Request) int {
	w.Header()["Retry-After"] = retryAfter
	return writeStatus(w, r, http.StatusServiceUnavailable)
}
