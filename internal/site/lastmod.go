package site

import (
	"html"
	"time"

	"github.com/feedpub/feedpub/internal/state"
)

// stampLastModified sets the Last-Modified of freshly rendered documents
// so that it never goes backwards and moves forward whenever the bytes
// change (RFC 9110 §8.8.2). Readers that get a new body with an old
// Last-Modified keep their cached copy, so a change that does not move it,
// such as a deleted article, would never reach them.
//
// A document whose bytes are unchanged keeps its time: from the previous
// snapshot, or across a restart from the state file. A changed one gets
// now, and at least one second after its previous time, since HTTP dates
// have one-second resolution. A document never served before keeps the
// time of its content (set by the renderer), or now if it has none.
func (b *Builder) stampLastModified(fresh []*Document, now time.Time) {
	now = now.UTC().Truncate(time.Second)
	for _, d := range fresh {
		prev, known := b.previousStamp(d.Path)
		switch {
		case known && prev.ETag == d.ETag:
			d.LastModified = prev.LastModified
		case known:
			d.LastModified = later(now, prev.LastModified.Add(time.Second))
		case d.LastModified.IsZero():
			d.LastModified = now
		}
	}
}

// rememberStamps records the validators of the documents readers poll
// (everything but article pages, which are many and whose time follows
// their article, and media files, whose time is their file's) in the
// state, so they survive a restart.
func (b *Builder) rememberStamps(snap *Snapshot) {
	remembered := make(map[string]state.Document, len(snap.docs))
	for path, d := range snap.docs {
		if (d.Kind == KindPage && path != "/") || d.Kind == KindMedia {
			continue
		}
		remembered[path] = state.Document{ETag: d.ETag, LastModified: d.LastModified}
	}
	b.state.SetDocuments(remembered)
}

// previousStamp returns the ETag and Last-Modified a path had last time:
// in the previous snapshot, else in the state file.
func (b *Builder) previousStamp(path string) (state.Document, bool) {
	if path == "" {
		return state.Document{}, false // the 404 page
	}
	if b.prev != nil {
		if d := b.prev.Lookup(path); d != nil {
			return state.Document{ETag: d.ETag, LastModified: d.LastModified}, true
		}
	}
	return b.state.Document(path)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func escapeText(s string) string { return html.EscapeString(s) }
