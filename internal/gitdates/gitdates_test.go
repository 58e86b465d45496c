package gitdates

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"

	"github.com/feedpub/feedpub/internal/testgit"
)

func write(t *testing.T, path, s string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDatesFollowRenamesAndNewCommits(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "articles")
	repo := testgit.Init(t, root)
	t1 := time.Date(2024, 1, 1, 9, 0, 0, 0, time.FixedZone("CET", 3600))
	t2, t3, t4 := t1.Add(24*time.Hour), t1.Add(48*time.Hour), t1.Add(72*time.Hour)
	body := "Title: A\n\nA body long enough that a rename is recognised by content.\n"
	write(t, filepath.Join(dir, "a.txt"), body)
	write(t, filepath.Join(dir, "b.txt"), "Title: B\n\nB.\n")
	write(t, filepath.Join(root, "README"), "not an article\n")
	testgit.Commit(t, repo, "first", t1)
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	os.Rename(filepath.Join(dir, "a.txt"), filepath.Join(dir, "sub", "a2.txt"))
	write(t, filepath.Join(dir, "b.txt"), "Title: B\n\nB, edited.\n")
	testgit.Commit(t, repo, "rename a, edit b", t2)

	h, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	utc := func(t time.Time) time.Time { return t.UTC() }
	for _, c := range []struct {
		path string
		want Dates
		ok   bool
	}{
		{"sub/a2.txt", Dates{utc(t1), utc(t2)}, true},
		{"b.txt", Dates{utc(t1), utc(t2)}, true},
		{"a.txt", Dates{}, false},
		{"README", Dates{}, false},
	} {
		if got, ok := h.Lookup(c.path); got != c.want || ok != c.ok {
			t.Errorf("Lookup(%q) = %v, %v; want %v, %v", c.path, got, ok, c.want, c.ok)
		}
	}

	// New commits are read by Refresh, from where the last read ended.
	write(t, filepath.Join(dir, "b.txt"), "Title: B\n\nB, edited again.\n")
	testgit.Commit(t, repo, "edit b", t3)
	write(t, filepath.Join(dir, "c.txt"), "Title: C\n\nC.\n")
	testgit.Commit(t, repo, "add c", t4)
	if got, _ := h.Lookup("b.txt"); got.Changed != utc(t2) {
		t.Errorf("before Refresh, b.txt changed %v, want %v", got.Changed, utc(t2))
	}
	if err := h.Refresh(); err != nil {
		t.Fatal(err)
	}
	if got, _ := h.Lookup("b.txt"); got != (Dates{utc(t1), utc(t3)}) {
		t.Errorf("after Refresh, b.txt = %v, want added %v, changed %v", got, utc(t1), utc(t3))
	}
	if got, ok := h.Lookup("c.txt"); !ok || got != (Dates{utc(t4), utc(t4)}) {
		t.Errorf("after Refresh, c.txt = %v, %v; want %v twice", got, ok, utc(t4))
	}
}

func TestOpenOutsideRepository(t *testing.T) {
	if _, err := Open(t.TempDir()); err == nil {
		t.Error("Open of a directory in no repository succeeded")
	}
}

// A shallow clone lacks the commits that date most files: Open refuses
// it and says how to fetch them, rather than dating them by the cut.
func TestOpenRefusesShallowClones(t *testing.T) {
	origin := t.TempDir()
	repo := testgit.Init(t, origin)
	t1 := time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)
	write(t, filepath.Join(origin, "a.txt"), "Title: A\n\nA.\n")
	testgit.Commit(t, repo, "first", t1)
	write(t, filepath.Join(origin, "b.txt"), "Title: B\n\nB.\n")
	testgit.Commit(t, repo, "second", t1.Add(time.Hour))

	clone := t.TempDir()
	if _, err := git.PlainClone(clone, false, &git.CloneOptions{URL: "file://" + origin, Depth: 1}); err != nil {
		t.Fatal(err)
	}
	_, err := Open(clone)
	if err == nil || !strings.Contains(err.Error(), "shallow") || !strings.Contains(err.Error(), "--unshallow") {
		t.Errorf("Open of a shallow clone: %v; want an error saying it is shallow and how to fetch the history", err)
	}
}
