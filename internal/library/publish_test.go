package library

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/feedpub/feedpub/internal/article"
)

// The article list a scan updates from the last one (publish.go) is the
// list a scan of every file makes, in the same order, through edits,
// renames, deletes and ids and slugs that collide and stop colliding.
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
		switch rng.IntN(6) {
		case 0:
			os.Remove(path)
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
		if !slices.Equal(lib.Articles, want) {
			t.Fatalf("step %d (%s): updated list %v, want %v", step, name, paths(lib.Articles), paths(want))
		}
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
