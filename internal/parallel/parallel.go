// Package parallel runs independent pieces of work on every core.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Each calls fn(0) … fn(n-1), on one goroutine per core (GOMAXPROCS), in
// no particular order, and returns when every call has returned. fn must
// be safe to call concurrently for different i.
func Each(n int, fn func(i int)) {
	var cursor atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Go(func() {
			for i := int(cursor.Add(1) - 1); i < n; i = int(cursor.Add(1) - 1) {
				fn(i)
			}
		})
	}
	wg.Wait()
}
