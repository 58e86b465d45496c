package site

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"testing"
)

// TestPageMapIsAMapEachBuildCopies runs random builds of sets and deletes
// on a pageMap and on a plain map copied for each build: every build's
// map must hold the same pages, and every earlier build's map must still
// hold what it held when its build ended, through the new bases made
// along the way.
func TestPageMapIsAMapEachBuildCopies(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	m, want := newPageMap(0), map[string]*Document{}
	type kept struct {
		m    *pageMap
		want map[string]*Document
	}
	var built []kept
	bases := 0
	for build := range 400 {
		if build > 0 {
			next := m.next()
			if next.own {
				bases++
			}
			m, want = next, maps.Clone(want)
		}
		changes := 1 + rng.IntN(3)
		if build == 0 {
			changes = 200 // a start renders every page
		}
		for range changes {
			path := fmt.Sprintf("/articles/%d/", rng.IntN(300))
			if rng.IntN(3) == 0 {
				m.delete(path)
				delete(want, path)
				continue
			}
			d := &Document{Path: path, ETag: fmt.Sprint(build)}
			m.set(path, d)
			want[path] = d
		}
		built = append(built, kept{m, want})
		for i, k := range built {
			if err := samePages(k.m, k.want); err != nil {
				t.Fatalf("after build %d, the map of build %d: %v", build, i, err)
			}
		}
	}
	if bases < 2 {
		t.Errorf("%d new bases in 400 builds, want some", bases)
	}
}

func samePages(m *pageMap, want map[string]*Document) error {
	if m.len() != len(want) {
		return fmt.Errorf("len %d, want %d", m.len(), len(want))
	}
	seen := 0
	for p, d := range m.all() {
		if want[p] != d {
			return fmt.Errorf("all yields %s as %v, want %v", p, d, want[p])
		}
		seen++
	}
	if seen != len(want) {
		return fmt.Errorf("all yields %d pages, want %d", seen, len(want))
	}
	for p, d := range want {
		if m.get(p) != d {
			return fmt.Errorf("get(%s) = %v, want %v", p, m.get(p), d)
		}
	}
	if d := m.get("/articles/none/"); d != nil {
		return fmt.Errorf("get of a path never set = %v", d)
	}
	return nil
}
