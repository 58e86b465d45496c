package watch_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/publish"
	"github.com/feedpub/feedpub/internal/testcorpus"
	"github.com/feedpub/feedpub/internal/watch"
)

// benchSite is a generated corpus served by a Publisher under a running
// watcher, whose rebuilds arrive on results.
type benchSite struct {
	dir     string
	files   []testcorpus.File
	pub     *publish.Publisher
	results chan publish.Result
}

// newBenchSite writes n generated articles and starts watching them. The
// scanner trusts every read (RacyWindow < 0): the corpus has just been
// written, where a real one is old, and re-reading all of it within two
// seconds of the write would measure the racy-read guard instead.
func newBenchSite(b *testing.B, n int) *benchSite {
	b.Helper()
	root := b.TempDir()
	s := &benchSite{dir: filepath.Join(root, "articles"), files: testcorpus.Generate(n, 1),
		results: make(chan publish.Result, 64)}
	if err := testcorpus.Write(s.dir, s.files); err != nil {
		b.Fatal(err)
	}
	cfg := config.Default()
	cfg.Articles.Dir = s.dir
	cfg.State.File = filepath.Join(root, "state", "state.json")
	pub, err := publish.New(cfg, publish.Options{RacyWindow: -1})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := pub.Rebuild(); err != nil {
		b.Fatal(err)
	}
	s.pub = pub
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- watch.Run(ctx, watch.Options{Publisher: pub, OnRebuild: func(res publish.Result, err error) {
			if err != nil {
				b.Error(err)
			}
			select {
			case s.results <- res:
			case <-ctx.Done():
			}
		}})
	}()
	b.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			b.Error(err)
		}
	})
	s.wait(b, func(r publish.Result) bool { return r.Reason == "watching" })
	return s
}

// wait returns the first rebuild for which match is true.
func (s *benchSite) wait(b *testing.B, match func(publish.Result) bool) publish.Result {
	b.Helper()
	timeout := time.NewTimer(time.Minute)
	defer timeout.Stop()
	for {
		select {
		case r := <-s.results:
			if match(r) {
				return r
			}
		case <-timeout.C:
			b.Fatal("no rebuild within a minute")
		}
	}
}

// BenchmarkChangeToSwap measures the latency from writing one article to
// the new snapshot being served: the quiet period (100ms) plus the
// rebuild. ms/op is that latency.
func BenchmarkChangeToSwap(b *testing.B) {
	for _, n := range []int{10, 10_000} {
		b.Run(fmt.Sprintf("articles=%d", n), func(b *testing.B) {
			s := newBenchSite(b, n)
			var published []testcorpus.File // an edited draft changes nothing served
			for _, f := range s.files {
				if !bytes.Contains(f.Data, []byte("Draft: true")) {
					published = append(published, f)
				}
			}
			var total time.Duration
			i := 0
			for b.Loop() {
				f := published[i%len(published)]
				path := filepath.Join(s.dir, filepath.FromSlash(f.Name))
				data := fmt.Appendf(append([]byte(nil), f.Data...), "\nEdit %d.\n", i)
				start := time.Now()
				if err := os.WriteFile(path, data, 0o644); err != nil {
					b.Fatal(err)
				}
				s.wait(b, func(r publish.Result) bool { return r.Swapped })
				total += time.Since(start)
				i++
				s.pub.Wait() // its background compression, before the next write
			}
			b.ReportMetric(float64(total.Microseconds())/1000/float64(i), "ms/op")
		})
	}
}

// BenchmarkBurst writes 1,000 new articles as fast as it can and reports
// how many rebuilds published them, and how long it took from the first
// write until all were served.
func BenchmarkBurst(b *testing.B) {
	const burst = 1000
	s := newBenchSite(b, 10)
	files := testcorpus.Generate(burst, 2)
	total := len(s.files)
	var rebuilds int
	var elapsed time.Duration
	round := 0
	for b.Loop() {
		round++
		start := time.Now()
		for _, f := range files {
			path := filepath.Join(s.dir, fmt.Sprintf("burst%d", round), filepath.FromSlash(f.Name))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(path, f.Data, 0o644); err != nil {
				b.Fatal(err)
			}
		}
		total += burst
		s.wait(b, func(r publish.Result) bool {
			rebuilds++
			return r.Scan.Files == total
		})
		elapsed += time.Since(start)
	}
	b.ReportMetric(float64(rebuilds)/float64(round), "rebuilds/op")
	b.ReportMetric(float64(elapsed.Microseconds())/1000/float64(round), "ms/op")
}
