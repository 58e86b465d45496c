package publish

import (
	"os"
	"runtime/debug"
	"sync"
)

// startGCPercent is the garbage collector's target (GOGC) while a start
// is under way: until its first complete snapshot is compressed. A first
// start reads and renders every article at a high allocation rate while
// the memory it keeps grows; at the default of 100 the heap ran to twice
// what was kept, which at 100,000 articles was 2.8 times the articles'
// bytes. At 50 it stays within 1.5 times, for some 20% more CPU time
// during the start. A resident publisher (serve) keeps it after the
// start: set back to 100 there, the heap grew again towards twice the
// 300 MB a site of 100,000 articles keeps, while the rebuilds of later
// changes allocate too little for the lower target to cost much. A GOGC
// set in the environment is left alone.
const startGCPercent = 50

// startGC counts the starts under way in the process (feedpub runs one;
// tests run many), so that the target is lowered by the first and set
// back by the last.
var startGC struct {
	sync.Mutex
	starts  int
	restore int // the target to set back; -1 leaves it as it is
}

// beginStart lowers the collector's target for a start.
func beginStart() {
	startGC.Lock()
	defer startGC.Unlock()
	if startGC.starts == 0 {
		startGC.restore = -1
		if os.Getenv("GOGC") == "" {
			startGC.restore = debug.SetGCPercent(startGCPercent)
		}
	}
	startGC.starts++
}

// endStart sets the target back once no start is under way.
func endStart() {
	startGC.Lock()
	defer startGC.Unlock()
	if startGC.starts--; startGC.starts == 0 && startGC.restore != -1 {
		debug.SetGCPercent(startGC.restore)
	}
}
