package publish_test

import (
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/feedpub/feedpub/internal/publish"
	"github.com/feedpub/feedpub/internal/site"
)

// TestMendGzipMakesOnlyTheVariants holds that gzip variants found damaged
// in the store, many at once and each by several requests, are made
// again, their files written over, without a rebuild: the snapshot
// served stays the very one.
func TestMendGzipMakesOnlyTheVariants(t *testing.T) {
	p, cfg := newPublisher(t, publish.Options{})
	for i := range 20 {
		writeArticle(t, cfg.Articles.Dir, fmt.Sprintf("more/%02d.txt", i), fmt.Sprintf("More %d", i))
	}
	rebuild(t, p.Rebuild)
	p.Wait()
	snap := p.Snapshot()
	var damaged []*site.Document
	for _, path := range snap.Paths() {
		d := snap.Lookup(path)
		if d.Gzip() == nil {
			continue
		}
		if file, _ := d.Gzip().File(); file != "" {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			for i := range data {
				data[i] ^= 0xff
			}
			if err := os.WriteFile(file, data, 0o644); err != nil {
				t.Fatal(err)
			}
			damaged = append(damaged, d)
		}
	}
	if len(damaged) < 20 {
		t.Fatalf("%d stored gzip variants; want one for each article page at least", len(damaged))
	}
	var requests sync.WaitGroup
	for _, d := range damaged {
		gz := d.Gzip()
		for range 2 {
			requests.Go(func() { p.MendGzip(d, gz) })
		}
	}
	requests.Wait()
	p.Wait()
	if p.Snapshot() != snap {
		t.Error("a rebuild swapped in another snapshot for damaged gzip variants")
	}
	for _, d := range damaged {
		if gz := d.Gzip(); gz == nil || gz.Check() != nil {
			t.Errorf("%s: no gzip variant that passes its check after mending", d.Path)
		}
	}
}
