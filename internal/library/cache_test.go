package library_test

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/library"
	"github.com/feedpub/feedpub/internal/state"
)

// TestCacheAcrossRestarts holds that a scanner started with the cache an
// earlier one saved reads only the files changed meanwhile, and gives
// the articles a scanner reading every file gives: with their ids, dates
// and bodies, through an edit, a rename and a deletion made while nothing
// ran. A file with a problem is read again, to report it again, and a
// cache saved under another key is not used.
func TestCacheAcrossRestarts(t *testing.T) {
	d := newDir(t, map[string]string{
		"a.txt":     text("A"),
		"b.txt":     "Title: B\nDate: 2024-01-02\nTags: x, y\n\nBody of B.\n\n“A bio.”\n",
		"sub/c.md":  "+++\ntitle = \"C\"\n+++\nSee [a](../a.txt).\n",
		"gone.txt":  text("Gone"),
		"moved.txt": text("Moved"),
		"warn.txt":  "Title: Warned\nDate: 2024-02-01\nUpdated: 2024-01-01\n\nBody.\n",
	})
	st := state.New()
	cache := filepath.Join(t.TempDir(), "articles.cache")
	first := library.NewScanner(library.Options{Dir: d.path, State: st, RacyWindow: -1, BodiesOnDisk: true})
	scan(t, first)
	must(t, first.SaveCache(cache, "key"))

	d.write("a.txt", text("A, edited"))
	d.setModTime("a.txt", time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC))
	d.rename("moved.txt", "sub/moved.txt")
	must(t, os.Remove(d.abs("gone.txt")))

	restarted := library.NewScanner(library.Options{Dir: d.path, State: st, RacyWindow: -1, BodiesOnDisk: true})
	must(t, restarted.LoadCache(cache, "key"))
	if !restarted.CacheSaved() {
		t.Error("CacheSaved is false right after loading the cache")
	}
	got, stats := scan(t, restarted)
	if restarted.CacheSaved() {
		t.Error("CacheSaved is true after a scan that read files")
	}
	must(t, restarted.SaveCache(cache, "key"))
	if scan(t, restarted); !restarted.CacheSaved() {
		t.Error("CacheSaved is false after saving, and a scan that read nothing")
	}
	// a.txt edited, sub/moved.txt new, warn.txt with its warning.
	if stats.Read != 3 || stats.Removed != 2 {
		t.Errorf("a restart read %d files and lost %d; want 3 (edited, moved, warned) and 2 (moved, deleted)", stats.Read, stats.Removed)
	}
	want, _ := scan(t, library.NewScanner(library.Options{Dir: d.path, State: st, RacyWindow: -1, BodiesOnDisk: true}))
	if len(got.Articles) != len(want.Articles) {
		t.Fatalf("%d articles; want %d", len(got.Articles), len(want.Articles))
	}
	for i, a := range got.Articles {
		w := want.Articles[i]
		body, err := got.Content(a)
		wantBody, _ := want.Content(w)
		if err != nil || body != wantBody {
			t.Errorf("%s: body %q (%v); want %q", a.Path, body, err, wantBody)
		}
		// Every field but the body, which Content compared, and the
		// lines of the headers, which only feedpub check reads, and
		// always from the files.
		av, wv := reflect.ValueOf(*a), reflect.ValueOf(*w)
		for i := range av.NumField() {
			f := av.Type().Field(i)
			if f.IsExported() && f.Name != "ContentHTML" && !reflect.DeepEqual(av.Field(i).Interface(), wv.Field(i).Interface()) {
				t.Errorf("%s: %s from the cache is %v; want %v, read again", a.Path, f.Name, av.Field(i), wv.Field(i))
			}
		}
	}
	if len(got.Problems) != 1 {
		t.Errorf("problems after a restart: %v; want the warning of warn.txt", got.Problems)
	}
	if ids := articles(got); ids[idOf(t, want, "sub/moved.txt")] != "sub/moved.txt" {
		t.Errorf("the article moved while nothing ran lost its id: %v", ids)
	}

	other := library.NewScanner(library.Options{Dir: d.path, State: st, RacyWindow: -1})
	must(t, other.LoadCache(cache, "another key"))
	if _, stats := scan(t, other); stats.Read != 5 {
		t.Errorf("under another key a restart read %d files; want all 5", stats.Read)
	}

	// A state that does not know the articles (lost, or saved before
	// the cache): none is taken from the cache, and the state learns
	// every one again.
	fresh := state.New()
	forgetful := library.NewScanner(library.Options{Dir: d.path, State: fresh, RacyWindow: -1})
	must(t, forgetful.LoadCache(cache, "key"))
	if _, stats := scan(t, forgetful); stats.Read != 5 || len(fresh.Articles()) != 5 {
		t.Errorf("with an empty state a restart read %d files, and the state knows %d; want 5 and 5", stats.Read, len(fresh.Articles()))
	}
}

func idOf(t *testing.T, lib *library.Library, path string) string {
	t.Helper()
	for _, a := range lib.Articles {
		if a.Path == path {
			return a.ID
		}
	}
	t.Fatalf("no article %s", path)
	return ""
}
