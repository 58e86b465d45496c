package watch

import "time"

// ticker is a timer on a Clock that fires into the loop owning it, once
// (at) or repeatedly (every). Each arming gets a sequence number, so a
// firing that raced with a re-arm or stop is recognised and ignored.
// Only the owning loop calls its methods.
type ticker struct {
	clock  Clock
	c      chan uint64
	done   chan struct{} // closed by close, releasing a pending delivery
	seq    uint64
	cancel func() bool
	period time.Duration // > 0 when repeating
}

func newTicker(clock Clock) *ticker {
	return &ticker{clock: clock, c: make(chan uint64), done: make(chan struct{})}
}

// C delivers the sequence number of each firing; pass it to fired.
func (t *ticker) C() <-chan uint64 { return t.c }

// at arms a single firing after d, replacing any pending one.
func (t *ticker) at(d time.Duration) {
	t.period = 0
	t.arm(d)
}

// every fires every d; d == 0 stops the ticker.
func (t *ticker) every(d time.Duration) {
	if d <= 0 {
		t.stop()
		return
	}
	t.period = d
	t.arm(d)
}

func (t *ticker) arm(d time.Duration) {
	t.stopPending()
	t.seq++
	seq := t.seq
	t.cancel = t.clock.AfterFunc(max(d, 0), func() {
		select {
		case t.c <- seq:
		case <-t.done:
		}
	})
}

// fired reports whether seq is the current arming, and re-arms a
// repeating ticker.
func (t *ticker) fired(seq uint64) bool {
	if seq != t.seq || t.cancel == nil {
		return false
	}
	t.cancel = nil
	if t.period > 0 {
		t.arm(t.period)
	}
	return true
}

// armed reports whether a firing is pending.
func (t *ticker) armed() bool { return t.cancel != nil }

func (t *ticker) stopPending() {
	if t.cancel != nil {
		t.cancel()
		t.cancel = nil
	}
}

// stop cancels any pending firing and repetition.
func (t *ticker) stop() {
	t.period = 0
	t.stopPending()
}

// close stops the ticker for good and releases its goroutines.
func (t *ticker) close() {
	t.stop()
	close(t.done)
}
