package watch_test

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/publish"
)

// baseFiles is the articles directory each writer-operation test starts
// from, and basePublished what it publishes.
var (
	baseFiles     = map[string]string{"a.txt": text("A"), "sub/b.txt": text("B")}
	basePublished = map[string]string{"a": "A", "sub/b": "B"}
)

// with returns base plus the id, title pairs in kv.
func with(base map[string]string, kv ...string) map[string]string {
	out := maps.Clone(base)
	for i := 0; i < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// without returns base minus ids.
func without(base map[string]string, ids ...string) map[string]string {
	out := maps.Clone(base)
	for _, id := range ids {
		delete(out, id)
	}
	return out
}

// TestWriterOperations performs, with real file operations, what writers,
// editors and tools do to an articles directory, and checks that the
// published set converges to exactly the directory's content with the
// expected ids.
func TestWriterOperations(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, s *testSite)
	}{
		{"create", func(t *testing.T, s *testSite) {
			s.write("c.txt", text("C"))
			s.converge(with(basePublished, "c", "C"))
		}},
		{"create in a new nested directory", func(t *testing.T, s *testSite) {
			s.write("new/deep/c.txt", text("C"))
			s.converge(with(basePublished, "new/deep/c", "C"))
			s.write("new/deep/d.txt", text("D"))
			s.write("new/e.txt", text("E"))
			s.converge(with(basePublished, "new/deep/c", "C", "new/deep/d", "D", "new/e", "E"))
		}},
		{"edit in place", func(t *testing.T, s *testSite) {
			s.write("a.txt", text("A edited"))
			s.converge(with(basePublished, "a", "A edited"))
			s.write("a.txt", text("A edited twice"))
			s.converge(with(basePublished, "a", "A edited twice"))
		}},
		{"atomic save", func(t *testing.T, s *testSite) {
			replaceFile(t, s.path("a.txt"), text("A saved"))
			s.converge(with(basePublished, "a", "A saved"))
		}},
		{"vim save", func(t *testing.T, s *testSite) {
			// vim with backupcopy=no: test file 4913, swap file, the
			// original renamed to a backup, a new file, the backup deleted.
			s.write("4913", "")
			must(t, os.Remove(s.path("4913")))
			s.write(".a.txt.swp", "swap")
			must(t, os.Rename(s.path("a.txt"), s.path("a.txt~")))
			s.write("a.txt", text("A from vim"))
			must(t, os.Remove(s.path("a.txt~")))
			must(t, os.Remove(s.path(".a.txt.swp")))
			s.converge(with(basePublished, "a", "A from vim"))
		}},
		{"editor leftovers are ignored", func(t *testing.T, s *testSite) {
			for _, name := range []string{".a.txt.swp", "a.txt~", "4913", "#a.txt#", "a.txt.tmp", "sub/.b.txt.swx", ".drafts/x.txt"} {
				s.write(name, text("Leftover "+name))
			}
			s.write("c.txt", text("C")) // a real change after the leftovers
			s.converge(with(basePublished, "c", "C"))
		}},
		{"move in from outside the tree", func(t *testing.T, s *testSite) {
			outside := filepath.Join(s.root, "outside.txt")
			writeFile(t, outside, text("C"))
			must(t, os.Rename(outside, s.path("sub/c.txt")))
			s.converge(with(basePublished, "sub/c", "C"))
		}},
		{"move out of the tree", func(t *testing.T, s *testSite) {
			must(t, os.Rename(s.path("a.txt"), filepath.Join(s.root, "a.txt")))
			s.converge(without(basePublished, "a"))
		}},
		{"move within the tree keeps the id", func(t *testing.T, s *testSite) {
			must(t, os.Rename(s.path("a.txt"), s.path("sub/a.txt")))
			s.converge(basePublished)
			s.waitFor("the library to list sub/a.txt", func() bool { return s.articlePath("a") == "sub/a.txt" })
		}},
		{"rename keeps the id", func(t *testing.T, s *testSite) {
			must(t, os.Rename(s.path("sub/b.txt"), s.path("sub/renamed.txt")))
			s.waitFor("the library to list sub/renamed.txt", func() bool { return s.articlePath("sub/b") == "sub/renamed.txt" })
			s.converge(basePublished)
			// Edited after the rename, it is still the same article.
			s.write("sub/renamed.txt", text("B renamed"))
			s.converge(with(basePublished, "sub/b", "B renamed"))
		}},
		{"delete", func(t *testing.T, s *testSite) {
			must(t, os.Remove(s.path("sub/b.txt")))
			s.converge(without(basePublished, "sub/b"))
		}},
		{"remove a directory and create it again", func(t *testing.T, s *testSite) {
			must(t, os.RemoveAll(s.path("sub")))
			s.converge(without(basePublished, "sub/b"))
			s.write("sub/c.txt", text("C"))
			s.converge(with(without(basePublished, "sub/b"), "sub/c", "C"))
			s.write("sub/d.txt", text("D"))
			s.converge(with(without(basePublished, "sub/b"), "sub/c", "C", "sub/d", "D"))
		}},
		{"move a directory within the tree", func(t *testing.T, s *testSite) {
			must(t, os.Mkdir(s.path("moved"), 0o755))
			must(t, os.Rename(s.path("sub"), s.path("moved/sub2")))
			s.waitFor("sub/b.txt to move", func() bool { return s.articlePath("sub/b") == "moved/sub2/b.txt" })
			s.write("moved/sub2/c.txt", text("C")) // the moved directory is watched at its new place
			s.converge(with(basePublished, "moved/sub2/c", "C"))
		}},
		{"move a directory with a subdirectory into a new directory", func(t *testing.T, s *testSite) {
			s.write("sub/x/d.txt", text("D"))
			s.converge(with(basePublished, "sub/x/d", "D"))
			// The walk of "moved" usually runs after the rename, before
			// the rename's own events are handled.
			must(t, os.Mkdir(s.path("moved"), 0o755))
			must(t, os.Rename(s.path("sub"), s.path("moved/sub2")))
			s.waitFor("sub/x/d.txt to move", func() bool { return s.articlePath("sub/x/d") == "moved/sub2/x/d.txt" })
			s.write("moved/sub2/x/c.txt", text("C"))
			s.converge(with(basePublished, "sub/x/d", "D", "moved/sub2/x/c", "C"))
			if got := s.articlePath("sub/b"); got != "moved/sub2/b.txt" {
				t.Errorf("sub/b is published from %s, want moved/sub2/b.txt", got)
			}
		}},
		{"move a directory out of the tree", func(t *testing.T, s *testSite) {
			gone := filepath.Join(s.root, "gone")
			must(t, os.Rename(s.path("sub"), gone))
			s.converge(without(basePublished, "sub/b"))
			writeFile(t, filepath.Join(gone, "c.txt"), text("C")) // no longer followed
			s.write("d.txt", text("D"))
			s.converge(with(without(basePublished, "sub/b"), "d", "D"))
		}},
		{"move a whole tree in", func(t *testing.T, s *testSite) {
			tree := filepath.Join(s.root, "tree")
			writeFile(t, filepath.Join(tree, "x/y/z.txt"), text("Z"))
			writeFile(t, filepath.Join(tree, "w.txt"), text("W"))
			must(t, os.Rename(tree, s.path("tree")))
			s.converge(with(basePublished, "tree/x/y/z", "Z", "tree/w", "W"))
			s.write("tree/x/y/new.txt", text("New")) // its directories are watched
			s.converge(with(basePublished, "tree/x/y/z", "Z", "tree/w", "W", "tree/x/y/new", "New"))
		}},
		{"copy a whole tree in", func(t *testing.T, s *testSite) {
			tree := filepath.Join(s.root, "tree")
			writeFile(t, filepath.Join(tree, "x/y/z.txt"), text("Z"))
			writeFile(t, filepath.Join(tree, "w.txt"), text("W"))
			must(t, os.CopyFS(s.path("copied"), os.DirFS(tree)))
			s.converge(with(basePublished, "copied/x/y/z", "Z", "copied/w", "W"))
			s.write("copied/x/y/new.txt", text("New"))
			s.converge(with(basePublished, "copied/x/y/z", "Z", "copied/w", "W", "copied/x/y/new", "New"))
		}},
		{"rm -rf the articles directory and create it again", func(t *testing.T, s *testSite) {
			mark := s.mark()
			must(t, os.RemoveAll(s.dir))
			s.waitResult(mark, "a rebuild to fail", func(r rebuild) bool { return r.err != nil })
			if got := s.published(); !maps.Equal(got, basePublished) {
				t.Fatalf("with the directory gone, published %v, want the last good %v", got, basePublished)
			}
			s.write("c.txt", text("C"))
			s.converge(map[string]string{"c": "C"})
			s.write("sub2/d.txt", text("D"))
			s.converge(map[string]string{"c": "C", "sub2/d": "D"})
		}},
		{"unparseable file keeps its last good version", func(t *testing.T, s *testSite) {
			s.write("a.txt", "")
			s.waitFor("an error to be counted", func() bool { return s.pub.Snapshot().Errors == 1 })
			s.checkProblem("a.txt")
			if got := s.published(); !maps.Equal(got, basePublished) {
				t.Fatalf("published %v, want the last good %v", got, basePublished)
			}
			s.write("a.txt", text("A fixed"))
			s.converge(with(basePublished, "a", "A fixed"))
			s.waitFor("the error to clear", func() bool { return s.pub.Snapshot().Errors == 0 })
		}},
		{"file replaced by a broken link keeps its last good version", func(t *testing.T, s *testSite) {
			must(t, os.Symlink("nowhere.txt", s.path("link.tmp")))
			must(t, os.Rename(s.path("link.tmp"), s.path("a.txt")))
			s.waitFor("an error to be counted", func() bool { return s.pub.Snapshot().Errors == 1 })
			s.checkProblem("a.txt")
			if got := s.published(); !maps.Equal(got, basePublished) {
				t.Fatalf("published %v, want the last good %v", got, basePublished)
			}
			replaceFile(t, s.path("a.txt"), text("A again"))
			s.converge(with(basePublished, "a", "A again"))
			s.waitFor("the error to clear", func() bool { return s.pub.Snapshot().Errors == 0 })
		}},
		{"file made unreadable keeps its last good version", func(t *testing.T, s *testSite) {
			if os.Geteuid() == 0 {
				t.Skip("permissions do not stop root; the broken link case covers unreadable files")
			}
			must(t, os.Chmod(s.path("a.txt"), 0))
			s.waitFor("an error to be counted", func() bool { return s.pub.Snapshot().Errors == 1 })
			s.checkProblem("a.txt")
			must(t, os.Chmod(s.path("a.txt"), 0o644))
			s.waitFor("the error to clear", func() bool { return s.pub.Snapshot().Errors == 0 })
			s.converge(basePublished)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSite(t, siteOptions{files: baseFiles})
			s.converge(basePublished)
			tt.run(t, s)
			if got, want := s.publishedTitles(), dirTitles(t, s.dir); !slices.Equal(got, want) {
				t.Errorf("published titles %q, directory has %q", got, want)
			}
		})
	}
}

