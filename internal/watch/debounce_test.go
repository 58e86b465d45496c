package watch

import (
	"testing"
	"testing/synctest"
	"time"
)

// These tests run the debouncer on the system clock inside a synctest
// bubble, where time is fake: it moves only when every goroutine in the
// bubble is blocked, so the times below are exact.

const (
	quiet   = 100 * time.Millisecond
	maxWait = time.Second
)

// pending reports the sequence number the debouncer is trying to deliver,
// if any, once every timer due by now has run.
func pending(d *debouncer) (uint64, bool) {
	synctest.Wait()
	select {
	case seq := <-d.C():
		return seq, true
	default:
		return 0, false
	}
}

// fireAt sends events at the given offsets from the start and returns the
// offsets at which the debouncer fired.
func fireAt(t *testing.T, d *debouncer, events []time.Duration, until time.Duration) []time.Duration {
	t.Helper()
	start := time.Now()
	var fired []time.Duration
	next := 0
	for step := time.Duration(0); step <= until; step += 10 * time.Millisecond {
		time.Sleep(start.Add(step).Sub(time.Now()))
		if seq, ok := pending(d); ok && d.fired(seq) {
			fired = append(fired, time.Since(start))
		}
		for next < len(events) && events[next] <= step {
			d.event()
			next++
		}
	}
	return fired
}

func TestDebouncer(t *testing.T) {
	ms := func(n ...int) []time.Duration {
		out := make([]time.Duration, len(n))
		for i, v := range n {
			out[i] = time.Duration(v) * time.Millisecond
		}
		return out
	}
	every := func(from, to, step int) []time.Duration {
		var out []time.Duration
		for v := from; v <= to; v += step {
			out = append(out, time.Duration(v)*time.Millisecond)
		}
		return out
	}
	tests := []struct {
		name   string
		events []time.Duration
		until  time.Duration
		want   []time.Duration
	}{
		{"one event fires after the quiet period", ms(0), time.Second, ms(100)},
		{"each event restarts the quiet period", ms(0, 50, 90, 150), time.Second, ms(250)},
		{"a pause as long as the quiet period ends the burst", ms(0, 100, 200), time.Second, ms(100, 200, 300)},
		{"a burst that never stops fires at the max wait", every(0, 2500, 50), 4 * time.Second, ms(1000, 2000, 2600)},
		{"no events, no firing", nil, time.Second, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				d := newDebouncer(SystemClock{}, quiet, maxWait)
				defer d.close()
				got := fireAt(t, d, tt.events, tt.until)
				if !equalDurations(got, tt.want) {
					t.Errorf("events at %v fired at %v, want %v", tt.events, got, tt.want)
				}
			})
		})
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestDebouncerStaleTimer lets a timer fire while nobody receives, then
// re-arms: the stale firing is recognised and ignored, and only the new
// one counts.
func TestDebouncerStaleTimer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		d := newDebouncer(SystemClock{}, quiet, maxWait)
		defer d.close()
		d.event()
		time.Sleep(quiet) // the timer fires and blocks delivering
		synctest.Wait()
		d.event() // re-arm before the loop received the first firing
		if seq := <-d.C(); d.fired(seq) {
			t.Fatalf("stale firing %d accepted", seq)
		}
		seq := <-d.C()
		if !d.fired(seq) {
			t.Fatalf("current firing %d ignored", seq)
		}
		if got, want := time.Since(start), 2*quiet; got != want {
			t.Errorf("fired after %v, want %v", got, want)
		}
		if _, ok := pending(d); ok {
			t.Error("fired again without an event")
		}
	})
}

// TestDebouncerLateEvent sends an event after the max wait has already
// passed (the loop was busy rebuilding): it fires at once.
func TestDebouncerLateEvent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newDebouncer(SystemClock{}, quiet, maxWait)
		defer d.close()
		start := time.Now()
		d.event()
		time.Sleep(quiet / 2)
		d.event()
		d.stop()                // as if the firing raced with a stop
		time.Sleep(2 * maxWait) // the loop was busy
		d.event()               // the burst began over 2s ago
		seq := <-d.C()
		if !d.fired(seq) {
			t.Fatal("firing ignored")
		}
		if got, want := time.Since(start), quiet/2+2*maxWait; got != want {
			t.Errorf("fired after %v, want %v (at once)", got, want)
		}
	})
}

// TestDebouncerSetTimes changes the quiet period from the next event.
func TestDebouncerSetTimes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := newDebouncer(SystemClock{}, quiet, maxWait)
		defer d.close()
		d.setTimes(time.Second, time.Minute)
		start := time.Now()
		d.event()
		if seq := <-d.C(); !d.fired(seq) {
			t.Fatal("firing ignored")
		}
		if got := time.Since(start); got != time.Second {
			t.Errorf("fired after %v, want 1s", got)
		}
	})
}

// TestTickerClose closes tickers whose timers have fired and are blocked
// delivering, and ones still pending: synctest.Test fails if any goroutine
// is left blocked.
func TestTickerClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fired := newDebouncer(SystemClock{}, quiet, maxWait)
		fired.event()
		armed := newDebouncer(SystemClock{}, quiet, maxWait)
		time.Sleep(2 * quiet)
		synctest.Wait()
		armed.event()
		poll := newTicker(SystemClock{})
		poll.every(time.Minute)
		fired.close()
		armed.close()
		poll.close()
	})
}

// TestTickerEvery fires a repeating ticker on schedule until stopped.
func TestTickerEvery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tk := newTicker(SystemClock{})
		defer tk.close()
		start := time.Now()
		tk.every(time.Minute)
		for i := 1; i <= 3; i++ {
			seq := <-tk.C()
			if !tk.fired(seq) {
				t.Fatalf("firing %d ignored", i)
			}
			if got, want := time.Since(start), time.Duration(i)*time.Minute; got != want {
				t.Errorf("firing %d after %v, want %v", i, got, want)
			}
		}
		tk.every(0)
		time.Sleep(time.Hour)
		synctest.Wait()
		select {
		case seq := <-tk.C():
			if tk.fired(seq) {
				t.Error("stopped ticker fired")
			}
		default:
		}
	})
}
