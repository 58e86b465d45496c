package publish

import (
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/config"
)

// The heap is tight when the room left before the next collection is
// less than twice what the last change allocated.
func TestHeapTight(t *testing.T) {
	const mb = 1 << 20
	for _, c := range []struct {
		h      heapUse
		change uint64
		want   bool
	}{
		{heapUse{goal: 42 * mb, objects: 26 * mb}, 5 * mb, false}, // room for three such changes
		{heapUse{goal: 42 * mb, objects: 31 * mb}, 6 * mb, true},  // room for one
		{heapUse{goal: 450 * mb, objects: 330 * mb}, 25 * mb, false},
		{heapUse{goal: 450 * mb, objects: 420 * mb}, 25 * mb, true},
		{heapUse{goal: 42 * mb, objects: 43 * mb}, 0, true}, // past the goal already
		{heapUse{goal: 42 * mb, objects: 26 * mb}, 0, false},
	} {
		if got := c.h.tight(c.change); got != c.want {
			t.Errorf("%+v, a change of %d MB: tight = %v, want %v", c.h, c.change/mb, got, c.want)
		}
	}
}

// A resident publisher looks at its heap once it has been quiet for
// CollectAfter after a change, not after its start (which hands its
// memory back itself), and not again while nothing changes; the first
// look after the start counts every allocation so far as the change's,
// so it collects.
func TestCollectsWhenQuietAfterAChange(t *testing.T) {
	const quiet = 10 * time.Millisecond
	p, write := quietPublisher(t, quiet)
	var collected atomic.Int32
	p.collect = func() { collected.Add(1) }
	if _, err := p.Rebuild(); err != nil {
		t.Fatal(err)
	}
	p.Wait()
	time.Sleep(5 * quiet)
	if n := collected.Load(); n != 0 {
		t.Fatalf("after the start alone: %d collections; want none", n)
	}
	changeAndAwaitCollection(t, p, write, &collected)
	n := collected.Load()
	if n != 1 {
		t.Fatalf("a change and a quiet while later: %d collections; want 1", n)
	}
	time.Sleep(5 * quiet)
	if again := collected.Load(); again != n {
		t.Errorf("with nothing changed, %d more collections; want none", again-n)
	}
}

// A publisher whose collection took longer than the quiet wait collects
// no more between changes: it would not fall between them.
func TestNoCollectionsBetweenChangesOnceOneIsSlow(t *testing.T) {
	const quiet = 10 * time.Millisecond
	p, write := quietPublisher(t, quiet)
	var collected atomic.Int32
	p.collect = func() { collected.Add(1); time.Sleep(2 * quiet) }
	if _, err := p.Rebuild(); err != nil {
		t.Fatal(err)
	}
	changeAndAwaitCollection(t, p, write, &collected)
	if n := collected.Load(); n != 1 {
		t.Fatalf("after the first change: %d collections; want 1", n)
	}
	// Not Wait, which calls off a collection not yet due.
	for _, name := range []string{"c.txt", "d.txt"} {
		time.Sleep(10 * quiet)
		write(name)
		if _, err := p.Rebuild(); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(30 * quiet)
	if n := collected.Load(); n != 1 {
		t.Errorf("after a slow collection and two more changes: %d collections; want 1", n)
	}
}

// quietPublisher returns a resident publisher of one article that looks
// at its heap after quiet (and never settles), and what writes another.
func quietPublisher(t *testing.T, quiet time.Duration) (*Publisher, func(name string)) {
	t.Helper()
	root := t.TempDir()
	cfg := config.Default()
	cfg.Articles.Dir = filepath.Join(root, "articles")
	cfg.State.File = filepath.Join(root, "state", "state.json")
	write := func(name string) {
		t.Helper()
		if err := os.MkdirAll(cfg.Articles.Dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(cfg.Articles.Dir, name), []byte("Title: "+name+"\nDate: 2024-01-02\n\nBody.\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.txt")
	p, err := New(cfg, Options{Resident: true, RacyWindow: -1, SettleAfter: -1, CollectAfter: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Wait)
	return p, write
}

// changeAndAwaitCollection writes an article, rebuilds, and waits (ten
// seconds at most) for collected to be more than none.
func changeAndAwaitCollection(t *testing.T, p *Publisher, write func(string), collected *atomic.Int32) {
	t.Helper()
	write("b.txt")
	if _, err := p.Rebuild(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for collected.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
}
