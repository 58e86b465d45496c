package site_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/feedpub/feedpub/internal/library"
	"github.com/feedpub/feedpub/internal/site"
	"github.com/feedpub/feedpub/internal/state"
)

// A builder that carries article pages and list entries over from its
// last build serves, after any run of edits, renames, deletes, drafts,
// new tags and links, the bytes a new builder renders from scratch.
func TestIncrementalBuildsMatchFreshBuilds(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(dir)
	cfg.Feeds.FullContent = true
	cfg.Feeds.ArchiveSize = 5
	st := state.New()
	scanner := library.NewScanner(library.Options{Dir: dir, State: st, RacyWindow: -1, BodiesOnDisk: true})
	b, err := site.NewBuilder(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 5))
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	random := func() string { return fmt.Sprintf("a%02d", rng.IntN(40)) }
	for step := range 120 {
		name := random()
		date := fmt.Sprintf("2024-%02d-%02d", 1+rng.IntN(12), 1+rng.IntN(28))
		switch op := rng.IntN(7); op {
		case 0:
			os.Remove(filepath.Join(dir, name+".txt"))
			os.Remove(filepath.Join(dir, name+".md"))
		case 1:
			os.Rename(filepath.Join(dir, name+".txt"), filepath.Join(dir, random()+".txt"))
		case 2:
			write(name+".md", fmt.Sprintf("+++\ntitle = \"Linked %s\"\ndate = %s\n+++\nSee [that](%s.txt) and [this](%s.md).\n", name, date, random(), random()))
		case 3:
			write(name+".txt", fmt.Sprintf("Title: Draft %s\nDate: %s\nDraft: true\n\nNot yet.\n", name, date))
		default:
			tags := []string{"go", "Go", "web", "news"}[rng.IntN(4)]
			write(name+".txt", fmt.Sprintf("Title: T%d %s\nDate: %s\nTags: %s\n\nBody %d of %s.\n\n“A bio.”\n", step, name, date, tags, step, name))
		}
		lib, _, err := scanner.Scan()
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := b.Build(lib, now)
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := site.NewBuilder(cfg, st)
		if err != nil {
			t.Fatal(err)
		}
		want, _, err := fresh.Build(lib, now)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := strings.Join(got.Paths(), " "), strings.Join(want.Paths(), " "); g != w {
			t.Fatalf("step %d: paths\n%s\nwant, from scratch,\n%s", step, g, w)
		}
		for _, p := range want.Paths() {
			if !bytes.Equal(got.Lookup(p).Body, want.Lookup(p).Body) {
				t.Fatalf("step %d: %s differs from the one rendered from scratch", step, p)
			}
		}
		if got.Len() != len(slices.Collect(func(yield func(string) bool) {
			for p := range got.Documents() {
				if !yield(p) {
					return
				}
			}
		})) {
			t.Fatalf("step %d: Len and Documents disagree", step)
		}
	}
}
