package library_test

import (
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/internal/library"
	"github.com/feedpub/feedpub/internal/state"
)

// frontFiles are articles of every kind whose order and identity a
// header decides, or does not: dated by header, by file name and by
// first sight, a draft, a scheduled one, an explicit id, Markdown, a
// body with a reference, and a slug taken twice.
var frontFiles = map[string]string{
	"2024-01-01-a.txt":   "Title: A\nTags: go\n\nThe body of A.\n",
	"b.txt":              "Title: B\nDate: 2024-02-01\nTags: Go, news\n\nThe body of B.\n\n“Writer, reader.”\n",
	"c.txt":              "Title: C\n\nUndated: first seen.\n",
	"d.txt":              "Title: D\nDate: 2024-03-01\nDraft: yes\n\nA draft.\n",
	"e.txt":              "Title: E\nDate: 2099-01-01\n\nScheduled.\n",
	"f.md":               "---\ntitle: F\ndate: 2024-04-01\ntags: [news]\n---\n\nMarkdown *body*.\n",
	"g.txt":              "Title: G\nID: my-own-id\nDate: 2024-05-01\n\nExplicit id.\n",
	"h.txt":              "Title: H\nDate: 2024-06-01\nSummary: Declared.\n\nSee <a href=\"b.txt\">B</a>.\n",
	"sub/2024-07-01.txt": "Title: I\nSlug: b-again\n\nIn a directory.\n",
	"j.txt":              "Title: J\nDate: 2024-08-01\nSlug: b-again\n\nTakes a slug already taken.\n",
}

// A first look gives every article the place, identity and dates a full
// scan gives it, the newest whole, and records in the state what the
// full scan records.
func TestScanFrontAgreesWithScan(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	d := newDir(t, frontFiles)
	opts := func(st *state.State) library.Options {
		return library.Options{Dir: d.path, State: st, RacyWindow: -1, BodiesOnDisk: true, Now: func() time.Time { return now }}
	}
	wantState := state.New()
	want, _, err := library.NewScanner(opts(wantState)).Scan()
	must(t, err)

	st := state.New()
	s := library.NewScanner(opts(st))
	const newest = 3
	front, err := s.ScanFront(newest, 1, now)
	must(t, err)
	if front == nil {
		t.Fatal("ScanFront returned no library")
	}
	checkFront(t, front, want, newest, now)

	lib, stats, err := s.Scan()
	must(t, err)
	if stats.Read != len(frontFiles) {
		t.Errorf("the scan after ScanFront read %d files, want all %d", stats.Read, len(frontFiles))
	}
	if !reflect.DeepEqual(lib.Articles, want.Articles) {
		t.Errorf("the scan after ScanFront gave\n%+v\nwant\n%+v", lib.Articles, want.Articles)
	}
	if !reflect.DeepEqual(st.Articles(), wantState.Articles()) {
		t.Errorf("state after ScanFront and Scan:\n%+v\nwant\n%+v", st.Articles(), wantState.Articles())
	}
	if again, err := s.ScanFront(newest, 1, now); err != nil || again != nil {
		t.Errorf("ScanFront after a scan = %v, %v; want nothing to do", again, err)
	}
}

// checkFront compares a first look with a full scan: the same articles
// in the same order with the same header fields, and the newest n
// published whole.
func checkFront(t *testing.T, front, want *library.Library, n int, now time.Time) {
	t.Helper()
	if len(front.Articles) != len(want.Articles) {
		t.Fatalf("ScanFront gave %d articles, Scan %d", len(front.Articles), len(want.Articles))
	}
	newest := map[string]bool{}
	for _, a := range want.Published(now)[:n] {
		newest[a.Path] = true
	}
	for i, w := range want.Articles {
		got := front.Articles[i]
		if newest[w.Path] {
			if !reflect.DeepEqual(got, w) {
				t.Errorf("newest article %d: ScanFront gave\n%+v\nScan\n%+v", i, got, w)
			}
			continue
		}
		if headerFields(got) != headerFields(w) {
			t.Errorf("article %d: ScanFront gave\n%+v\nScan\n%+v", i, headerFields(got), headerFields(w))
		}
	}
	if g, w := paths(front.Published(now)), paths(want.Published(now)); !reflect.DeepEqual(g, w) {
		t.Errorf("ScanFront publishes %v, Scan %v", g, w)
	}
	if g, w := paths(inMemory(front)), paths(inMemory(want)); !reflect.DeepEqual(g, w) {
		t.Errorf("ScanFront keeps the bodies of %v in memory, Scan of %v", g, w)
	}
}

// headerFields are what a first look knows of an article it did not read
// whole.
type header struct {
	Path, ID, Slug, Title, Tags string
	Published, Updated          time.Time
	Draft, ExplicitID           bool
}

