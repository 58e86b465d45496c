package server

import (
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/feedpub/feedpub/internal/publish"
)

// route is what a request asked for, as the metrics label it: a small
// fixed set, whatever paths clients invent.
type route uint8

const (
	routeRSS route = iota
	routeAtom
	routeJSON
	routePage    // the index and other HTML pages
	routeArticle // article pages
	routeAsset   // the stylesheets
	routeHealth
	routeMetrics
	routeRedirect    // an article path without its trailing slash
	routeNotFound    // the 404 page
	routeInvalid     // malformed requests
	routeUnavailable // before the first snapshot
	numRoutes
)

var routeNames = [numRoutes]string{
	"rss", "atom", "json", "page", "article", "asset", "healthz", "metrics",
	"redirect", "notfound", "invalid", "unavailable",
}

// codes are the status codes counted by value; others count as "other".
var codes = []int{200, 204, 206, 301, 304, 400, 404, 405, 412, 416, 500, 503}

// codeIndex returns the index of status in codes, or len(codes).
func codeIndex(status int) int {
	for i, c := range codes {
		if c == status {
			return i
		}
	}
	return len(codes)
}

// Metrics are feedpub's Prometheus metrics: requests by route and status
// code, response bytes by route, the served snapshot, and rebuilds. They
// live in a registry of their own, never the global one.
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	rebuilds *prometheus.CounterVec
	duration prometheus.Histogram
	bytes    [numRoutes]prometheus.Counter
	// schemes counts requests over http and https.
	schemes [2]prometheus.Counter

	// counters caches the child of requests for each route and code,
	// resolved on first use so unseen combinations export nothing; after
	// that a request costs an array index and an atomic add.
	counters [numRoutes][]atomic.Pointer[prometheus.Counter]
}

// NewMetrics returns metrics reading the served snapshot from src at each
// scrape.
func NewMetrics(src Source) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "feedpub_http_requests_total",
			Help: "HTTP requests answered, by route and status code; code=\"304\" over all gives the share answered from clients' caches.",
		}, []string{"route", "code"}),
		rebuilds: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "feedpub_rebuilds_total",
			Help: "Rebuilds by result: swapped (new content served), unchanged (same bytes) or failed (old snapshot kept).",
		}, []string{"result"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "feedpub_rebuild_duration_seconds",
			Help:    "Time to rescan the articles and build a snapshot, for rebuilds that succeeded.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}),
	}
	bytes := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "feedpub_http_response_bytes_total",
		Help: "Response body bytes sent, by route, after compression.",
	}, []string{"route"})
	for rt := range numRoutes {
		m.bytes[rt] = bytes.WithLabelValues(routeNames[rt])
		m.counters[rt] = make([]atomic.Pointer[prometheus.Counter], len(codes)+1)
	}
	schemes := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "feedpub_http_requests_by_scheme_total",
		Help: "HTTP requests by the scheme the client used: TLS to feedpub, or X-Forwarded-Proto from a trusted proxy.",
	}, []string{"scheme"})
	m.schemes = [2]prometheus.Counter{schemes.WithLabelValues("http"), schemes.WithLabelValues("https")}
	for _, r := range []string{"swapped", "unchanged", "failed"} {
		m.rebuilds.WithLabelValues(r)
	}
	snapshotGauge := func(name, help string, value func(*snapshotView) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
			return value(viewOf(src))
		})
	}
	m.registry.MustRegister(
		m.requests, bytes, schemes, m.rebuilds, m.duration,
		snapshotGauge("feedpub_snapshot_generation", "Generation of the snapshot served; it grows with every change.",
			func(s *snapshotView) float64 { return float64(s.generation) }),
		snapshotGauge("feedpub_articles_published", "Articles published in the snapshot served.",
			func(s *snapshotView) float64 { return float64(s.articles) }),
		snapshotGauge("feedpub_article_errors", "Article files that fail to parse (their last good version stays published).",
			func(s *snapshotView) float64 { return float64(s.errors) }),
		snapshotGauge("feedpub_snapshot_documents", "Documents in the snapshot served.",
			func(s *snapshotView) float64 { return float64(s.documents) }),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// snapshotView is what the gauges read of a snapshot; zero before the
// first build.
type snapshotView struct {
	generation       uint64
	articles, errors int
	documents        int
}

func viewOf(src Source) *snapshotView {
	s := src.Snapshot()
	if s == nil {
		return &snapshotView{}
	}
	return &snapshotView{s.Generation, s.Articles, s.Errors, s.Len() + 1}
}

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// Registry returns the registry holding the metrics, to add more.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// ObserveRebuild records the outcome of a rebuild; call it for every
// rebuild, the first included.
func (m *Metrics) ObserveRebuild(res publish.Result, err error) {
	switch {
	case err != nil:
		m.rebuilds.WithLabelValues("failed").Inc()
		return
	case res.Swapped:
		m.rebuilds.WithLabelValues("swapped").Inc()
	default:
		m.rebuilds.WithLabelValues("unchanged").Inc()
	}
	m.duration.Observe(res.Duration.Seconds())
}

// count records one request.
func (m *Metrics) count(rt route, status, bytes int, https bool) {
	if https {
		m.schemes[1].Inc()
	} else {
		m.schemes[0].Inc()
	}
	slot := &m.counters[rt][codeIndex(status)]
	c := slot.Load()
	if c == nil {
		code := "other"
		if i := codeIndex(status); i < len(codes) {
			code = strconv.Itoa(codes[i])
		}
		// WithLabelValues returns the same child every time, so two
		// requests racing here store equal values.
		child := m.requests.WithLabelValues(routeNames[rt], code)
		c = &child
		slot.Store(c)
	}
	(*c).Inc()
	if bytes > 0 {
		m.bytes[rt].Add(float64(bytes))
	}
}
