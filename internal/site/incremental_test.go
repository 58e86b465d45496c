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
	edits := newRandomEdits(t, dir, 40, 3, 5)
	for step := range 120 {
		edits.next(step)
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

// randomEdits makes random changes to the articles of a directory, for
// tests that hold incremental or reused output to what a build from
// scratch gives: deletions, renames, Markdown articles with links between
// them, drafts, and edits that change titles, dates and tags, among
// names many of which exist.
type randomEdits struct {
	t     *testing.T
	dir   string
	rng   *rand.Rand
	names int
}

func newRandomEdits(t *testing.T, dir string, names int, seed1, seed2 uint64) *randomEdits {
	return &randomEdits{t: t, dir: dir, rng: rand.New(rand.NewPCG(seed1, seed2)), names: names}
}

// name returns one of the names the edits use.
func (e *randomEdits) name() string { return fmt.Sprintf("a%02d", e.rng.IntN(e.names)) }

// date returns a date of 2024.
func (e *randomEdits) date() string {
	return fmt.Sprintf("2024-%02d-%02d", 1+e.rng.IntN(12), 1+e.rng.IntN(28))
}

func (e *randomEdits) write(name, text string) {
	e.t.Helper()
	if err := os.WriteFile(filepath.Join(e.dir, name), []byte(text), 0o644); err != nil {
		e.t.Fatal(err)
	}
}

// next makes one change, the step-th.
func (e *randomEdits) next(step int) {
	name, date := e.name(), e.date()
	switch e.rng.IntN(7) {
	case 0:
		os.Remove(filepath.Join(e.dir, name+".txt"))
		os.Remove(filepath.Join(e.dir, name+".md"))
	case 1:
		os.Rename(filepath.Join(e.dir, name+".txt"), filepath.Join(e.dir, e.name()+".txt"))
	case 2:
		e.write(name+".md", fmt.Sprintf("+++\ntitle = \"Linked %s\"\ndate = %s\n+++\nSee [that](%s.txt) and [this](%s.md).\n", name, date, e.name(), e.name()))
	case 3:
		e.write(name+".txt", fmt.Sprintf("Title: Draft %s\nDate: %s\nDraft: true\n\nNot yet.\n", name, date))
	default:
		tags := []string{"go", "Go", "web", "news"}[e.rng.IntN(4)]
		e.write(name+".txt", fmt.Sprintf("Title: T%d %s\nDate: %s\nTags: %s\n\nBody %d of %s.\n\n“A bio.”\n", step, name, date, tags, step, name))
	}
}
