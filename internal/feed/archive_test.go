package feed

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"
)

// archiveFeed is the sample feed as a middle archive page (RFC 5005 §4)
// of a site with two WebSub hubs, its newest item carrying an enclosure.
func archiveFeed() *Feed {
	f := sampleFeed()
	f.Links = Links{RSS: "https://example.org/archive/2/rss.xml", Atom: "https://example.org/archive/2/atom.xml", JSON: "https://example.org/archive/2/feed.json"}
	f.Hubs = []string{"https://hub.example.net/", "https://other.example.net/hub?x=1&y=2"}
	f.Archive = Archive{
		IsArchive: true,
		Current:   Links{RSS: "https://example.org/rss.xml", Atom: "https://example.org/atom.xml", JSON: "https://example.org/feed.json"},
		Prev:      Links{RSS: "https://example.org/archive/1/rss.xml", Atom: "https://example.org/archive/1/atom.xml", JSON: "https://example.org/archive/1/feed.json"},
		Next:      Links{RSS: "https://example.org/archive/3/rss.xml", Atom: "https://example.org/archive/3/atom.xml", JSON: "https://example.org/archive/3/feed.json"},
	}
	f.Items[0].Enclosure = &Enclosure{URL: "https://cdn.example.org/ep1.mp3?a=1&b=2", Length: 3_000_000_000, Type: "audio/mpeg"}
	f.Items[1].Enclosure = &Enclosure{URL: "https://cdn.example.org/notes.pdf", Type: "application/pdf"}
	return f
}

// xmlLink is an atom:link as RSS and Atom both write it.
type xmlLink struct {
	Rel    string `xml:"rel,attr"`
	Href   string `xml:"href,attr"`
	Type   string `xml:"type,attr"`
	Length string `xml:"length,attr"`
}

// xmlLinks reads the feed-level atom:link elements and whether fh:archive
// is there, namespaces resolved, from an RSS or Atom document.
func xmlLinks(t *testing.T, doc []byte) (links []xmlLink, archive bool) {
	t.Helper()
	type linked struct {
		Links   []xmlLink `xml:"http://www.w3.org/2005/Atom link"`
		Archive *struct{} `xml:"http://purl.org/syndication/history/1.0 archive"`
	}
	var v struct {
		linked         // Atom: on the feed
		Channel linked `xml:"channel"` // RSS: in the channel
	}
	if err := xml.Unmarshal(doc, &v); err != nil {
		t.Fatal(err)
	}
	return append(v.Channel.Links, v.Links...), v.Channel.Archive != nil || v.Archive != nil
}

func TestArchiveAndHubLinks(t *testing.T) {
	f := archiveFeed()
	for _, tc := range []struct {
		name   string
		render Renderer
		pick   func(Links) string
		typ    string
	}{
		{"RSS", RSS, rssURL, "application/rss+xml"},
		{"Atom", Atom, atomURL, "application/atom+xml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := tc.render(f)
			if err != nil {
				t.Fatal(err)
			}
			links, archive := xmlLinks(t, doc)
			if !archive {
				t.Error("archive document lacks fh:archive")
			}
			var got []string
			for _, l := range links {
				if l.Rel != "alternate" {
					got = append(got, l.Rel+" "+l.Href)
				}
			}
			want := []string{
				"self " + tc.pick(f.Links),
				"hub https://hub.example.net/",
				"hub https://other.example.net/hub?x=1&y=2",
				"current " + tc.pick(f.Archive.Current),
				"prev-archive " + tc.pick(f.Archive.Prev),
				"next-archive " + tc.pick(f.Archive.Next),
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s links =\n%s\nwant\n%s", tc.name, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			// gofeed sees the same feed and items.
			parsed, err := gofeed.NewParser().Parse(bytes.NewReader(doc))
			if err != nil {
				t.Fatal(err)
			}
			if len(parsed.Items) != len(f.Items) {
				t.Errorf("gofeed found %d items, want %d", len(parsed.Items), len(f.Items))
			}
			enc := parsed.Items[0].Enclosures
			if len(enc) != 1 || enc[0].URL != f.Items[0].Enclosure.URL || enc[0].Length != "3000000000" || enc[0].Type != "audio/mpeg" {
				t.Errorf("gofeed enclosure of item 0 = %+v, want %+v", enc, f.Items[0].Enclosure)
			}
		})
	}
}

func TestSubscriptionFeedHasNoArchiveMarker(t *testing.T) {
	f := archiveFeed()
	f.Links = f.Archive.Current
	f.Archive = Archive{Prev: f.Archive.Prev}
	for _, r := range []renderer{{"RSS", RSS}, {"Atom", Atom}} {
		doc, err := r.render(f)
		if err != nil {
			t.Fatal(err)
		}
		links, archive := xmlLinks(t, doc)
		if archive {
			t.Errorf("%s: subscription document carries fh:archive", r.name)
		}
		if bytes.Contains(doc, []byte(historyNS)) {
			t.Errorf("%s: subscription document declares the history namespace it does not use", r.name)
		}
		var rels []string
		for _, l := range links {
			rels = append(rels, l.Rel)
		}
		if want := []string{"self", "hub", "hub", "prev-archive"}; !slices.Equal(rels[:4], want) {
			t.Errorf("%s: rels = %v, want %v then alternate", r.name, rels, want)
		}
	}
}

func TestJSONArchivePaging(t *testing.T) {
	doc, err := JSON(archiveFeed())
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		FeedURL string `json:"feed_url"`
		NextURL string `json:"next_url"`
		Hubs    []struct {
			Type string `json:"type"`
			URL  string `json:"url"`
		} `json:"hubs"`
		Items []struct {
			Attachments []map[string]any `json:"attachments"`
		} `json:"items"`
	}
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatal(err)
	}
	if v.FeedURL != "https://example.org/feed.json" {
		t.Errorf("feed_url = %q, want the subscription feed's", v.FeedURL)
	}
	if v.NextURL != "https://example.org/archive/1/feed.json" {
		t.Errorf("next_url = %q, want the older page", v.NextURL)
	}
	if got := fmt.Sprint(v.Hubs); got != "[{WebSub https://hub.example.net/} {WebSub https://other.example.net/hub?x=1&y=2}]" {
		t.Errorf("hubs = %s", got)
	}
	want := []string{
		`[map[mime_type:audio/mpeg size_in_bytes:3e+09 url:https://cdn.example.org/ep1.mp3?a=1&b=2]]`,
		`[map[mime_type:application/pdf url:https://cdn.example.org/notes.pdf]]`,
		`[]`,
	}
	for i, it := range v.Items {
		if got := fmt.Sprint(it.Attachments); got != want[i] {
			t.Errorf("item %d attachments = %s, want %s", i, got, want[i])
		}
	}
}
