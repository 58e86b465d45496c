package feed

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// renderer is one output format under test.
type renderer struct {
	name   string
	render func(*Feed) ([]byte, error)
}

var renderers = []renderer{{"RSS", RSS}, {"Atom", Atom}, {"JSON", JSON}}

// goldenCases lists every golden document: each format for the sample
// feed and for the empty feed.
var goldenCases = []struct {
	file   string
	render func(*Feed) ([]byte, error)
	feed   func() *Feed
}{
	{"rss.golden.xml", RSS, sampleFeed},
	{"atom.golden.xml", Atom, sampleFeed},
	{"feed.golden.json", JSON, sampleFeed},
	{"empty.rss.golden.xml", RSS, emptyFeed},
	{"empty.atom.golden.xml", Atom, emptyFeed},
	{"empty.feed.golden.json", JSON, emptyFeed},
	{"archive.rss.golden.xml", RSS, archiveFeed},
	{"archive.atom.golden.xml", Atom, archiveFeed},
	{"archive.feed.golden.json", JSON, archiveFeed},
}

func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.file, func(t *testing.T) {
			got, err := tc.render(tc.feed())
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tc.file)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s (go test -update rewrites it)\ngot:\n%s", path, got)
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	for _, r := range renderers {
		t.Run(r.name, func(t *testing.T) {
			a, err := r.render(sampleFeed())
			if err != nil {
				t.Fatal(err)
			}
			b, err := r.render(sampleFeed())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a, b) {
				t.Errorf("two renders of the same feed differ")
			}
		})
	}
}

// TestInputUnchanged guards the sanitising copy: rendering must not
// write to the caller's feed.
func TestInputUnchanged(t *testing.T) {
	f := sampleFeed()
	f.Items[0].Tags = []string{"bad\x00tag"}
	for _, r := range renderers {
		if _, err := r.render(f); err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
	}
	if f.Items[0].Tags[0] != "bad\x00tag" {
		t.Errorf("tag changed to %q", f.Items[0].Tags[0])
	}
}

func TestContentTypes(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{RSSContentType, "application/rss+xml; charset=utf-8"},
		{AtomContentType, "application/atom+xml; charset=utf-8"},
		{JSONContentType, "application/feed+json; charset=utf-8"},
	} {
		if tc.got != tc.want {
			t.Errorf("content type %q, want %q", tc.got, tc.want)
		}
	}
}
