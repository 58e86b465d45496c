package site_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/library"
	"github.com/feedpub/feedpub/internal/site"
	"github.com/feedpub/feedpub/internal/state"
	"github.com/feedpub/feedpub/internal/store"
)

// A start reuses the article pages the last run left in the store, and
// renders only those whose article changed: after any run of edits,
// renames, deletes, drafts and links made while feedpub was stopped, a
// restart serves the bytes a builder without a store renders from
// scratch, and a restart after no change renders no article page.
func TestRestartsReuseOnlyUnchangedPages(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(dir)
	cfg.Feeds.ArchiveSize = 5
	st := state.New()
	storeDir := t.TempDir()
	edits := newRandomEdits(t, dir, 30, 7, 11)
	for i := range 30 {
		edits.write(fmt.Sprintf("a%02d.txt", i), fmt.Sprintf("Title: T %d\nDate: 2024-01-%02d\nTags: go\n\nBody %d.\n", i, 1+i%28, i))
	}
	for step := range 60 {
		switch edits.rng.IntN(4) {
		case 0:
			// Only the header: the same title and body, so the same
			// ContentKey, but another date, author and tags.
			edits.write(fmt.Sprintf("same%d.txt", edits.rng.IntN(2)), fmt.Sprintf("Title: Same\nDate: %s\nAuthor: %s\nTags: %s\n\nSame body.\n", edits.date(), edits.name(), edits.name()))
		case 1:
			// Nothing changed while stopped.
		default:
			edits.next(step)
		}
		got, stats, lib := restart(t, cfg, st, storeDir, "key")
		fresh, err := site.NewBuilder(cfg, st)
		if err != nil {
			t.Fatal(err)
		}
		want, wantStats, err := fresh.Build(lib, now)
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, fmt.Sprintf("step %d", step), got, want)
		pages := 0 // article and archive pages
		for p := range want.Documents() {
			if strings.HasPrefix(p, "/articles/") || strings.HasPrefix(p, "/archive/") {
				pages++
			}
		}
		if step > 0 && stats.Rendered < wantStats.Rendered-pages {
			t.Fatalf("step %d: rendered %d documents; a site of %d pages has %d others", step, stats.Rendered, pages, wantStats.Rendered-pages)
		}
		got.Compress()
		if err := got.SavePages(); err != nil {
			t.Fatal(err)
		}
		// Restarted again with nothing changed: every page is reused,
		// with its gzip variant.
		again, stats, _ := restart(t, cfg, st, storeDir, "key")
		sameBytes(t, fmt.Sprintf("step %d, again", step), again, want)
		if stats.Rendered != wantStats.Rendered-pages {
			t.Fatalf("step %d: nothing changed, and a restart rendered %d documents; want %d, no article or archive page", step, stats.Rendered, wantStats.Rendered-pages)
		}
		for p, d := range again.Documents() {
			if (strings.HasPrefix(p, "/articles/") || strings.HasPrefix(p, "/archive/")) && d.Gzip() == nil {
				t.Fatalf("step %d: %s reused without its gzip variant", step, p)
			}
		}
		// Its index would say what the store's says: it is not
		// written again.
		before := indexFiles(t, storeDir)
		again.Compress()
		if err := again.SavePages(); err != nil {
			t.Fatal(err)
		}
		if after := indexFiles(t, storeDir); !sameFiles(before, after) {
			t.Fatalf("step %d: a restart that reused every page wrote the index of pages again", step)
		}
	}

	// Pages indexed under another key (another configuration, another
	// build of feedpub) are never reused.
	_, stats, lib := restart(t, cfg, st, storeDir, "other key")
	fresh, _ := site.NewBuilder(cfg, st)
	_, wantStats, _ := fresh.Build(lib, now)
	if stats.Rendered != wantStats.Rendered {
		t.Errorf("under another key a start rendered %d documents; want all %d", stats.Rendered, wantStats.Rendered)
	}
}

