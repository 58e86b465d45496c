package server_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/publish"
	"github.com/feedpub/feedpub/internal/server"
)

func itoa(n int) string { return strconv.Itoa(n) }

// scrape returns the value of the sample named exactly series ("name" or
// `name{label="v",…}` with the labels in exposition order), or -1.
func scrape(t *testing.T, url, series string) float64 {
	t.Helper()
	_, body := do(t, "GET", url+"/metrics")
	for line := range strings.SplitSeq(string(body), "\n") {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			v, err := strconv.ParseFloat(rest, 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return v
		}
	}
	return -1
}

func TestMetricsMoveWithRequests(t *testing.T) {
	ts := newTestSite(t, 5, server.Options{ServeMetrics: true})
	m := ts.metrics
	url := ts.url
	rss := ts.snap.Lookup("/rss.xml")
	for range 3 {
		do(t, "GET", url+"/rss.xml")
	}
	do(t, "GET", url+"/rss.xml", "If-None-Match", rss.ETag)
	do(t, "GET", url+"/rss.xml", "Accept-Encoding", "gzip")
	do(t, "GET", url+"/nope")
	do(t, "GET", url+"/%2e%2e/x")
	do(t, "GET", url+"/healthz")
	do(t, "POST", url+"/")

	checks := []struct {
		series string
		want   float64
	}{
		{`feedpub_http_requests_total{code="200",route="rss"}`, 4},
		{`feedpub_http_requests_total{code="304",route="rss"}`, 1},
		{`feedpub_http_requests_total{code="404",route="notfound"}`, 1},
		{`feedpub_http_requests_total{code="400",route="invalid"}`, 1},
		{`feedpub_http_requests_total{code="200",route="healthz"}`, 1},
		{`feedpub_http_requests_total{code="405",route="page"}`, 1},
		{`feedpub_http_response_bytes_total{route="rss"}`, float64(3*len(rss.Body) + len(rss.Gzip().Body))},
		{`feedpub_snapshot_generation`, float64(ts.snap.Generation)},
		{`feedpub_articles_published`, float64(ts.snap.Articles)},
		{`feedpub_article_errors`, 0},
		{`feedpub_rebuilds_total{result="failed"}`, 0},
	}
	for _, c := range checks {
		if got := scrape(t, url, c.series); got != c.want {
			t.Errorf("%s = %v, want %v", c.series, got, c.want)
		}
	}
	// The scrapes above are counted too.
	if got := scrape(t, url, `feedpub_http_requests_total{code="200",route="metrics"}`); got < float64(len(checks)) {
		t.Errorf("metrics requests = %v, want at least %d", got, len(checks))
	}

	m.ObserveRebuild(publish.Result{Swapped: true, Duration: 30 * time.Millisecond}, nil)
	m.ObserveRebuild(publish.Result{}, errors.New("scan failed"))
	for series, want := range map[string]float64{
		`feedpub_rebuilds_total{result="swapped"}`: 1,
		`feedpub_rebuilds_total{result="failed"}`:  1,
		`feedpub_rebuild_duration_seconds_count`:   1,
		`feedpub_rebuild_duration_seconds_sum`:     0.03,
	} {
		if got := scrape(t, url, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
}
