package library_test

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/library"
	"github.com/feedpub/feedpub/internal/state"
)

func text(title string) string {
	return "Title: " + title + "\n\nThe body of " + title + ".\n"
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// dir is an articles directory in a test.
type dir struct {
	t    *testing.T
	path string
	// rescan, where a test sets it, scans with the test's scanner.
	rescan func()
}

func newDir(t *testing.T, files map[string]string) dir {
	d := dir{t: t, path: t.TempDir()}
	for name, content := range files {
		d.write(name, content)
	}
	return d
}

func (d dir) abs(rel string) string { return filepath.Join(d.path, filepath.FromSlash(rel)) }

func (d dir) write(rel, content string) {
	d.t.Helper()
	must(d.t, os.MkdirAll(filepath.Dir(d.abs(rel)), 0o755))
	must(d.t, os.WriteFile(d.abs(rel), []byte(content), 0o644))
}

// setModTime gives a file a distinct modification time, so a rewrite of
// the same size is told apart within one timestamp tick.
func (d dir) setModTime(rel string, t time.Time) {
	d.t.Helper()
	must(d.t, os.Chtimes(d.abs(rel), t, t))
}

func (d dir) rename(from, to string) {
	d.t.Helper()
	must(d.t, os.MkdirAll(filepath.Dir(d.abs(to)), 0o755))
	must(d.t, os.Rename(d.abs(from), d.abs(to)))
}

// scanner returns a scanner that trusts every read: the tests write files
// and scan them within the same second.
func (d dir) scanner(st *state.State) *library.Scanner {
	return library.NewScanner(library.Options{Dir: d.path, State: st, RacyWindow: -1})
}

func scan(t *testing.T, s *library.Scanner) (*library.Library, library.Stats) {
	t.Helper()
	lib, stats, err := s.Scan()
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	return lib, stats
}

// articles returns the library's articles as id → path.
func articles(lib *library.Library) map[string]string {
	out := map[string]string{}
	for _, a := range lib.Articles {
		out[a.ID] = a.Path
	}
	return out
}

// TestIncrementalScan checks that a rescan reads exactly the files whose
// size, modification time, change time or inode changed.
func TestIncrementalScan(t *testing.T) {
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	d := newDir(t, map[string]string{"a.txt": text("A"), "b.txt": text("B"), "sub/c.txt": text("C")})
	s := d.scanner(nil)
	if _, stats := scan(t, s); stats.Files != 3 || stats.Read != 3 {
		t.Fatalf("first scan: %+v, want 3 files read", stats)
	}
	tests := []struct {
		name   string
		change func()
		want   library.Stats // Files, Read and Removed
	}{
		{"nothing changed", func() {}, library.Stats{Files: 3}},
		{"edit that changes the size", func() { d.write("a.txt", text("A longer")) }, library.Stats{Files: 3, Read: 1}},
		{"edit that keeps the size", func() {
			d.write("b.txt", text("X"))
			d.setModTime("b.txt", old)
		}, library.Stats{Files: 3, Read: 1}},
		{"chmod (change time only)", func() { must(t, os.Chmod(d.abs("b.txt"), 0o600)) }, library.Stats{Files: 3, Read: 1}},
		{"replaced by rename with the same size and time", func() {
			tmp := filepath.Join(d.path, ".b.tmp")
			must(t, os.WriteFile(tmp, []byte(text("Y")), 0o644))
			must(t, os.Chtimes(tmp, old, old))
			must(t, os.Rename(tmp, d.abs("b.txt")))
		}, library.Stats{Files: 3, Read: 1}},
		{"new file", func() { d.write("sub/d.txt", text("D")) }, library.Stats{Files: 4, Read: 1}},
		{"deleted file", func() { must(t, os.Remove(d.abs("sub/d.txt"))) }, library.Stats{Files: 3, Removed: 1}},
		{"ignored files", func() {
			d.write(".a.txt.swp", "x")
			d.write("a.txt~", text("Backup"))
			d.write("notes.pdf", "x")
		}, library.Stats{Files: 3}},
		{"nothing changed again", func() {}, library.Stats{Files: 3}},
	}
	for _, tt := range tests {
		// Sequential steps on one directory: each builds on the last.
		tt.change()
		_, got := scan(t, s)
		got.Duration = 0
		if got != tt.want {
			t.Errorf("%s: scan stats %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

// TestRacyWindow checks the default: a file changed within two seconds of
// being read is read again, since a second write in the same timestamp
// tick would otherwise go unseen.
func TestRacyWindow(t *testing.T) {
	d := newDir(t, map[string]string{"a.txt": text("A")})
	s := library.NewScanner(library.Options{Dir: d.path})
	scan(t, s)
	if _, stats := scan(t, s); stats.Read != 1 {
		t.Errorf("rescan of a file just written read %d files, want 1", stats.Read)
	}
	old := time.Now().Add(-time.Hour)
	d.setModTime("a.txt", old) // ctime still moves: still racy
	scan(t, s)
	if _, stats := scan(t, s); stats.Read != 1 {
		t.Errorf("rescan of a file changed just now read %d files, want 1", stats.Read)
	}
}

// TestIdentity checks where ids come from: the path when first seen, the
// old id for the same content at a new path in the same scan, and an ID
// header above all.
func TestIdentity(t *testing.T) {
	tests := []struct {
		name   string
		files  map[string]string
		change func(d dir)
		want   map[string]string // id → path after the change
	}{
		{"new files take their path", nil, func(d dir) { d.write("2024/new.txt", text("New")) },
			map[string]string{"a": "a.txt", "2024/new": "2024/new.txt"}},
		{"rename keeps the id", nil, func(d dir) { d.rename("a.txt", "b.txt") },
			map[string]string{"a": "b.txt"}},
		{"move to a subdirectory keeps the id", nil, func(d dir) { d.rename("a.txt", "x/y/a.txt") },
			map[string]string{"a": "x/y/a.txt"}},
		{"rename of a renamed file keeps the id", nil, func(d dir) {
			d.rename("a.txt", "b.txt")
			d.rename("b.txt", "c.txt")
		}, map[string]string{"a": "c.txt"}},
		{"a copy is a new article", nil, func(d dir) {
			data, err := os.ReadFile(d.abs("a.txt"))
			must(d.t, err)
			d.write("copy.txt", string(data))
		}, map[string]string{"a": "a.txt", "copy": "copy.txt"}},
		{"a new file at a renamed file's old path gets a fresh id", nil, func(d dir) {
			d.rename("a.txt", "b.txt")
			d.rescan()
			d.write("a.txt", text("Another A"))
		}, map[string]string{"a": "b.txt", "a-2": "a.txt"}},
		{"the ID header wins", map[string]string{"h.txt": "Title: H\nID: custom\n\nBody.\n"}, func(d dir) {
			d.rename("h.txt", "renamed.txt")
		}, map[string]string{"a": "a.txt", "custom": "renamed.txt"}},
		{"an ID header added later wins over the remembered id", nil, func(d dir) {
			d.write("a.txt", "Title: A\nID: chosen\n\nThe body of A.\n")
		}, map[string]string{"chosen": "a.txt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"a.txt": text("A")}
			maps.Copy(files, tt.files)
			d := newDir(t, files)
			s := d.scanner(nil)
			scan(t, s)
			d.rescan = func() { scan(t, s) }
			tt.change(d)
			lib, _ := scan(t, s)
			if got := articles(lib); !maps.Equal(got, tt.want) {
				t.Errorf("articles (id → path) %v, want %v", got, tt.want)
			}
		})
	}
}

// TestIdentitySurvivesRestart scans with a state file, renames, and starts
// a new scanner on the same state file: ids and first-seen dates stay.
func TestIdentitySurvivesRestart(t *testing.T) {
	d := newDir(t, map[string]string{"a.txt": text("A"), "sub/b.txt": text("B")})
	future := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, f := range []string{"a.txt", "sub/b.txt"} {
		d.setModTime(f, future) // so first-seen is the scan time, not the mtime
	}
	stateFile := filepath.Join(t.TempDir(), ".feedpub", "state.json")
	firstRun := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	open := func(now time.Time) *library.Scanner {
		st, err := state.Load(stateFile)
		must(t, err)
		return library.NewScanner(library.Options{Dir: d.path, State: st, RacyWindow: -1,
			Now: func() time.Time { return now }})
	}

	st, err := state.Load(stateFile)
	must(t, err)
	s := library.NewScanner(library.Options{Dir: d.path, State: st, RacyWindow: -1,
		Now: func() time.Time { return firstRun }})
	scan(t, s)
	d.rename("a.txt", "moved/a.txt")
	lib, _ := scan(t, s)
	must(t, st.Save()) // the scanner's caller saves (publish does, after a swap)
	want := map[string]string{"a": "moved/a.txt", "sub/b": "sub/b.txt"}
	if got := articles(lib); !maps.Equal(got, want) {
		t.Fatalf("before restart: %v, want %v", got, want)
	}
	if entries, err := os.ReadDir(filepath.Dir(stateFile)); err != nil || len(entries) != 1 {
		t.Errorf("state directory holds %v (%v), want only the state file: no temporary files left", entries, err)
	}

	lib, _ = scan(t, open(firstRun.Add(24*time.Hour)))
	if got := articles(lib); !maps.Equal(got, want) {
		t.Errorf("after restart: %v, want %v", got, want)
	}
	for _, a := range lib.Articles {
		if !a.Published.Equal(firstRun) {
			t.Errorf("%s published %v after restart, want when first seen, %v", a.Path, a.Published, firstRun)
		}
	}
}

// TestCorruptState checks a corrupt state file is reported, replaced by an
// empty state, and written again whole on the next save.
func TestCorruptState(t *testing.T) {
	d := newDir(t, map[string]string{"a.txt": text("A")})
	stateFile := filepath.Join(t.TempDir(), "state.json")
	must(t, os.WriteFile(stateFile, []byte(`{"version": 1, "articles": {"a.txt": `), 0o644))
	st, err := state.Load(stateFile)
	if err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Errorf("Load of a corrupt file: err = %v, want one saying it is corrupt", err)
	}
	lib, _ := scan(t, d.scanner(st))
	if got, want := articles(lib), map[string]string{"a": "a.txt"}; !maps.Equal(got, want) {
		t.Errorf("articles %v, want %v", got, want)
	}
	must(t, st.Save())
	again, err := state.Load(stateFile)
	if err != nil {
		t.Fatalf("state file not rewritten: %v", err)
	}
	if a, ok := again.Article("a.txt"); !ok || a.ID != "a" {
		t.Errorf("rewritten state has %+v, %v for a.txt, want id a", a, ok)
	}
}

// TestLastGoodVersion breaks a file in the ways a writer can and checks
// its last good version stays, with the problem reported, until it is
// fixed or deleted.
func TestLastGoodVersion(t *testing.T) {
	tests := []struct {
		name    string
		breakIt func(d dir)
		root    bool // whether the breakage works when running as root
	}{
		{"unparseable", func(d dir) { d.write("a.txt", "") }, true},
		{"broken link", func(d dir) {
			must(d.t, os.Remove(d.abs("a.txt")))
			must(d.t, os.Symlink("nowhere.txt", d.abs("a.txt")))
		}, true},
		{"unreadable", func(d dir) { must(d.t, os.Chmod(d.abs("a.txt"), 0)) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.root && os.Geteuid() == 0 {
				t.Skip("permissions do not stop root")
			}
			d := newDir(t, map[string]string{"a.txt": text("A"), "b.txt": text("B")})
			s := d.scanner(nil)
			scan(t, s)
			tt.breakIt(d)
			lib, _ := scan(t, s)
			if lib.Errors() != 1 || lib.Problems[0].Path != "a.txt" {
				t.Errorf("problems %v, want one error for a.txt", lib.Problems)
			}
			if got, want := titles(lib), map[string]string{"a": "A", "b": "B"}; !maps.Equal(got, want) {
				t.Errorf("articles %v, want the last good %v", got, want)
			}
			lib, _ = scan(t, s) // still broken, still kept
			if got, want := titles(lib), map[string]string{"a": "A", "b": "B"}; !maps.Equal(got, want) || lib.Errors() != 1 {
				t.Errorf("rescan: articles %v with %d errors, want the last good %v and 1 error", got, lib.Errors(), want)
			}
			must(t, os.Remove(d.abs("a.txt")))
			lib, _ = scan(t, s)
			if got, want := titles(lib), map[string]string{"b": "B"}; !maps.Equal(got, want) || lib.Errors() != 0 {
				t.Errorf("after delete: articles %v with %d errors, want %v and none", got, lib.Errors(), want)
			}
		})
	}
}

// titles returns the library's articles as id → title.
func titles(lib *library.Library) map[string]string {
	out := map[string]string{}
	for _, a := range lib.Articles {
		out[a.ID] = a.Title
	}
	return out
}

// TestMissingDirectory checks a scan of a directory that is gone fails,
// and a scanner carries on once it is back.
func TestMissingDirectory(t *testing.T) {
	d := newDir(t, map[string]string{"a.txt": text("A")})
	s := d.scanner(nil)
	scan(t, s)
	must(t, os.RemoveAll(d.path))
	if _, _, err := s.Scan(); err == nil {
		t.Fatal("Scan of a missing directory succeeded")
	}
	d.write("a.txt", text("A"))
	if lib, _ := scan(t, s); !maps.Equal(articles(lib), map[string]string{"a": "a.txt"}) {
		t.Errorf("after the directory came back: %v", articles(lib))
	}
}
