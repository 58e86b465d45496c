package library_test

import (
	"maps"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/library"
)

func TestIsMediaFile(t *testing.T) {
	tests := []struct {
		path, contentType string
		media             bool
	}{
		{"a.png", "image/png", true},
		{"dir/B.JPG", "image/jpeg", true},
		{"c.jpeg", "image/jpeg", true},
		{"d.gif", "image/gif", true},
		{"e.webp", "image/webp", true},
		{"f.svg", "image/svg+xml", true},
		{"g.mp3", "audio/mpeg", true},
		{"h.m4a", "audio/mp4", true},
		{"i.mp4", "video/mp4", true},
		{"j.pdf", "application/pdf", true},
		{".hidden.png", "image/png", false},
		{"k.png~", "", false},
		{"l.png.swp", "", false},
		{"m.txt", "", false},
		{"n.md", "", false},
		{"o.exe", "", false},
		{"png", "", false},
	}
	for _, tt := range tests {
		if got := library.IsMediaFile(tt.path); got != tt.media {
			t.Errorf("IsMediaFile(%q) = %v, want %v", tt.path, got, tt.media)
		}
		if got := library.MediaType(tt.path); got != tt.contentType && tt.media {
			t.Errorf("MediaType(%q) = %q, want %q", tt.path, got, tt.contentType)
		}
	}
}

// media returns the library's media files as path → content.
func media(lib *library.Library) map[string]string {
	out := map[string]string{}
	for _, m := range lib.Media {
		out[m.Path] = string(m.Data)
	}
	return out
}

func TestScanMedia(t *testing.T) {
	d := newDir(t, map[string]string{
		"a.txt":           text("A"),
		"a.png":           "png bytes",
		"img/chart.svg":   "<svg/>",
		"img/.hidden.gif": "hidden",
		"img/notes.doc":   "not media",
		"big.mp4":         strings.Repeat("x", 101),
		".git/x.png":      "hidden dir",
	})
	s := library.NewScanner(library.Options{Dir: d.path, MediaMaxBytes: 100, RacyWindow: -1})
	lib, _ := scan(t, s)
	want := map[string]string{"a.png": "png bytes", "img/chart.svg": "<svg/>"}
	if got := media(lib); !maps.Equal(got, want) {
		t.Errorf("Media = %v, want %v", got, want)
	}
	if len(lib.Articles) != 1 {
		t.Errorf("Articles = %d, want 1: media files are not articles", len(lib.Articles))
	}
	if lib.Media[1].ContentType != "image/svg+xml" || lib.Media[0].ContentType != "image/png" {
		t.Errorf("content types = %q, %q", lib.Media[0].ContentType, lib.Media[1].ContentType)
	}
	if len(lib.Problems) != 1 || lib.Problems[0].Path != "big.mp4" || !strings.Contains(lib.Problems[0].Msg, "media.max_bytes") || lib.Errors() != 1 {
		t.Errorf("Problems = %v, want one error for big.mp4 naming media.max_bytes", lib.Problems)
	}

	// Unchanged files are not read again: the same *Media comes back.
	first := lib.Media[0]
	lib, _ = scan(t, s)
	if lib.Media[0] != first {
		t.Error("rescan of an unchanged media file returned a new *Media")
	}

	// A changed file is read again; a deleted one is gone; a shrunk one
	// is served.
	d.write("a.png", "new png bytes")
	d.setModTime("a.png", time.Now().Add(time.Hour))
	must(t, os.Remove(d.abs("img/chart.svg")))
	d.write("big.mp4", "small now")
	lib, _ = scan(t, s)
	want = map[string]string{"a.png": "new png bytes", "big.mp4": "small now"}
	if got := media(lib); !maps.Equal(got, want) || len(lib.Problems) != 0 {
		t.Errorf("after changes Media = %v, problems %v; want %v and none", got, lib.Problems, want)
	}
}

func TestMediaLastGoodVersion(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads files whatever their permissions")
	}
	d := newDir(t, map[string]string{"a.png": "good"})
	s := library.NewScanner(library.Options{Dir: d.path, RacyWindow: -1})
	scan(t, s)
	must(t, os.Chmod(d.abs("a.png"), 0))
	lib, _ := scan(t, s)
	if got := media(lib); got["a.png"] != "good" || len(lib.Problems) != 1 {
		t.Errorf("unreadable media: Media = %v, problems %v; want the last good version and one problem", got, lib.Problems)
	}
}
