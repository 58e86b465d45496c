package main

import (
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"

	"github.com/feedpub/feedpub/internal/testgit"
)

// gitProject makes a repository holding a config (with undatedLine in
// [articles]) and undated articles, committed at fixed times, and
// returns its directory.
func gitProject(t *testing.T, undatedLine string) string {
	t.Helper()
	dir := t.TempDir()
	repo := testgit.Init(t, dir)
	writeFile(t, filepath.Join(dir, "config.toml"), "[site]\ntitle = \"Git\"\nbase_url = \"https://example.com/\"\n[articles]\n"+undatedLine+"\n")
	os.MkdirAll(filepath.Join(dir, "articles"), 0o755)
	writeFile(t, filepath.Join(dir, "articles", "first.txt"), "Title: First\n\nWritten without a date.\n")
	testgit.Commit(t, repo, "first", time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC))
	writeFile(t, filepath.Join(dir, "articles", "second.txt"), "Title: Second\nDate: 2024-03-05\n\nDated, never updated by header.\n")
	writeFile(t, filepath.Join(dir, "articles", "first.txt"), "Title: First\n\nWritten without a date, then edited.\n")
	testgit.Commit(t, repo, "second", time.Date(2024, 3, 9, 10, 0, 0, 0, time.UTC))
	return dir
}

// clone clones the repository at src and sets every file's modification
// time to mtime, as a checkout at that moment would.
func clone(t *testing.T, src string, mtime time.Time) string {
	t.Helper()
	dst := t.TempDir()
	if _, err := git.PlainClone(dst, false, &git.CloneOptions{URL: src}); err != nil {
		t.Fatal(err)
	}
	filepath.WalkDir(dst, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			err = os.Chtimes(path, mtime, mtime)
		}
		return err
	})
	return dst
}

// TestGitDatesGiveEveryCloneTheSameBytes builds two clones checked out at
// different times, each with its own (fresh) state file: with undated =
// "git" their output is byte-identical; with first_seen it is not, which
// is what makes the test mean something.
func TestGitDatesGiveEveryCloneTheSameBytes(t *testing.T) {
	for _, c := range []struct {
		undated string
		same    bool
	}{
		{`undated = "git"`, true},
		{`undated = "first_seen"`, false},
	} {
		t.Run(c.undated, func(t *testing.T) {
			src := gitProject(t, c.undated)
			a := clone(t, src, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
			b := clone(t, src, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
			builtA := builtFiles(t, filepath.Join(a, "config.toml"))
			builtB := builtFiles(t, filepath.Join(b, "config.toml"))
			if same := maps.EqualFunc(builtA, builtB, func(x, y []byte) bool { return string(x) == string(y) }); same != c.same {
				t.Errorf("clones built the same bytes: %v, want %v", same, c.same)
			}
			if !c.same {
				return
			}
			// Two replicas serving the clones send the same feed
			// under the same ETag.
			var etags []string
			for _, dir := range []string{a, b} {
				cfgPath := filepath.Join(dir, "config.toml")
				appendFile(t, cfgPath, "[server]\nlisten = \""+freeAddr(t)+"\"\n")
				e := &env{configPath: cfgPath, stdout: io.Discard, stderr: io.Discard, logger: slog.New(slog.DiscardHandler)}
				cfg, err := e.loadConfig()
				if err != nil {
					t.Fatal(err)
				}
				startServe(t, e, cfg)
				resp, body := get(t, "http://"+cfg.Server.Listen+"/atom.xml")
				if string(body) != string(builtA["atom.xml"]) {
					t.Errorf("replica of %s serves another atom.xml than the build", dir)
				}
				etags = append(etags, resp.Header.Get("ETag"))
			}
			if etags[0] != etags[1] || etags[0] == "" {
				t.Errorf("replicas send ETags %q", etags)
			}
			atom := string(builtA["atom.xml"])
			for _, want := range []string{
				"<published>2024-03-01T10:00:00Z</published>", // first's adding commit
				"<updated>2024-03-09T10:00:00Z</updated>",     // its last commit, and second's
			} {
				if !strings.Contains(atom, want) {
					t.Errorf("atom.xml lacks %s:\n%s", want, atom)
				}
			}
		})
	}
}

func TestCheckReportsUncommittedArticles(t *testing.T) {
	dir := gitProject(t, `undated = "git"`)
	writeFile(t, filepath.Join(dir, "articles", "draft.txt"), "Title: New\n\nNot committed yet.\n")
	out, _, err := runCLI(t, "check", "--config", filepath.Join(dir, "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "draft.txt: warning: not committed to git") || strings.Contains(out, "first.txt") {
		t.Errorf("check printed:\n%s\nwant a warning about draft.txt only", out)
	}
	notRepo := project(t, map[string]string{"a.txt": "Title: A\n\nx\n"})
	appendFile(t, notRepo, "[articles]\nundated = \"git\"\n")
	if _, _, err := runCLI(t, "build", "--config", notRepo, "--out", filepath.Join(t.TempDir(), "o")); err == nil || !strings.Contains(err.Error(), "git repository") {
		t.Errorf("build with undated = \"git\" outside a repository: %v, want an error saying so", err)
	}
}
