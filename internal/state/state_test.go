package state

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSaveAndLoadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "state.json")
	s, err := Load(path)
	if err != nil {
		t.Fatalf("Load of a missing file = %v, want an empty state", err)
	}
	seen := time.Date(2024, 5, 1, 9, 30, 0, 0, time.UTC)
	s.SetArticle("a.txt", Article{ID: "a", FirstSeen: seen, ContentKey: "k"})
	s.SetDocuments(map[string]Document{"/rss.xml": {ETag: `"x"`, LastModified: seen}})
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil || len(entries) != 1 {
		t.Errorf("state directory holds %v (%v), want only the state file", entries, err)
	}
	again, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := again.Article("a.txt"); !ok || a.ID != "a" || !a.FirstSeen.Equal(seen) || a.ContentKey != "k" {
		t.Errorf("Article(a.txt) = %+v, %v after a round trip", a, ok)
	}
	if d, ok := again.Document("/rss.xml"); !ok || d.ETag != `"x"` {
		t.Errorf("Document(/rss.xml) = %+v, %v after a round trip", d, ok)
	}
}

func TestLoadReportsBadFiles(t *testing.T) {
	for name, content := range map[string]string{
		"corrupt": `{"version": 1, "articles": {`,
		"version": `{"version": 99}`,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := Load(path)
			if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "rebuilding") {
				t.Errorf("Load = %v, want an error naming the file and saying it is rebuilt", err)
			}
			if s == nil || len(s.Articles()) != 0 {
				t.Errorf("Load gave %v, want an empty state to go on with", s)
			}
		})
	}
}

func TestReadOnlyNeverWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s, err := LoadReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	s.SetArticle("a.txt", Article{ID: "a"})
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("a read-only state wrote its file")
	}
}

// TestSaveWhileChanging saves while another goroutine records articles:
// no race, and a change made during a save is saved by the next one.
func TestSaveWhileChanging(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s, _ := Load(path)
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range 200 {
			s.SetArticle(strings.Repeat("x", i%7)+".txt", Article{ID: string(rune('a' + i%26))})
		}
	})
	for range 20 {
		if err := s.Save(); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	s.SetArticle("last.txt", Article{ID: "last"})
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	again, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := again.Article("last.txt"); !ok || a.ID != "last" {
		t.Errorf("the last change was not saved: %+v, %v", a, ok)
	}
}

// TestSaveWritesWhatMarshalIndentWrites holds that the file Save writes an
// entry at a time is byte for byte what encoding the whole state with
// json.MarshalIndent gave, so files written before and after compare
// equal (a site that commits its state sees no noise in its diffs).
func TestSaveWritesWhatMarshalIndentWrites(t *testing.T) {
	seen := time.Date(2024, 3, 1, 12, 30, 0, 5, time.UTC)
	for name, f := range map[string]fileFormat{
		"empty": {Version: formatVersion, Articles: map[string]Article{}, Documents: map[string]Document{}},
		"nil":   {Version: formatVersion},
		"full": {
			Version: formatVersion,
			Articles: map[string]Article{
				"b/ünï <&> \"quoted\".txt": {ID: "b", FirstSeen: seen},
				"a.txt":                    {ID: "a", FirstSeen: seen.In(time.FixedZone("x", 3600)), ContentKey: "k"},
				"line\nbreak.md":           {ID: "c\u2028"},
			},
			Documents: map[string]Document{"/rss.xml": {ETag: `"abc"`, LastModified: seen}},
		},
	} {
		want, err := json.MarshalIndent(f, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := f.write(&got); err != nil {
			t.Fatal(err)
		}
		if got.String() != string(want)+"\n" {
			t.Errorf("%s: wrote\n%s\nwant\n%s", name, got.String(), want)
		}
	}
}

// FuzzSaveWritesWhatMarshalIndentWrites is TestSaveWritesWhatMarshalIndentWrites
// for any strings and times: the entries Save appends by hand must be
// what encoding/json writes, escapes and all.
func FuzzSaveWritesWhatMarshalIndentWrites(f *testing.F) {
	f.Add("a.txt", "abc", "k", `"e"`, int64(1_700_000_000), int64(5), 0)
	f.Add("b/ünï <&> \"q\".txt", "c\u2028", "", "", int64(-62135596800), int64(0), 3600)
	f.Add("\xff\x00x", "\\", "\t", "/", int64(253402300800), int64(999), 30)
	f.Fuzz(func(t *testing.T, path, id, key, etag string, sec, nsec int64, offset int) {
		when := time.Unix(sec, nsec).In(time.FixedZone("z", offset%100000))
		file := fileFormat{Version: formatVersion,
			Articles:  map[string]Article{path: {ID: id, FirstSeen: when, ContentKey: key}, path + "2": {ID: key}},
			Documents: map[string]Document{path: {ETag: etag, LastModified: when}},
		}
		want, wantErr := json.MarshalIndent(file, "", "  ")
		var got bytes.Buffer
		err := file.write(&got)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("write error %v; MarshalIndent error %v", err, wantErr)
		}
		if err == nil && got.String() != string(want)+"\n" {
			t.Errorf("wrote\n%s\nwant\n%s", got.String(), want)
		}
	})
}
