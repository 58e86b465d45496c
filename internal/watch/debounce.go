package watch

import "time"

// debouncer turns a burst of events into one action: it fires after a
// quiet period with no event, or at the latest maxWait after the first
// event of the burst, so a writer who never stops cannot starve updates.
// It is one trailing timer, reset on each event (not a ticker that batches),
// firing into the loop that owns it; only that loop calls it.
type debouncer struct {
	*ticker
	quiet   time.Duration
	maxWait time.Duration
	first   time.Time // first event of the pending burst; zero if none
}

func newDebouncer(clock Clock, quiet, maxWait time.Duration) *debouncer {
	return &debouncer{ticker: newTicker(clock), quiet: quiet, maxWait: maxWait}
}

// event records an event and re-arms the timer.
func (d *debouncer) event() {
	now := d.clock.Now()
	if d.first.IsZero() {
		d.first = now
	}
	wait := d.quiet
	if deadline := d.first.Add(d.maxWait); now.Add(wait).After(deadline) {
		wait = deadline.Sub(now)
	}
	d.at(wait)
}

// fired reports whether the burst is over (seq is the current timer); the
// next event starts a new burst.
func (d *debouncer) fired(seq uint64) bool {
	if !d.ticker.fired(seq) {
		return false
	}
	d.first = time.Time{}
	return true
}

// setTimes changes the quiet period and maximum wait from the next event.
func (d *debouncer) setTimes(quiet, maxWait time.Duration) {
	d.quiet, d.maxWait = quiet, maxWait
}
