package deploy

import (
	"runtime"
	"testing"

	"github.com/feedpub/feedpub/internal/testcorpus"
)

// BenchmarkPlanFirstDeploy plans the first deploy of 10,000 generated
// articles, whose pages live in the document store: every body is read
// and hashed, since nothing is remembered yet. It reports the heap the
// plan holds for as long as the deploy runs (retained-MB: the live heap
// with the objects less the live heap before planning) and what it
// allocated on the way (alloc-MB). Run it with -benchtime=1x: the setup
// renders the site once.
func BenchmarkPlanFirstDeploy(b *testing.B) {
	snap := renderDir(b, func(dir string) error {
		return testcorpus.Write(dir, testcorpus.Generate(10_000, 1))
	})
	b.ResetTimer()
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		objs, err := Plan(snap, "", Policy{})
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(objs)
		b.ReportMetric(float64(after.HeapAlloc-min(before.HeapAlloc, after.HeapAlloc))/(1<<20), "retained-MB")
		b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/(1<<20), "alloc-MB")
		b.ReportMetric(float64(len(objs)), "objects")
	}
}
