package watch_test

import (
	"sync"
	"time"

	"github.com/feedpub/feedpub/internal/watch"
)

// fakeClock is a watch.Clock whose time moves only when Advance is called;
// functions due by then run, each in its own goroutine, as with
// time.AfterFunc.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
	// immediate counts AfterFunc calls whose delay was not positive: a
	// timer armed for a moment already past.
	immediate int
}

type fakeTimer struct {
	at time.Time
	f  func()
}

var _ watch.Clock = (*fakeClock)(nil)

func newFakeClock(now time.Time) *fakeClock { return &fakeClock{now: now} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d <= 0 {
		c.immediate++
		go f()
		return func() bool { return false }
	}
	t := &fakeTimer{at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		for i, p := range c.timers {
			if p == t {
				c.timers = append(c.timers[:i], c.timers[i+1:]...)
				return true
			}
		}
		return false
	}
}

// Advance moves the clock forward by d and starts the functions now due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []func()
	kept := c.timers[:0]
	for _, t := range c.timers {
		if t.at.After(c.now) {
			kept = append(kept, t)
		} else {
			due = append(due, t.f)
		}
	}
	c.timers = kept
	c.mu.Unlock()
	for _, f := range due {
		go f()
	}
}

// Pending returns the number of timers not yet due or stopped.
func (c *fakeClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// Immediate returns how many timers were armed for a moment already past.
func (c *fakeClock) Immediate() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.immediate
}
