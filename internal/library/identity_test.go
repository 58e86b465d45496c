package library_test

import (
	"bytes"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/library"
	"github.com/feedpub/feedpub/internal/state"
)

// TestIdentitySurvivesRenameWhileStopped runs feedpub's scanner over a
// state file, changes the directory while nothing runs (as a git pull or
// a reorganisation before a restart does), and starts again: a file
// whose content matches exactly one remembered path that is gone keeps
// that path's id and first-seen time.
func TestIdentitySurvivesRenameWhileStopped(t *testing.T) {
	firstRun := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		files map[string]string // besides a.txt
		// change runs while feedpub is stopped.
		change func(d dir)
		want   map[string]string // id → path after the restart
		// warn is a path the restart must warn about, or "".
		warn string
	}{
		{"rename keeps the id", nil, func(d dir) { d.rename("a.txt", "b.txt") },
			map[string]string{"a": "b.txt"}, ""},
		{"move to a subdirectory keeps the id", nil, func(d dir) { d.rename("a.txt", "2024/x/a.txt") },
			map[string]string{"a": "2024/x/a.txt"}, ""},
		{"the ID header wins", nil, func(d dir) {
			must(d.t, os.Remove(d.abs("a.txt")))
			d.write("b.txt", "Title: A\nID: chosen\n\nThe body of A.\n")
		}, map[string]string{"chosen": "b.txt"}, ""},
		{"an edited file is a new article", nil, func(d dir) {
			d.rename("a.txt", "b.txt")
			d.write("b.txt", text("A, edited"))
		}, map[string]string{"b": "b.txt"}, ""},
		{"two remembered candidates: neither", map[string]string{"twin.txt": text("A")}, func(d dir) {
			must(d.t, os.Remove(d.abs("twin.txt")))
			d.rename("a.txt", "b.txt")
		}, map[string]string{"b": "b.txt"}, "b.txt"},
		{"two new candidates: neither", nil, func(d dir) {
			d.write("c.txt", text("A"))
			d.rename("a.txt", "b.txt")
		}, map[string]string{"b": "b.txt", "c": "c.txt"}, "b.txt"},
		{"a remembered path still present is no candidate", nil, func(d dir) {
			d.write("copy.txt", text("A"))
		}, map[string]string{"a": "a.txt", "copy": "copy.txt"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"a.txt": text("A")}
			maps.Copy(files, tt.files)
			d := newDir(t, files)
			for f := range files {
				// Later than both runs, so first-seen is the scan time.
				d.setModTime(f, firstRun.AddDate(1, 0, 0))
			}
			stateFile := filepath.Join(t.TempDir(), "state.json")
			st, err := state.Load(stateFile)
			must(t, err)
			scan(t, library.NewScanner(library.Options{Dir: d.path, State: st, RacyWindow: -1,
				Now: func() time.Time { return firstRun }}))
			must(t, st.Save())

			tt.change(d)

			st, err = state.Load(stateFile)
			must(t, err)
			var log bytes.Buffer
			restart := firstRun.Add(24 * time.Hour)
			lib, _ := scan(t, library.NewScanner(library.Options{Dir: d.path, State: st, RacyWindow: -1,
				Logger: slog.New(slog.NewTextHandler(&log, nil)),
				Now:    func() time.Time { return restart }}))
			if got := articles(lib); !maps.Equal(got, tt.want) {
				t.Errorf("after restart, articles (id → path) %v, want %v", got, tt.want)
			}
			for _, a := range lib.Articles {
				// Only the article that kept id a was seen in the first run.
				if inherited := a.Published.Equal(firstRun); inherited != (a.ID == "a") {
					t.Errorf("%s (id %s) published %v: first seen in the first run = %v, want %v", a.Path, a.ID, a.Published, inherited, a.ID == "a")
				}
			}
			if tt.warn == "" {
				if strings.Contains(log.String(), "level=WARN") {
					t.Errorf("unexpected warning:\n%s", log.String())
				}
			} else if !strings.Contains(log.String(), "level=WARN") || !strings.Contains(log.String(), tt.warn) {
				t.Errorf("log does not warn about %s:\n%s", tt.warn, log.String())
			}
			if _, ok := st.Article("a.txt"); ok && tt.want["a"] != "" && tt.want["a"] != "a.txt" {
				t.Errorf("the state still remembers a.txt after its id moved on")
			}
		})
	}
}

// TestStateWithoutContentKeys loads a state file written before content
// keys were remembered: it keeps every id, and the next save adds the
// keys, so a rename while stopped after that is recognised.
func TestStateWithoutContentKeys(t *testing.T) {
	d := newDir(t, map[string]string{"a.txt": text("A")})
	stateFile := filepath.Join(t.TempDir(), "state.json")
	old := `{"version": 1, "articles": {"a.txt": {"id": "old-id", "first_seen": "2020-01-01T00:00:00Z"}}, "documents": {}}`
	must(t, os.WriteFile(stateFile, []byte(old), 0o644))
	st, err := state.Load(stateFile)
	must(t, err)
	lib, _ := scan(t, d.scanner(st))
	if got, want := articles(lib), map[string]string{"old-id": "a.txt"}; !maps.Equal(got, want) {
		t.Fatalf("articles %v, want %v", got, want)
	}
	must(t, st.Save())

	d.rename("a.txt", "b.txt")
	st, err = state.Load(stateFile)
	must(t, err)
	lib, _ = scan(t, d.scanner(st))
	if got, want := articles(lib), map[string]string{"old-id": "b.txt"}; !maps.Equal(got, want) {
		t.Errorf("after a rename while stopped: articles %v, want %v", got, want)
	}
	if first := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC); !lib.Articles[0].Published.Equal(first) {
		t.Errorf("published %v, want the remembered first-seen time %v", lib.Articles[0].Published, first)
	}
}
