// Package testgit makes git repositories for tests, with go-git and
// fixed commit times, so histories are the same on every run.
package testgit

import (
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Init makes an empty repository in dir.
func Init(t testing.TB, dir string) *git.Repository {
	t.Helper()
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	return repo
}

// Commit stages every change in the work tree (new, changed and deleted
// files) and commits it, authored and committed at when.
func Commit(t testing.TB, repo *git.Repository, msg string, when time.Time) {
	t.Helper()
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	sig := &object.Signature{Name: "Writer", Email: "writer@example.com", When: when}
	if _, err := wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig}); err != nil {
		t.Fatal(err)
	}
}
