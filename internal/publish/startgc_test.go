package publish

import (
	"os"
	"runtime/debug"
	"testing"
)

// gcPercent returns the collector's current target.
func gcPercent() int {
	v := debug.SetGCPercent(100)
	debug.SetGCPercent(v)
	return v
}

// Starts lower the collector's target and the last one to end sets it
// back, however they overlap.
func TestStartsLowerTheCollectorTarget(t *testing.T) {
	if os.Getenv("GOGC") != "" {
		t.Skip("GOGC is set: starts leave the target alone")
	}
	before := gcPercent()
	beginStart()
	beginStart()
	if got := gcPercent(); got != startGCPercent {
		t.Errorf("during two starts the target is %d, want %d", got, startGCPercent)
	}
	endStart()
	if got := gcPercent(); got != startGCPercent {
		t.Errorf("with one start left the target is %d, want %d", got, startGCPercent)
	}
	endStart()
	if got := gcPercent(); got != before {
		t.Errorf("after the starts the target is %d, want %d as before", got, before)
	}
}
