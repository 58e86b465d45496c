// Package server answers HTTP requests from the current site.Snapshot. It
// never renders, never compresses and never touches the file system: every
// response is a document of the snapshot, looked up by path, with header
// values built once per snapshot.
//
// Handler is an http.Handler served by net/http, which does the wire:
// HTTP/1.1, HTTP/2 over TLS, timeouts, header limits. For the requests
// feed readers repeat all day (a GET or HEAD of a document, with or
// without gzip, conditional or not) its fast path sets header slices
// prepared per document and writes the body in one Write; what it does
// not handle (Range, If-Match, If-Unmodified-Since) goes to
// http.ServeContent. Tests hold the fast path to ServeContent's answers
// (RFC 9110).
package server

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/feedpub/feedpub/internal/deploy"
	"github.com/feedpub/feedpub/internal/progress"
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
	// Logger receives recovered panics and, with AccessLog, one line per
	// request. nil discards them.
	Logger *slog.Logger
	// AccessLog logs every request: method, path, status, bytes,
	// duration, the client's address and scheme (see TrustedProxies),
	// protocol, user agent and referrer.
	AccessLog bool
	// Metrics, if not nil, counts every request.
	Metrics *Metrics
	// ServeMetrics answers /metrics with Metrics in the Prometheus text
	// format. Leave it false when the metrics have a listener of their own.
	ServeMetrics bool
	// HSTS, if not "", is the Strict-Transport-Security field value of
	// every response over TLS (RFC 6797 §7.2: never over plain HTTP).
	HSTS string
	// BasePath is the path the site is served under, base_url's, like
	// "/blog/"; "" means "/". Paths outside it get 404, and the base path
	// without its slash a redirect to it. /healthz and /metrics stay at
	// the root, for monitoring that reaches feedpub directly.
	BasePath string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For and
	// X-Forwarded-Proto are believed for the access log and metrics.
	TrustedProxies []netip.Prefix
	// Deploy, if set, reports continuous deploy to object storage,
	// shown in /healthz.
	Deploy func() deploy.Status
}

// Paths the handler answers itself, outside the snapshot.
const (
	HealthPath  = "/healthz"
	MetricsPath = "/metrics"
)

// Handler serves the documents of the current snapshot, /healthz and,
// if asked, /metrics. It answers GET, HEAD and OPTIONS; a panic while
// serving is logged and answered 500.
type Handler struct {
	src          Source
	feedMaxAge   time.Duration
	logger       *slog.Logger
	accessLog    bool
	metrics      *Metrics
	serveMetrics bool
	metricsHTTP  http.Handler
	hsts         []string
	basePath     string // "" for "/"
	proxies      []netip.Prefix
	deploy       func() deploy.Status

	// table holds the prepared responses of the snapshot served last.
	table atomic.Pointer[table]
	// mu serializes preparing a table for a new snapshot.
	mu sync.Mutex
}

var _ http.Handler = (*Handler)(nil)

// New returns a Handler serving src's snapshots.
func New(src Source, opts Options) *Handler {
	h := &Handler{
		src:          src,
		feedMaxAge:   opts.FeedMaxAge,
		logger:       opts.Logger,
		accessLog:    opts.AccessLog,
		metrics:      opts.Metrics,
		serveMetrics: opts.ServeMetrics && opts.Metrics != nil,
		deploy:       opts.Deploy,
	}
	if h.logger == nil {
		h.logger = slog.New(slog.DiscardHandler)
	}
	if h.serveMetrics {
		h.metricsHTTP = opts.Metrics.Handler()
	}
	if opts.HSTS != "" {
		h.hsts = fixed(opts.HSTS)
	}
	if opts.BasePath != "/" {
		h.basePath = opts.BasePath
	}
	h.proxies = opts.TrustedProxies
	return h
}

// result is what a request got, for metrics and the access log.
type result struct {
	route  route
	status int
	bytes  int
}

