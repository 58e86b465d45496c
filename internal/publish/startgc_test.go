package publish

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"

	"github.com/feedpub/feedpub/internal/config"
)

// gcPercent returns the collector's current target.
func gcPercent() int {
	v := debug.SetGCPercent(100)
	debug.SetGCPercent(v)
	return v
}

// TestOnlyResidentPublishersLowerTheCollectorTarget holds that a build
// (a publisher that is not resident) leaves the collector's target as
// it is, and that a resident publisher (serve) lowers it for good.
func TestOnlyResidentPublishersLowerTheCollectorTarget(t *testing.T) {
	if os.Getenv("GOGC") != "" {
		t.Skip("GOGC is set: publishers leave the target alone")
	}
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	root := t.TempDir()
	cfg := config.Default()
	cfg.Articles.Dir = filepath.Join(root, "articles")
	cfg.State.File = filepath.Join(root, "state.json")
	if err := os.MkdirAll(cfg.Articles.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cfg.Articles.Dir, "a.txt"), []byte("Title: A\nDate: 2024-01-01\n\nA.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, resident := range []bool{false, true} {
		p, err := New(cfg, Options{Resident: resident})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Rebuild(); err != nil {
			t.Fatal(err)
		}
		p.Wait()
		want := 100
		if resident {
			want = residentGCPercent
		}
		if got := gcPercent(); got != want {
			t.Errorf("after the start of a publisher resident %v the target is %d, want %d", resident, got, want)
		}
	}
}
