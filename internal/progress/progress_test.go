package progress

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestTrackerCounts(t *testing.T) {
	var tr Tracker
	tr.Begin("reading articles", 3)
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() { tr.Add(1) })
	}
	wg.Wait()
	if got, want := tr.Status(), (Status{"reading articles", 3, 3}); got != want {
		t.Errorf("Status = %+v, want %+v", got, want)
	}
	tr.Begin("rendering article pages", 10)
	if got := tr.Status(); got.Done != 0 || got.Total != 10 {
		t.Errorf("a new phase kept the old counts: %+v", got)
	}
}

// TestNilTrackerCountsNothing holds that code given no Tracker runs as if
// it had one.
func TestNilTrackerCountsNothing(t *testing.T) {
	var tr *Tracker
	tr.Begin("x", 1)
	tr.Add(1)
	if tr.Status() != (Status{}) {
		t.Error("a nil Tracker reported progress")
	}
}

// TestLogReportsUntilStopped holds that Log writes the status while the
// work lasts and nothing after stop returns.
func TestLogReportsUntilStopped(t *testing.T) {
	var tr Tracker
	tr.Begin("reading articles", 100)
	tr.Add(40)
	var mu sync.Mutex
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	}), nil))
	stop := tr.Log(logger, "rebuilding", time.Millisecond)
	for {
		mu.Lock()
		n := buf.Len()
		mu.Unlock()
		if n > 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	stop()
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	if !strings.Contains(out, `msg=rebuilding phase="reading articles" done=40 total=100`) {
		t.Errorf("log = %q", out)
	}
	time.Sleep(5 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if buf.String() != out {
		t.Error("Log wrote after stop returned")
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
