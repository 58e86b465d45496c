package publish

import (
	"os"
	"runtime/debug"
)

// residentGCPercent is the garbage collector's target (GOGC) in a process
// with a resident publisher (serve), from its start on. A first start
// reads and renders every article at a high allocation rate while the
// memory it keeps grows; at the default of 100 the heap ran to twice
// what was kept, which at 100,000 articles was 2.8 times the articles'
// bytes. At 50 it stays within 1.5 times, for some 20% more CPU time
// during the start. It stays so after the start: set back to 100 there,
// the heap grew again towards twice the 300 MB a site of 100,000
// articles keeps, while the rebuilds of later changes allocate too
// little for the lower target to cost much.
//
// A build or deploy, which exits once done, keeps Go's default: its heap
// is the process's for seconds. At 50, a first build at 10,000 articles
// took 1.29–1.64 s against 1.26–1.39 s (six alternated runs each) for a
// peak of 135–150 MB against 156–167 MB; at 100,000, 15.6–15.9 s
// against 14.8–15.6 s, for 1.12 GB against 1.35 GB (Hugo's was 5.0 GB).
const residentGCPercent = 50

// lowerGCTarget sets the collector's target to residentGCPercent for the
// rest of the process, unless GOGC is set in the environment.
func lowerGCTarget() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(residentGCPercent)
	}
}