// ServeHTTP answers one request. See Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var start time.Time
	if h.accessLog {
		start = time.Now()
	}
	res := result{route: routeInvalid, status: http.StatusInternalServerError}
	defer h.finish(w, r, &res, start)
	if h.hsts != nil && r.TLS != nil {
		w.Header()["Strict-Transport-Security"] = h.hsts
	}
	res = h.serve(w, r)
}

// finish recovers a panic of the request, answering 500, then counts and
// logs the request. It must be deferred by ServeHTTP itself.
func (h *Handler) finish(w http.ResponseWriter, r *http.Request, res *result, start time.Time) {
	if v := recover(); v != nil {
		if v == http.ErrAbortHandler {
			panic(v) // net/http's way of aborting a response; it logs nothing
		}
		h.logger.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", v, "stack", stack())
		// If the header was sent already, net/http ignores this
		// status and the client sees a truncated body.
		res.status, res.bytes = writeStatus(w, r, http.StatusInternalServerError), 0
	}
	h.account(r, *res, start)
}

// account counts a request in the metrics and, with AccessLog, logs it.
func (h *Handler) account(r *http.Request, res result, start time.Time) {
	if h.metrics != nil {
		h.metrics.count(res.route, res.status, res.bytes, h.isHTTPS(r))
	}
	if h.accessLog {
		scheme := "http"
		if h.isHTTPS(r) {
			scheme = "https"
		}
		h.logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", res.status),
			slog.Int("bytes", res.bytes),
			slog.Duration("duration", time.Since(start)),
			slog.String("remote", h.clientAddr(r)),
			slog.String("scheme", scheme),
			slog.String("proto", r.Proto),
			slog.String("user_agent", r.UserAgent()),
			slog.String("referrer", r.Referer()),
		)
	}
}

// serve routes a request.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request) result {
	snap := h.src.Snapshot()
	if snap == nil {
		return h.serveStarting(w, r)
	}
	t := h.tableFor(snap)
	path, inside := h.sitePath(r.URL.Path)
	e := h.entryOf(t, path)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return serveOtherMethod(w, r, e)
	}
	switch {
	case e != nil:
		return h.serveEntry(w, r, e)
	case r.URL.Path == HealthPath:
		return h.serveHealth(w, r, snap)
	case r.URL.Path == MetricsPath && h.serveMetrics:
		return serveCounted(w, r, routeMetrics, h.metricsHTTP)
	case inside && (snap.Rendering(path) || (!strings.HasSuffix(path, "/") && snap.Rendering(path+"/"))):
		// A first start serves its feeds before its pages are rendered.
		w.Header()["Retry-After"] = retryAfter
		return result{routeUnavailable, writeStatus(w, r, http.StatusServiceUnavailable), 0}
	case !inside && r.URL.Path+"/" == h.basePath:
		http.Redirect(w, r, h.basePath, http.StatusMovedPermanently)
		return result{routeRedirect, http.StatusMovedPermanently, 0}
	}
	return h.serveMissing(w, r, t, path)
}

// sitePath returns the snapshot path of a URL path under the base path,
// and whether it is under it at all; one outside gets "", found nowhere.
func (h *Handler) sitePath(p string) (string, bool) {
	if h.basePath == "" {
		return p, true
	}
	rest, ok := strings.CutPrefix(p, h.basePath)
	if !ok {
		return "", false
	}
	return "/" + rest, true
}

// serveOtherMethod answers OPTIONS with the methods the handler allows and
// any other method with 405 (RFC 9110 §9.3.7, §15.5.6).
func serveOtherMethod(w http.ResponseWriter, r *http.Request, e *entry) result {
	rt := routeNotFound
	if e != nil {
		rt = e.route
	}
	w.Header()["Allow"] = allowed
	if r.Method == http.MethodOptions {
		w.Header()["Content-Length"] = zeroLength
		w.WriteHeader(http.StatusNoContent)
		return result{rt, http.StatusNoContent, 0}
	}
	return result{rt, writeStatus(w, r, http.StatusMethodNotAllowed), 0}
}