func headerFields(a *article.Article) header {
	return header{Path: a.Path, ID: a.ID, Slug: a.Slug, Title: a.Title, Tags: filepath.Join(a.Tags...),
		Published: a.Published, Updated: a.Updated, Draft: a.Draft, ExplicitID: a.ExplicitID}
}

func paths(as []*article.Article) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Path)
	}
	return out
}

func inMemory(lib *library.Library) []*article.Article {
	as, _ := lib.BodiesInMemory()
	return as
}

// An article renamed while feedpub was stopped keeps its id at a start
// whose first look reads headers: its content, which gives the id, is
// read whole.
func TestScanFrontKeepsTheIDOfARenamedArticle(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	d := newDir(t, frontFiles)
	stateFile := filepath.Join(t.TempDir(), "state.json")
	st, err := state.Load(stateFile)
	must(t, err)
	first, _, err := d.scanner(st).Scan()
	must(t, err)
	must(t, st.Save())
	id := idOf(t, first, "c.txt")
	d.rename("c.txt", "moved/c.txt")

	load := func() *state.State {
		st, err := state.Load(stateFile)
		must(t, err)
		return st
	}
	want, _, err := d.scanner(load()).Scan()
	must(t, err)
	if got := idOf(t, want, "moved/c.txt"); got != id {
		t.Fatalf("Scan gave the renamed article id %q, want %q", got, id)
	}
	front, err := d.scanner(load()).ScanFront(0, 1, now)
	must(t, err)
	if got := idOf(t, front, "moved/c.txt"); got != id {
		t.Errorf("ScanFront gave the renamed article id %q, want %q", got, id)
	}
}

// A directory with fewer files than asked for, or a scanner that has
// read before, gets no first look; the next scan reads every file.
func TestScanFrontOnlyWhereItHelps(t *testing.T) {
	now := time.Now()
	d := newDir(t, frontFiles)
	s := d.scanner(nil)
	front, err := s.ScanFront(3, len(frontFiles)+1, now)
	if err != nil || front != nil {
		t.Fatalf("ScanFront of %d files asking for %d = %v, %v; want nothing", len(frontFiles), len(frontFiles)+1, front, err)
	}
	if _, stats := scan(t, s); stats.Files != len(frontFiles) || stats.Read != len(frontFiles) {
		t.Errorf("scan after: %+v, want every file read", stats)
	}
	if front, err := s.ScanFront(3, 1, now); err != nil || front != nil {
		t.Errorf("ScanFront after a scan = %v, %v; want nothing", front, err)
	}
	missing := library.NewScanner(library.Options{Dir: filepath.Join(d.path, "missing")})
	if _, err := missing.ScanFront(3, 1, now); err == nil {
		t.Error("ScanFront of a missing directory gave no error")
	}
}

// ScanHanding hands over the body of every file it reads whole and
// drops, with the article as the scan leaves it: the id, slug and dates
// the state remembers for its path (ScanFront recorded them all), so
// that a page rendered from it is the page of the scanned article.
func TestScanHandingHandsEachBodyWithItsIdentity(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	d := newDir(t, frontFiles)
	s := library.NewScanner(library.Options{Dir: d.path, State: state.New(), RacyWindow: -1, BodiesOnDisk: true, Now: func() time.Time { return now }})
	_, err := s.ScanFront(3, 1, now)
	must(t, err)
	type handed struct {
		a    *article.Article
		html string
	}
	var mu sync.Mutex
	got := map[string]handed{}
	lib, _, err := s.ScanHanding(func(a *article.Article, html string) {
		mu.Lock()
		defer mu.Unlock()
		got[a.Path] = handed{a, html}
	})
	must(t, err)
	for _, a := range lib.Articles {
		h, ok := got[a.Path]
		if !ok {
			if a.BodyOnDisk {
				t.Errorf("%s: body dropped and not handed over", a.Path)
			}
			continue
		}
		if !a.BodyOnDisk {
			t.Errorf("%s: handed over, but its body is kept in memory", a.Path)
		}
		copied := *h.a
		copied.Size = a.Size // known to the scan, not to the parse
		if !reflect.DeepEqual(&copied, a) {
			t.Errorf("%s: handed over as\n%+v\nscanned as\n%+v", a.Path, &copied, a)
		}
		html, asRead, err := lib.ContentAsRead(a)
		if err != nil || !asRead || html != h.html {
			t.Errorf("%s: handed over the body %q; read again %q, %v, %v", a.Path, h.html, html, asRead, err)
		}
	}
	if len(got) == 0 {
		t.Fatal("no body handed over")
	}

	// A later scan hands nothing over.
	d.write("c.txt", "Title: C\n\nEdited.\n")
	got = map[string]handed{}
	_, _, err = s.Scan()
	must(t, err)
	if len(got) != 0 {
		t.Errorf("Scan handed over %d bodies", len(got))
	}
}
