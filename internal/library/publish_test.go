package library

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/article"
)

// The article list a scan updates from the last one (publish.go) is the
// list a scan of every file makes, in the same order, through edits,
// renames, deletes, drafts and ids and slugs that collide and stop
// colliding; and the published and scheduled articles a scanned library
// finds are those found by looking at each article.
func TestUpdatedListMatchesFullList(t *testing.T) {
	dir := t.TempDir()
	s := NewScanner(Options{Dir: dir, RacyWindow: -1})
	if _, _, err := s.Scan(); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	for step := range 400 {
		name := fmt.Sprintf("f%d.txt", rng.IntN(30))
		path := filepath.Join(dir, name)
		header := fmt.Sprintf("Title: T%d\nDate: 2024-01-%02d\n", rng.IntN(1000), 1+rng.IntN(5))
		switch rng.IntN(7) {
		case 0:
			os.Remove(path)
		case 3:
			header += "Draft: true\n"
		case 1:
			header += fmt.Sprintf("ID: shared-%d\n", rng.IntN(3))
		case 2:
			header += fmt.Sprintf("Slug: same-%d\n", rng.IntN(3))
		}
		if _, err := os.Stat(path); err == nil || rng.IntN(6) != 0 {
			if err := os.WriteFile(path, []byte(header+"\nBody.\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		lib, _, err := s.ScanChanged([]string{path})
		if err != nil {
			t.Fatal(err)
		}
		var all []fileInfo
		for p := range s.cache {
			all = append(all, fileInfo{rel: p})
		}
		slices.SortFunc(all, func(a, b fileInfo) int { return strings.Compare(a.rel, b.rel) })
		good := s.published
		s.published = nil // the full list, as a first scan makes it
		want, wantProblems := s.publish(all, s.cache, nil, nil)
		s.published = good
		if !slices.Equal(lib.Articles, want.articles) {
			t.Fatalf("step %d (%s): updated list %v, want %v", step, name, paths(lib.Articles), paths(want.articles))
		}
		checkPublished(t, step, lib)
		if dups := countDuplicates(lib.Problems); dups != len(wantProblems) {
			t.Fatalf("step %d (%s): %d duplicate problems, want %d", step, name, dups, len(wantProblems))
		}
	}
}

func paths(as []*article.Article) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Path
	}
	return out
}

func countDuplicates(ps []*article.ParseError) int {
	n := 0
	for _, p := range ps {
		if strings.HasPrefix(p.Msg, "duplicate ") {
			n++
		}
	}
	return n
}

// TestPublishedFollowsChanges holds, through random writes and removals
// of drafts, published and scheduled articles, with bodies kept on disk
// or not, each rescanned alone (so that the scan updates the last list),
// that the library finds from the lists it keeps the published and
// scheduled articles, and those with bodies in memory, that looking at
// every article finds.
func TestPublishedFollowsChanges(t *testing.T) {
	dir := t.TempDir()
	s := NewScanner(Options{Dir: dir, RacyWindow: -1, BodiesOnDisk: true})
	if _, _, err := s.Scan(); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 5))
	updated := 0
	for step := range 300 {
		path := filepath.Join(dir, fmt.Sprintf("f%d.txt", rng.IntN(20)))
		if rng.IntN(5) == 0 {
			os.Remove(path)
		} else {
			body := []string{"Body.", "A body that mentions href=x, kept in memory."}[rng.IntN(2)]
			text := fmt.Sprintf("Title: T%d\nDate: 2024-01-%02d\nDraft: %t\n\n%s\n", step, 1+rng.IntN(6), rng.IntN(3) == 0, body)
			if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if s.published != nil {
			updated++
		}
		lib, _, err := s.ScanChanged([]string{path})
		if err != nil {
			t.Fatal(err)
		}
		inMemory, ok := lib.BodiesInMemory()
		if want := slices.DeleteFunc(slices.Clone(lib.Articles), bodyOnDisk); !ok || !slices.Equal(inMemory, want) {
			t.Fatalf("step %d: bodies in memory %v (%v); want %v", step, paths(inMemory), ok, paths(want))
		}
		checkPublished(t, step, lib)
	}
	if updated < 250 {
		t.Errorf("only %d of 300 scans updated the last list", updated)
	}
}

// checkPublished fails t unless the published and scheduled articles lib
// finds from the lists it keeps, on each day around the test articles'
// dates (January 2024), are those found by looking at every article.
func checkPublished(t *testing.T, step int, lib *Library) {
	t.Helper()
	uncounted := &Library{Articles: lib.Articles}
	for day := range 8 {
		now := time.Date(2024, 1, day, 12, 0, 0, 0, time.UTC)
		if got, want := lib.Published(now), uncounted.Published(now); !slices.Equal(got, want) {
			t.Fatalf("step %d: published on day %d: %v, want %v", step, day, paths(got), paths(want))
		}
		if got, want := lib.NextScheduled(now), uncounted.NextScheduled(now); !got.Equal(want) {
			t.Fatalf("step %d: next scheduled on day %d: %v, want %v", step, day, got, want)
		}
	}
}