// TestRestartRendersMissingPagesAgain holds that a page whose stored
// file went missing, or has another size, is rendered again, and that
// after Forget (a file found damaged when served) nothing of the index
// is reused.
func TestRestartRendersMissingPagesAgain(t *testing.T) {
	dir := t.TempDir()
	writeCorpus(t, dir, corpus)
	cfg := testConfig(dir)
	st := state.New()
	storeDir := t.TempDir()
	first, full, _ := restart(t, cfg, st, storeDir, "key")
	if err := first.SavePages(); err != nil {
		t.Fatal(err)
	}
	gone, short := first.Lookup("/articles/the-third/"), first.Lookup("/articles/second/")
	goneFile, _ := gone.File()
	shortFile, _ := short.File()
	if err := os.Remove(goneFile); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(shortFile, []byte("<p>cut"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, stats, _ := restart(t, cfg, st, storeDir, "key")
	sameBytes(t, "after removing stored pages", got, first)
	if pages := 3; stats.Rendered != full.Rendered-pages+2 { // no archive
		t.Errorf("rendered %d documents; want the %d others and the 2 pages whose files went", stats.Rendered, full.Rendered-pages)
	}

	// A damaged file of the right size is reused, and caught when
	// served; after Forget the next build renders every page again.
	if err := got.SavePages(); err != nil {
		t.Fatal(err)
	}
	lib, b := restartBuilder(t, cfg, st, storeDir, "key")
	if _, _, err := b.Build(lib, now); err != nil {
		t.Fatal(err)
	}
	b.Forget()
	_, stats, err := b.Build(lib, now)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Rendered != full.Rendered {
		t.Errorf("after Forget a build rendered %d documents; want all %d", stats.Rendered, full.Rendered)
	}
}

// indexFiles returns the files of the index of pages in storeDir.
func indexFiles(t *testing.T, storeDir string) []os.FileInfo {
	t.Helper()
	var infos []os.FileInfo
	for _, name := range []string{"pages", "archive.json"} {
		info, err := os.Stat(filepath.Join(storeDir, name))
		if err != nil {
			t.Fatal(err)
		}
		infos = append(infos, info)
	}
	return infos
}

// sameFiles reports whether a and b are the same files, not rewritten
// (a rewrite renames a new file into place).
func sameFiles(a, b []os.FileInfo) bool {
	for i := range a {
		if !os.SameFile(a[i], b[i]) || !a[i].ModTime().Equal(b[i].ModTime()) {
			return false
		}
	}
	return true
}

// restart scans cfg's articles as a new run would, with st as the state
// file left it, and builds with a new builder using the store in
// storeDir and its index of pages under key.
func restart(t *testing.T, cfg config.Config, st *state.State, storeDir, key string) (*site.Snapshot, site.BuildStats, *library.Library) {
	t.Helper()
	lib, b := restartBuilder(t, cfg, st, storeDir, key)
	snap, stats, err := b.Build(lib, now)
	if err != nil {
		t.Fatal(err)
	}
	return snap, stats, lib
}

func restartBuilder(t *testing.T, cfg config.Config, st *state.State, storeDir, key string) (*library.Library, *site.Builder) {
	t.Helper()
	scanner := library.NewScanner(library.Options{Dir: cfg.Articles.Dir, State: st, RacyWindow: -1, BodiesOnDisk: true, Now: func() time.Time { return now }})
	lib, _, err := scanner.Scan()
	if err != nil {
		t.Fatal(err)
	}
	b, err := site.NewBuilder(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	b.UseStore(store.Open(storeDir))
	b.ReusePages(key)
	return lib, b
}

// sameBytes fails unless got serves want's paths with want's bytes.
func sameBytes(t *testing.T, when string, got, want *site.Snapshot) {
	t.Helper()
	if g, w := strings.Join(got.Paths(), " "), strings.Join(want.Paths(), " "); g != w {
		t.Fatalf("%s: paths\n%s\nwant\n%s", when, g, w)
	}
	for _, p := range want.Paths() {
		g, err := got.Lookup(p).Bytes()
		if err != nil {
			t.Fatalf("%s: %s: %v", when, p, err)
		}
		w, _ := want.Lookup(p).Bytes()
		if !bytes.Equal(g, w) || got.Lookup(p).ETag != want.Lookup(p).ETag {
			t.Fatalf("%s: %s differs from the one rendered from scratch", when, p)
		}
		if gz := got.Lookup(p).Gzip(); gz != nil {
			if err := gz.Check(); err != nil {
				t.Fatalf("%s: %s: gzip variant: %v", when, p, err)
			}
		}
		if v := got.Lookup(p).View; v != nil {
			g, err := v.Bytes()
			if w, _ := want.Lookup(p).View.Bytes(); err != nil || !bytes.Equal(g, w) {
				t.Fatalf("%s: %s: the HTML view differs from the one rendered from scratch (%v)", when, p, err)
			}
		}
	}
}

// TestReusedGzipVariantIsCheckedWhenRead holds that a gzip variant a
// start took from the store unread is checked whole when its bytes are
// read, as build and deploy read them: one damaged since, its size kept,
// is an error, never sent on.
func TestReusedGzipVariantIsCheckedWhenRead(t *testing.T) {
	dir := t.TempDir()
	writeCorpus(t, dir, map[string]string{"long.txt": "Title: Long\nDate: 2024-01-01\n\n" + strings.Repeat("A body long enough to compress. ", 50) + "\n"})
	cfg := testConfig(dir)
	st := state.New()
	storeDir := t.TempDir()
	first, _, _ := restart(t, cfg, st, storeDir, "key")
	first.Compress()
	if err := first.SavePages(); err != nil {
		t.Fatal(err)
	}
	again, _, _ := restart(t, cfg, st, storeDir, "key")
	gz := again.Lookup("/articles/long/").Gzip()
	if gz == nil {
		t.Fatal("the page was reused without its gzip variant")
	}
	if _, err := gz.Bytes(); err != nil {
		t.Fatalf("the reused variant, undamaged: %v", err)
	}
	file, size := gz.File()
	if err := os.WriteFile(file, bytes.Repeat([]byte{0}, int(size)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := gz.Bytes(); err == nil {
		t.Error("the reused variant, zeroed on disk, read without an error")
	}
}

// TestPageOfAnEditedFileIsNotIndexed holds that a page rendered from a
// file edited between the scan and the render (it shows the new body
// under the old article) is not kept in the index: the edit reverted,
// a start renders the page again rather than reuse the edited body.
func TestPageOfAnEditedFileIsNotIndexed(t *testing.T) {
	dir := t.TempDir()
	original := "Title: Edited\nDate: 2024-01-01\n\nThe original body.\n"
	writeCorpus(t, dir, map[string]string{"edited.txt": original})
	cfg := testConfig(dir)
	st := state.New()
	storeDir := t.TempDir()
	lib, b := restartBuilder(t, cfg, st, storeDir, "key")
	// Edited after the scan, before the render.
	writeCorpus(t, dir, map[string]string{"edited.txt": "Title: Edited\nDate: 2024-01-01\n\nThe edited body.\n"})
	snap, _, err := b.Build(lib, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := snap.SavePages(); err != nil {
		t.Fatal(err)
	}
	writeCorpus(t, dir, map[string]string{"edited.txt": original})
	got, _, lib := restart(t, cfg, st, storeDir, "key")
	fresh, _ := site.NewBuilder(cfg, st)
	want, _, err := fresh.Build(lib, now)
	if err != nil {
		t.Fatal(err)
	}
	sameBytes(t, "after the edit was reverted", got, want)
}
