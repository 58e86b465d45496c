package feed

import (
	"bytes"
	"testing"

	"github.com/mmcdole/gofeed"
)

func TestFit(t *testing.T) {
	f := benchFeed(20)
	sizes := map[string]int{}
	for _, r := range renderers {
		doc, err := r.render(f)
		if err != nil {
			t.Fatal(err)
		}
		sizes[r.name] = len(doc)
	}
	tests := []struct {
		name           string
		max            func(full int) int64
		drop           bool
		wantSummarized func(n int) bool
		wantDropped    func(n int) bool
	}{
		{"no budget", func(int) int64 { return 0 }, true, is(0), is(0)},
		{"fits", func(full int) int64 { return int64(full) }, true, is(0), is(0)},
		{"one byte over", func(full int) int64 { return int64(full) - 1 }, true, is(1), is(0)},
		{"half", func(full int) int64 { return int64(full) / 2 }, true, between(9, 12), is(0)},
		{"summaries only", func(int) int64 { return 6000 }, true, between(1, 19), between(1, 19)},
		{"summaries only, no drop", func(int) int64 { return 6000 }, false, is(20), is(0)},
		{"nothing fits", func(int) int64 { return 10 }, true, is(0), is(20)},
	}
	for _, tt := range tests {
		for _, r := range renderers {
			t.Run(tt.name+"/"+r.name, func(t *testing.T) {
				max := tt.max(sizes[r.name])
				doc, fitted, err := Fit(f, r.render, max, tt.drop)
				if err != nil {
					t.Fatal(err)
				}
				if !tt.wantSummarized(fitted.Summarized) || !tt.wantDropped(fitted.Dropped) {
					t.Fatalf("Fit(max %d) = %+v", max, fitted)
				}
				if max > 1000 && tt.drop && int64(len(doc)) > max {
					t.Errorf("Fit(max %d) gave %d bytes", max, len(doc))
				}
				parsed, err := gofeed.NewParser().Parse(bytes.NewReader(doc))
				if err != nil {
					t.Fatal(err)
				}
				if want := 20 - fitted.Dropped; len(parsed.Items) != want {
					t.Fatalf("%d items, want %d", len(parsed.Items), want)
				}
				// The newest items keep their content; the oldest
				// Summarized ones carry none.
				for i, it := range parsed.Items {
					summarized := i >= len(parsed.Items)-fitted.Summarized
					hasHTML := it.Content == f.Items[i].ContentHTML
					if summarized == hasHTML {
						t.Errorf("item %d: summarized %v but full content %v", i, summarized, hasHTML)
					}
				}
			})
		}
	}
	if f.Items[19].ContentHTML == "" {
		t.Error("Fit modified its input")
	}
}

// TestFitIsMinimal checks that Fit summarizes no more items than it must:
// one item fewer does not fit.
func TestFitIsMinimal(t *testing.T) {
	f := benchFeed(20)
	full, _ := RSS(f)
	max := int64(len(full)) * 2 / 3
	_, fitted, err := Fit(f, RSS, max, true)
	if err != nil {
		t.Fatal(err)
	}
	c := *f
	c.Items = append([]Item(nil), f.Items...)
	for i := len(c.Items) - fitted.Summarized + 1; i < len(c.Items); i++ {
		c.Items[i].ContentHTML = ""
	}
	if doc, _ := RSS(&c); int64(len(doc)) <= max {
		t.Errorf("Fit summarized %d items, but %d fit in %d bytes", fitted.Summarized, fitted.Summarized-1, max)
	}
}

func is(want int) func(int) bool        { return func(n int) bool { return n == want } }
func between(lo, hi int) func(int) bool { return func(n int) bool { return lo <= n && n <= hi } }
