package feed

import (
	"strings"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/feed/feedtest"
)

func TestXMLSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"tab\tnl\ncr\r", "tab\tnl\ncr\r"},
		{"nul\x00bell\x07esc\x1b", "nulbellesc"},
		{"\uFFFE\uFFFF", ""},
		{"bad\xffbyte", "bad\uFFFDbyte"},
		{"keep \uFFFD and 🎉", "keep \uFFFD and 🎉"},
		{"\ud7ff\ue000", "\ud7ff\ue000"},
	}
	for _, tc := range tests {
		if got := xmlSafe(tc.in); got != tc.want {
			t.Errorf("xmlSafe(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// hostileFeed puts characters XML forbids into every kind of field.
func hostileFeed() *Feed {
	f := sampleFeed()
	bad := "\x00\x01\x0b\x0c\x1f\uFFFE\xff\xfe]]>"
	f.Title += bad
	f.Description += bad
	f.Author.Name += bad
	f.Items[0].Title += bad
	f.Items[0].Summary += bad
	f.Items[0].ContentHTML += bad
	f.Items[0].Tags = append(f.Items[0].Tags, bad)
	f.Items[1].Author.Name += bad
	return f
}

func TestForbiddenCharacters(t *testing.T) {
	for _, r := range renderers {
		if _, err := r.render(hostileFeed()); err != nil {
			t.Errorf("%s: %v", r.name, err)
		}
	}
}

func TestInvalidFeeds(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Feed)
		want   string
		atom   bool // only Atom rejects it
	}{
		{"no title", func(f *Feed) { f.Title = "" }, "no title", false},
		{"no home URL", func(f *Feed) { f.HomeURL = "" }, "no home URL", false},
		{"item without id", func(f *Feed) { f.Items[1].ID = "" }, "item 1: no id", false},
		{"item without URL", func(f *Feed) { f.Items[0].URL = "" }, "no URL", false},
		{"item without title", func(f *Feed) { f.Items[0].Title = "" }, "no title", false},
		{"item without date", func(f *Feed) { f.Items[2].Published = time.Time{} }, "no publication date", false},
		{"no feed id", func(f *Feed) { f.ID = "" }, "no id", true},
		{"nobody wrote it", func(f *Feed) { f.Author = Person{} }, "no author", true},
	}
	for _, tc := range tests {
		for _, r := range renderers {
			t.Run(tc.name+"/"+r.name, func(t *testing.T) {
				f := sampleFeed()
				tc.change(f)
				_, err := r.render(f)
				switch {
				case tc.atom && r.name != "Atom":
					if err != nil {
						t.Errorf("%s() = %v, want nil", r.name, err)
					}
				case err == nil:
					t.Errorf("%s() = nil, want an error containing %q", r.name, tc.want)
				case !strings.Contains(err.Error(), tc.want):
					t.Errorf("%s() = %v, want an error containing %q", r.name, err, tc.want)
				}
			})
		}
	}
}

// TestUpdatedDerived checks that a zero Feed.Updated is computed from
// the items, as its doc comment promises.
func TestUpdatedDerived(t *testing.T) {
	f := sampleFeed()
	want := f.Updated
	f.Updated = time.Time{}
	if got := f.updated(); !got.Equal(want) {
		t.Errorf("updated() = %v, want %v", got, want)
	}
	a, _ := Atom(f)
	b, _ := Atom(sampleFeed())
	if string(a) != string(b) {
		t.Errorf("Atom with a derived Updated differs from one with it set")
	}
}

// FuzzRender feeds arbitrary text to every field the XML formats write
// as text or CDATA; RSS and Atom must always produce a well-formed
// document (feedtest.CheckXML), and JSON must always render.
func FuzzRender(f *testing.F) {
	f.Add("title", "<p>x</p>", "summary", "tag")
	f.Add("]]>", "]]]]>", "\x00", "\xff")
	f.Add("&amp;", "<![CDATA[", "\r\n", "\uFFFE")
	f.Fuzz(func(t *testing.T, title, html, summary, tag string) {
		feed := sampleFeed()
		feed.Title = "t" + title
		feed.Items[0].Title = "t" + title
		feed.Items[0].ContentHTML = html
		feed.Items[0].Summary = summary
		feed.Items[0].Tags = []string{tag}
		for _, r := range renderers {
			doc, err := r.render(feed)
			if err == nil && r.name != "JSON" {
				err = feedtest.CheckXML(doc)
			}
			if err != nil {
				t.Errorf("%s: %v", r.name, err)
			}
		}
	})
}
