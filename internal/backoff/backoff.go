// Package backoff computes the waits between retries of work that may
// succeed later: a ping to a hub, a deploy to a store.
package backoff

import "time"

// Delay returns the wait before retry number n (1 for the first):
// base·2^(n-1), at most max, scaled by jitter in [0, 1) to between half
// and all of it ("equal jitter"), so retries spread out but never come
// sooner than half the schedule.
func Delay(base, max time.Duration, n int, jitter float64) time.Duration {
	d := base
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	d = min(d, max)
	return d/2 + time.Duration(jitter*float64(d/2))
}