// health is the /healthz response.
type health struct {
	Status        string    `json:"status"`
	Generation    uint64    `json:"generation"`
	Articles      int       `json:"articles"`
	Errors        int       `json:"errors"`
	LastRebuild   time.Time `json:"last_rebuild"`
	NextScheduled time.Time `json:"next_scheduled,omitzero"`
	// Deploy is the state of continuous deploy, when it runs.
	Deploy *deploy.Status `json:"deploy,omitempty"`

	// Complete is false while a first start renders its pages, whose
	// progress Progress then tells.
	Complete bool             `json:"complete"`
	Progress *progress.Status `json:"progress,omitempty"`
}

func (h *Handler) serveHealth(w http.ResponseWriter, r *http.Request, snap *site.Snapshot) result {
	hl := health{
		Status:        "ok",
		Generation:    snap.Generation,
		Articles:      snap.Articles,
		Errors:        snap.Errors,
		LastRebuild:   snap.BuiltAt.UTC(),
		NextScheduled: snap.NextScheduled.UTC(),
		Complete:      snap.Complete(),
		Progress:      h.renderingProgress(snap),
	}
	if h.deploy != nil {
		st := h.deploy()
		hl.Deploy = &st
	}
	return h.writeHealth(w, r, http.StatusOK, hl)
}

// writeHealth writes v, a /healthz response, as JSON that no cache keeps.
func (h *Handler) writeHealth(w http.ResponseWriter, r *http.Request, status int, v any) result {
	body, err := json.Marshal(v)
	if err != nil {
		// Only a time outside years 0–9999 fails, which no clock gives.
		h.logger.Error("encoding the health response", "err", err)
		return result{routeHealth, writeStatus(w, r, http.StatusInternalServerError), 0}
	}
	body = append(body, '\n')
	wh := w.Header()
	wh["Content-Type"] = jsonType
	wh["Cache-Control"] = noStore
	wh["X-Content-Type-Options"] = nosniff
	return writeBody(w, r, routeHealth, status, body)
}

// renderingProgress is the progress of the rendering an incomplete
// snapshot waits for, or nil.
func (h *Handler) renderingProgress(snap *site.Snapshot) *progress.Status {
	ps, ok := h.src.(progressSource)
	if snap.Complete() || !ok {
		return nil
	}
	st := ps.Progress()
	return &st
}

// progressSource is a Source that can say how far its first build is.
type progressSource interface {
	Progress() progress.Status
}

// starting is the /healthz response before the first snapshot.
type starting struct {
	Status   string          `json:"status"`
	Progress progress.Status `json:"progress"`
}

// serveStarting answers every request before the first snapshot is ready:
// 503 with Retry-After, and for /healthz the progress of the first build,
// so that an operator watching a cold start of many articles sees it move.
func (h *Handler) serveStarting(w http.ResponseWriter, r *http.Request) result {
	w.Header()["Retry-After"] = retryAfter
	if r.URL.Path != HealthPath || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		return result{routeUnavailable, writeStatus(w, r, http.StatusServiceUnavailable), 0}
	}
	st := starting{Status: "starting"}
	if ps, ok := h.src.(progressSource); ok {
		st.Progress = ps.Progress()
	}
	return h.writeHealth(w, r, http.StatusServiceUnavailable, st)
}

// writeBody writes a complete response with body, leaving the body out
// for HEAD.
func writeBody(w http.ResponseWriter, r *http.Request, rt route, status int, body []byte) result {
	w.Header()["Content-Length"] = []string{itoa(len(body))}
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return result{rt, status, 0}
	}
	n, _ := w.Write(body)
	return result{rt, status, n}
}

// countingWriter records the status and body bytes of a response written
// by a handler the fast path does not control.
type countingWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (c *countingWriter) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *countingWriter) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	n, err := c.ResponseWriter.Write(b)
	c.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (c *countingWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// serveCounted serves r with next, recording what it wrote.
func serveCounted(w http.ResponseWriter, r *http.Request, rt route, next http.Handler) result {
	cw := &countingWriter{ResponseWriter: w}
	next.ServeHTTP(cw, r)
	if cw.status == 0 {
		cw.status = http.StatusOK
	}
	return result{rt, cw.status, cw.bytes}
}
