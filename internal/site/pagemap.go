package site

import "iter"

// pageMap holds the article pages by path. Each snapshot has its own,
// which nothing changes once it is served, and a change renders a page
// or two of thousands: so a pageMap is a base, shared by the snapshots
// made since it was, and the pages changed since, which each build copies
// (next). Copying every page for each change took a sixth of a one-file
// rebuild's rendering at 10,000 articles.
type pageMap struct {
	base map[string]*Document
	// changed holds the pages set since base was made, and the pages
	// of base deleted since, as nil.
	changed map[string]*Document
	// own reports that base is not shared yet, so changes go into it.
	own bool
	n   int // the number of pages
}

// newPageMap returns an empty map, with room for n pages.
func newPageMap(n int) *pageMap {
	return &pageMap{base: make(map[string]*Document, n), own: true}
}

// next returns a copy of m for a build to change, m itself staying as it
// is. Once the pages changed since the base are a sixteenth of it, it
// makes a new base of them all: a change of one page in 10,000 then
// costs a whole copy every 600 or so changes.
func (m *pageMap) next() *pageMap {
	if len(m.changed) <= len(m.base)/16 {
		changed := make(map[string]*Document, len(m.changed)+1)
		for p, d := range m.changed {
			changed[p] = d
		}
		return &pageMap{base: m.base, changed: changed, n: m.n}
	}
	c := newPageMap(m.n)
	for p, d := range m.all() {
		c.base[p] = d
	}
	c.n = m.n
	return c
}

// get returns the page at path, or nil.
func (m *pageMap) get(path string) *Document {
	if m == nil {
		return nil
	}
	if d, ok := m.changed[path]; ok {
		return d
	}
	return m.base[path]
}

// len returns the number of pages.
func (m *pageMap) len() int {
	if m == nil {
		return 0
	}
	return m.n
}

// all yields every page with its path, in no order.
func (m *pageMap) all() iter.Seq2[string, *Document] {
	return func(yield func(string, *Document) bool) {
		if m == nil {
			return
		}
		for p, d := range m.base {
			if _, changed := m.changed[p]; changed {
				continue
			}
			if !yield(p, d) {
				return
			}
		}
		for p, d := range m.changed {
			if d != nil && !yield(p, d) {
				return
			}
		}
	}
}

// set puts d at path.
func (m *pageMap) set(path string, d *Document) {
	if m.get(path) == nil {
		m.n++
	}
	if m.own {
		m.base[path] = d
		return
	}
	m.changed[path] = d
}

// delete takes the page at path out.
func (m *pageMap) delete(path string) {
	if m.get(path) == nil {
		return
	}
	m.n--
	switch _, inBase := m.base[path]; {
	case m.own:
		delete(m.base, path)
	case inBase:
		m.changed[path] = nil
	default:
		delete(m.changed, path)
	}
}
