package site_test

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/feedpub/feedpub/internal/library"
	"github.com/feedpub/feedpub/internal/site"
	"github.com/feedpub/feedpub/internal/state"
)

// linkCorpus has a Markdown article referring to other articles, media
// files and everything else a writer links to.
var linkCorpus = map[string]string{
	"2024/post.md": "+++\ntitle = \"Post\"\ndate = 2024-02-01\n+++\n" +
		"[other](../other.txt) [third](sub/third.md#part) [chart](img/chart.png) ![c](img/chart.png?v=2) " +
		"[abs](https://x.org/a) [frag](#top) [mail](mailto:a@b.c) [notes](notes.html) [root](/about/) " +
		"[out](../../escape.png) [later](img/none.gif) [proto](//cdn.example.org/x.js)\n",
	"other.txt":            "Title: Other\nDate: 2024-01-02\n\nBody.\n",
	"2024/sub/third.md":    "+++\ntitle = \"Third\"\nslug = \"the-third\"\ndate = 2024-01-03\n+++\nThird.\n",
	"2024/img/chart.png":   "PNG",
	"2024/img/space s.png": "PNG",
}

// linkTests are the references of 2024/post.md and what they become.
var linkTests = []struct{ ref, want string }{
	{"../other.txt", "https://example.com/blog/articles/other/"},
	{"sub/third.md#part", "https://example.com/blog/articles/the-third/#part"},
	{"img/chart.png", "https://example.com/blog/media/2024/img/chart.png"},
	{"img/chart.png?v=2", "https://example.com/blog/media/2024/img/chart.png?v=2"},
	{"https://x.org/a", "https://x.org/a"},
	{"#top", "#top"},
	{"mailto:a@b.c", "mailto:a@b.c"},
	{"notes.html", "https://example.com/blog/articles/2024/post/notes.html"},
	{"/about/", "https://example.com/about/"},
	{"../../escape.png", "https://example.com/blog/articles/escape.png"},
	{"img/none.gif", "https://example.com/blog/media/2024/img/none.gif"},
	{"//cdn.example.org/x.js", "//cdn.example.org/x.js"},
}

// Also with the bodies of articles without references left on disk, among
// many such articles: the builder then finds the few kept in memory from
// the library's list of them (bodiesInMemory), not by looking at each.
func TestRelativeReferencesBecomeAbsolute(t *testing.T) {
	t.Run("bodies in memory", func(t *testing.T) {
		dir := t.TempDir()
		writeCorpus(t, dir, linkCorpus)
		snap, _ := build(t, testConfig(dir), now)
		checkAbsoluteReferences(t, snap)
	})
	t.Run("bodies on disk", func(t *testing.T) {
		dir := t.TempDir()
		corpus := maps.Clone(linkCorpus)
		for i := range 40 {
			corpus[fmt.Sprintf("old/%d.txt", i)] = fmt.Sprintf("Title: Old %d\nDate: 2023-05-%02d\n\nPlain.\n", i, 1+i%28)
		}
		writeCorpus(t, dir, corpus)
		lib, b := scan(t, testConfig(dir), library.Options{BodiesOnDisk: true, Now: func() time.Time { return now }})
		if inMemory, ok := lib.BodiesInMemory(); !ok || len(inMemory) != 1 {
			t.Fatalf("bodies in memory: %d (%v); want the one of 2024/post.md", len(inMemory), ok)
		}
		snap, _, err := b.Build(lib, now)
		if err != nil {
			t.Fatal(err)
		}
		checkAbsoluteReferences(t, snap)
	})
}

// checkAbsoluteReferences checks linkTests in the page and feeds of
// 2024/post.md.
func checkAbsoluteReferences(t *testing.T, snap *site.Snapshot) {
	t.Helper()

	page := snap.Lookup("/articles/2024/post/")
	if page == nil {
		t.Fatalf("no page for 2024/post.md; paths %q", snap.Paths())
	}
	contents := map[string]string{"page": string(page.Body)}
	for _, path := range []string{"/rss.xml", "/atom.xml", "/feed.json"} {
		f, err := gofeed.NewParser().ParseString(string(snap.Lookup(path).Body))
		if err != nil {
			t.Fatalf("parsing %s: %v", path, err)
		}
		for _, it := range f.Items {
			if it.Title == "Post" {
				contents[path] = it.Content
				if contents[path] == "" {
					contents[path] = it.Description
				}
			}
		}
	}
	for where, content := range contents {
		for _, tt := range linkTests {
			attr := `href="` + tt.want + `"`
			if strings.HasPrefix(tt.ref, "img/chart.png?") {
				attr = `src="` + tt.want + `"`
			}
			if !strings.Contains(content, attr) {
				t.Errorf("%s: %q should become %s:\n%s", where, tt.ref, attr, content)
			}
		}
	}
}

// TestReferencesFollowTheirTarget holds that a link to another article
// follows that article's slug when it changes, though the linking
// article did not change, and that an unchanged build reuses the page.
func TestReferencesFollowTheirTarget(t *testing.T) {
	dir := t.TempDir()
	writeCorpus(t, dir, linkCorpus)
	st := state.New()
	sc := library.NewScanner(library.Options{Dir: dir, State: st, RacyWindow: -1})
	b, err := site.NewBuilder(testConfig(dir), st)
	if err != nil {
		t.Fatal(err)
	}
	rebuild := func() *site.Snapshot {
		t.Helper()
		lib, _, err := sc.Scan()
		if err != nil {
			t.Fatal(err)
		}
		snap, _, err := b.Build(lib, now)
		if err != nil {
			t.Fatal(err)
		}
		return snap
	}
	first := rebuild().Lookup("/articles/2024/post/")
	if again := rebuild().Lookup("/articles/2024/post/"); again != first {
		t.Error("an unchanged rebuild rendered the page again")
	}
	path := filepath.Join(dir, "other.txt")
	if err := os.WriteFile(path, []byte("Title: Other\nDate: 2024-01-02\nSlug: renamed\n\nBody.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	later := fixedTime.Add(time.Hour)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	page := rebuild().Lookup("/articles/2024/post/")
	if want := `href="https://example.com/blog/articles/renamed/"`; !strings.Contains(string(page.Body), want) {
		t.Errorf("after the target's slug changed, the page lacks %s", want)
	}
}
