// Package server answers HTTP requests from the current site.Snapshot. It
// never renders and never touches the file system: every response is a
// document of the snapshot, looked up by path.
package server

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/feedpub/feedpub/internal/site"
)

// Source gives the snapshot to serve. Snapshot must be cheap and safe for
// concurrent use (an atomic load); it returns nil before the first build.
type Source interface {
	Snapshot() *site.Snapshot
}

// Options configure a Handler.
type Options struct {
	// FeedMaxAge is the Cache-Control max-age of feed responses.
	FeedMaxAge time.Duration
	Logger     *slog.Logger
}

// Handler serves the documents of the current snapshot.
type Handler struct {
	src  Source
	opts Options
}

var _ http.Handler = (*Handler)(nil)

// New returns a Handler serving src's snapshots.
func New(src Source, opts Options) *Handler {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Handler{src: src, opts: opts}
}

// ServeHTTP answers GET and HEAD for the snapshot's paths and /healthz.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	snap := h.src.Snapshot()
	if snap == nil {
		w.Header().Set("Retry-After", "1")
		http.Error(w, "starting up", http.StatusServiceUnavailable)
		return
	}
	if r.URL.Path == "/healthz" {
		h.serveHealth(w, snap)
		return
	}
	doc := snap.Lookup(r.URL.Path)
	if doc == nil {
		h.serveMissing(w, r, snap)
		return
	}
	h.serveDocument(w, r, doc)
}

func (h *Handler) serveDocument(w http.ResponseWriter, r *http.Request, doc *site.Document) {
	hdr := w.Header()
	hdr.Set("Content-Type", doc.ContentType)
	hdr.Set("ETag", doc.ETag)
	hdr.Set("Cache-Control", h.cacheControl(doc))
	// ServeContent answers If-None-Match, If-Modified-Since, HEAD and
	// Range exactly as RFC 9110 says.
	http.ServeContent(w, r, "", doc.LastModified, bytes.NewReader(doc.Body))
}

func (h *Handler) cacheControl(doc *site.Document) string {
	if doc.Kind == site.KindFeed {
		return "public, max-age=" + strconv.Itoa(int(h.opts.FeedMaxAge.Seconds()))
	}
	return "public, max-age=60"
}

// serveMissing redirects an article path missing its trailing slash and
// answers 404 for everything else.
func (h *Handler) serveMissing(w http.ResponseWriter, r *http.Request, snap *site.Snapshot) {
	if !strings.HasSuffix(r.URL.Path, "/") && snap.Lookup(r.URL.Path+"/") != nil {
		target := r.URL.EscapedPath() + "/"
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
		return
	}
	nf := snap.NotFound
	w.Header().Set("Content-Type", nf.ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(nf.Body)))
	w.WriteHeader(http.StatusNotFound)
	if r.Method != http.MethodHead {
		w.Write(nf.Body)
	}
}

// health is the /healthz response.
type health struct {
	Status        string    `json:"status"`
	Generation    uint64    `json:"generation"`
	Articles      int       `json:"articles"`
	Errors        int       `json:"errors"`
	LastRebuild   time.Time `json:"last_rebuild"`
	NextScheduled time.Time `json:"next_scheduled,omitzero"`
}

func (h *Handler) serveHealth(w http.ResponseWriter, snap *site.Snapshot) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(health{
		Status:        "ok",
		Generation:    snap.Generation,
		Articles:      snap.Articles,
		Errors:        snap.Errors,
		LastRebuild:   snap.BuiltAt.UTC(),
		NextScheduled: snap.NextScheduled.UTC(),
	})
}
