// Package progress counts the work of a long rebuild, so that the log and
// /healthz can say where a cold start of many thousand articles is.
package progress

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Tracker holds the phase of the work in progress and how much of it is
// done. A nil *Tracker counts nothing, so code that may run without one
// needs no checks. It is safe for concurrent use.
type Tracker struct {
	mu    sync.Mutex // guards phase
	phase string
	done  atomic.Int64
	total atomic.Int64
}

// Status is what a Tracker says at one moment.
type Status struct {
	Phase string `json:"phase,omitempty"`
	Done  int64  `json:"done"`
	Total int64  `json:"total"`
}

// Begin starts a phase of total steps.
func (t *Tracker) Begin(phase string, total int) {
	if t == nil {
		return
	}
	t.mu.Lock()
	t.phase = phase
	t.done.Store(0)
	t.total.Store(int64(total))
	t.mu.Unlock()
}

// Add counts n steps of the current phase as done.
func (t *Tracker) Add(n int) {
	if t != nil {
		t.done.Add(int64(n))
	}
}

// Status returns the current phase and counts.
func (t *Tracker) Status() Status {
	if t == nil {
		return Status{}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return Status{Phase: t.phase, Done: t.done.Load(), Total: t.total.Load()}
}

// Log logs the status with msg every interval until the returned stop is
// called; stop returns once logging has stopped. Work shorter than one
// interval logs nothing.
func (t *Tracker) Log(logger *slog.Logger, msg string, every time.Duration) (stop func()) {
	quit, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		ticker := time.NewTicker(every)
		defer ticker.Stop()
		for {
			select {
			case <-quit:
				return
			case <-ticker.C:
				s := t.Status()
				logger.Info(msg, "phase", s.Phase, "done", s.Done, "total", s.Total)
			}
		}
	}()
	return func() { close(quit); <-exited }
}