// articlePath returns the path of the published article with id, or "".
func (s *testSite) articlePath(id string) string {
	for _, a := range s.pub.Library().Articles {
		if a.ID == id {
			return a.Path
		}
	}
	return ""
}

// publishedTitles returns the titles of the published articles, sorted.
func (s *testSite) publishedTitles() []string {
	titles := slices.Collect(maps.Values(s.published()))
	slices.Sort(titles)
	return titles
}

// checkProblem fails the test unless the library reports a problem with
// the file at path.
func (s *testSite) checkProblem(path string) {
	s.t.Helper()
	var msgs []string
	for _, p := range s.pub.Library().Problems {
		if p.Path == path {
			return
		}
		msgs = append(msgs, p.Error())
	}
	s.t.Errorf("no problem reported for %s; problems: %s", path, strings.Join(msgs, "; "))
}

// TestBurstIsDebounced writes 1,000 files as fast as it can and checks
// they are published by a handful of rebuilds, not one per file: one
// after the quiet period, plus at most one for each max-wait period the
// burst lasted and one for a pause of the writer.
func TestBurstIsDebounced(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 200
	}
	s := newSite(t, siteOptions{})
	maxWait := s.cfg.Articles.MaxWait.Duration
	mark := s.mark()
	start := time.Now()
	for i := range n {
		s.write(fmt.Sprintf("burst/%d/%04d.txt", i%10, i), text(fmt.Sprintf("Burst %d", i)))
	}
	burst := time.Since(start)
	s.waitFor("every file to be published", func() bool { return len(s.published()) == n })
	rebuilds := s.rebuildsSince(mark)
	limit := 2 + int(burst/maxWait)
	t.Logf("%d files written in %v, published by %d rebuilds", n, burst, len(rebuilds))
	if len(rebuilds) > limit {
		t.Errorf("%d rebuilds for a burst of %d files lasting %v, want at most %d", len(rebuilds), n, burst, limit)
	}
	for _, r := range rebuilds {
		if r.err != nil || r.res.Reason != "change" {
			t.Errorf("rebuild %+v, %v: want reason change, no error", r.res, r.err)
		}
	}
}

// TestChangeDuringRebuild holds a rebuild while a file changes and checks
// the change causes exactly one more rebuild: the next one after it is the
// one a reload requests.
func TestChangeDuringRebuild(t *testing.T) {
	reload := make(chan struct{})
	s := newSite(t, siteOptions{files: baseFiles, reload: reload})
	entered, release := make(chan struct{}), make(chan struct{})
	var once bool
	s.setHook(func(publish.Result, error) {
		if !once {
			once = true
			close(entered)
			<-release
		}
	})
	mark := s.mark()
	// Saved by rename, so each file is one event.
	replaceFile(t, s.path("c.txt"), text("C"))
	<-entered // the rebuild for c.txt is running
	replaceFile(t, s.path("d.txt"), text("D"))
	close(release)
	s.converge(with(basePublished, "c", "C", "d", "D"))
	reload <- struct{}{}
	s.waitResult(mark, "the reload", func(r rebuild) bool { return r.res.Reason == "reload" })
	var reasons []string
	for _, r := range s.rebuildsSince(mark) {
		reasons = append(reasons, r.res.Reason)
	}
	if want := []string{"change", "change", "reload"}; !slices.Equal(reasons, want) {
		t.Errorf("rebuilds %q, want %q", reasons, want)
	}
}
