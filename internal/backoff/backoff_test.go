package backoff

import (
	"testing"
	"time"
)

func TestDelay(t *testing.T) {
	tests := []struct {
		n        int
		jitter   float64
		want     time.Duration
		max      time.Duration
		base     time.Duration
		describe string
	}{
		{1, 0, 500 * time.Millisecond, time.Minute, time.Second, "first retry, least jitter"},
		{1, 0.999999, time.Second, time.Minute, time.Second, "first retry, most jitter"},
		{2, 0, time.Second, time.Minute, time.Second, "second retry doubles"},
		{3, 0, 2 * time.Second, time.Minute, time.Second, "third"},
		{4, 0.5, 6 * time.Second, time.Minute, time.Second, "fourth, half jitter"},
		{10, 0, 30 * time.Second, time.Minute, time.Second, "capped"},
		{100, 0, 30 * time.Second, time.Minute, time.Second, "capped, no overflow"},
	}
	for _, tt := range tests {
		got := Delay(tt.base, tt.max, tt.n, tt.jitter)
		if got.Round(time.Millisecond) != tt.want {
			t.Errorf("%s: Delay(%v, %v, %d, %v) = %v, want %v", tt.describe, tt.base, tt.max, tt.n, tt.jitter, got, tt.want)
		}
	}
}
