// Package gitdates dates files by their version control history: when the
// commit that added a file was authored (following renames) and when the
// last commit that changed it was. Every clone of a repository has the
// same history, so dates taken from it are the same on every machine,
// unlike modification times or when a program first saw a file.
//
// The history is read with go-git, so no git binary is needed. It is read
// once when opened and, by Refresh, only the commits added since.
package gitdates

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Dates are the history dates of one file.
type Dates struct {
	// Added is the author date of the commit that added the file, under
	// this name or, through renames, an earlier one.
	Added time.Time
	// Changed is the author date of the last commit that changed it.
	Changed time.Time
}

// History holds the dates of the files of one repository, as its first-
// parent history from HEAD records them. It is safe for concurrent use.
type History struct {
	repo *git.Repository
	// prefix is the slash-separated path, from the repository's root, of
	// the directory whose files are looked up; "" or ending in "/".
	prefix string

	// mu guards head and dates.
	mu    sync.Mutex
	head  plumbing.Hash
	dates map[string]Dates // by path from the repository's root
}

// Open reads the history of the repository that holds dir (dir itself or
// one of its parents has the .git directory). Paths given to Lookup are
// relative to dir.
func Open(dir string) (*History, error) {
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return nil, fmt.Errorf("reading the git history of %s: %w", dir, err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		return nil, fmt.Errorf("reading the git history of %s: %w", dir, err)
	}
	// A shallow clone lacks the commits that added most files: their
	// dates would be the cut's, and differ from every full clone's.
	if shallow, err := repo.Storer.Shallow(); err == nil && len(shallow) > 0 {
		return nil, fmt.Errorf("the git checkout of %s is shallow, so it lacks the commits that date the articles: "+
			"fetch the whole history (git fetch --unshallow; in CI, a checkout with fetch-depth: 0)", dir)
	}
	prefix, err := relative(wt.Filesystem.Root(), dir)
	if err != nil {
		return nil, err
	}
	h := &History{repo: repo, prefix: prefix, dates: map[string]Dates{}}
	return h, h.Refresh()
}

// relative returns dir's slash-separated path under root, "" or ending in "/".
func relative(root, dir string) (string, error) {
	for _, p := range []*string{&root, &dir} {
		if abs, err := filepath.Abs(*p); err == nil {
			*p = abs
		}
		if real, err := filepath.EvalSymlinks(*p); err == nil {
			*p = real
		}
	}
	rel, err := filepath.Rel(root, dir)
	if err != nil || !filepath.IsLocal(rel) && rel != "." {
		return "", fmt.Errorf("%s is not inside the git work tree %s", dir, root)
	}
	if rel == "." {
		return "", nil
	}
	return filepath.ToSlash(rel) + "/", nil
}

// Lookup returns the dates of the file at rel, a slash-separated path
// relative to the directory History was opened for, and false when no
// commit has it (a file not committed yet).
func (h *History) Lookup(rel string) (Dates, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	d, ok := h.dates[h.prefix+rel]
	return d, ok
}

// Refresh reads the commits made since the last read. When HEAD moved to
// a commit that does not descend from the one read before (a rebase, a
// reset), the whole history is read again.
func (h *History) Refresh() error {
	ref, err := h.repo.Head()
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return nil // no commit yet: nothing is dated
	}
	if err != nil {
		return fmt.Errorf("reading git HEAD: %w", err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if ref.Hash() == h.head {
		return nil
	}
	var chain []*object.Commit // newest first
	c, err := h.repo.CommitObject(ref.Hash())
	for err == nil && c.Hash != h.head {
		chain = append(chain, c)
		if c.NumParents() == 0 {
			break
		}
		c, err = c.Parent(0)
	}
	if err != nil {
		return fmt.Errorf("reading git history: %w", err)
	}
	if c.Hash != h.head {
		// HEAD no longer descends from what was read: start over.
		h.dates = map[string]Dates{}
	}
	for i := len(chain) - 1; i >= 0; i-- {
		if err := h.apply(chain[i]); err != nil {
			return err
		}
	}
	h.head = ref.Hash()
	return nil
}

// apply records the changes c made to its first parent.
func (h *History) apply(c *object.Commit) error {
	tree, err := c.Tree()
	if err != nil {
		return fmt.Errorf("reading commit %s: %w", c.Hash, err)
	}
	var parent *object.Tree
	if c.NumParents() > 0 {
		p, err := c.Parent(0)
		if err == nil {
			parent, err = p.Tree()
		}
		if err != nil {
			return fmt.Errorf("reading the parent of commit %s: %w", c.Hash, err)
		}
	}
	changes, err := object.DiffTreeWithOptions(context.Background(), parent, tree, object.DefaultDiffTreeOptions)
	if err != nil {
		return fmt.Errorf("comparing commit %s with its parent: %w", c.Hash, err)
	}
	when := c.Author.When.UTC()
	for _, ch := range changes {
		from, to := ch.From.Name, ch.To.Name
		if !strings.HasPrefix(from, h.prefix) && !strings.HasPrefix(to, h.prefix) {
			continue
		}
		switch {
		case to == "":
			delete(h.dates, from)
		case from == "":
			h.dates[to] = Dates{Added: when, Changed: when}
		default:
			d, ok := h.dates[from]
			if !ok {
				d.Added = when
			}
			d.Changed = when
			delete(h.dates, from)
			h.dates[to] = d
		}
	}
	return nil
}
