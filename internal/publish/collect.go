package publish

import (
	"runtime/metrics"
	"time"
)

// A resident publisher's heap holds the site, and each change adds a few
// megabytes of garbage: the feeds rendered again and checked, the
// listing amended, the state saved. At the collector's target of a
// server (GOGC=50, startgc.go) a collection came every second change at
// 10,000 articles, and marking the heap beside a rebuild made it take
// 70–150 ms instead of 20–50 ms. So once the publisher has been quiet
// for a moment after a change, it collects if the room left before the
// next collection is less than twice what it allocated since it last
// looked: the next change then finds the room it needs, and the
// collection falls between changes, where it is quick enough to.

// DefaultCollectAfter is Options.CollectAfter's default: longer than a
// change's work in the background, shorter than a writer takes to save
// the next file.
const DefaultCollectAfter = 200 * time.Millisecond

// collectLater makes a resident publisher look at its heap once it has
// been quiet for collectAfter, counted from now (collectIfDue). It runs
// in the background work (backgroundMu held).
func (p *Publisher) collectLater() { p.whenQuiet(&p.collectTimer, p.collectAfter, p.collectIfDue) }

// collectIfDue collects when no rebuild is under way (one that is will
// call collectLater again when its work is done) and the heap is
// tight. The collection runs beside whatever comes next; it holds
// nothing up. A collection that takes longer than the quiet wait does
// not fall between changes: at 100,000 articles one marks some 300 MB
// for half a second or more, and the changes that met the collections
// forced between them were served later than those that met the
// collector's own. Such a publisher collects no more between changes.
func (p *Publisher) collectIfDue() {
	if p.collectSlow.Load() || !p.mu.TryLock() {
		return
	}
	p.mu.Unlock()
	h := readHeap()
	if !h.tight(h.allocated - p.allocatedSeen.Swap(h.allocated)) {
		return
	}
	began := time.Now()
	p.collect()
	if time.Since(began) > p.collectAfter {
		p.collectSlow.Store(true)
	}
}

// heapUse is what the runtime says of the heap: the size at which the
// next collection starts, the bytes of the objects in it now, live or
// not, and the bytes allocated since the process started.
type heapUse struct {
	goal, objects, allocated uint64
}

func readHeap() heapUse {
	samples := []metrics.Sample{
		{Name: "/gc/heap/goal:bytes"},
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/gc/heap/allocs:bytes"},
	}
	metrics.Read(samples)
	return heapUse{goal: samples[0].Value.Uint64(), objects: samples[1].Value.Uint64(), allocated: samples[2].Value.Uint64()}
}

// tight reports whether the room left before the next collection is
// less than twice change, the bytes allocated by the last change (and
// its work in the background).
func (h heapUse) tight(change uint64) bool {
	return h.objects >= h.goal || h.goal-h.objects < 2*change
}
