package site

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/article"
)

// TestPageKeyCoversTheView holds that pageKey, which hashes an article's
// fields rather than its view, still covers everything an article page
// shows: the view has no field made from something else, and a change
// to any field the view is made from changes the key. A field added to
// articleView fails this test until pageKey covers it.
func TestPageKeyCoversTheView(t *testing.T) {
	var fields []string
	for f := range reflect.TypeFor[articleView]().Fields() {
		fields = append(fields, f.Name)
	}
	// Each made from: Title, Slug, Summary, Published (twice), Author,
	// Bio, Lang, Tags, and the body.
	covered := []string{"Title", "URL", "Summary", "PublishedISO", "PublishedHuman", "Author", "Bio", "Lang", "Tags", "Content"}
	if !slices.Equal(fields, covered) {
		t.Fatalf("articleView has the fields %v; pageKey covers %v: make pageKey hash what the new ones are made from, then list them here", fields, covered)
	}

	b := &Builder{}
	base := article.Article{
		Path: "a.txt", Slug: "a", Title: "A", Summary: "S", Author: "Ada", Bio: "B", Lang: "en",
		Tags: []string{"x", "y"}, Published: time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC),
		ContentKey: "k", BodyOnDisk: true,
	}
	key := b.pageKey(&base)
	for name, change := range map[string]func(*article.Article){
		"path":      func(a *article.Article) { a.Path = "a.md" },
		"slug":      func(a *article.Article) { a.Slug = "b" },
		"title":     func(a *article.Article) { a.Title = "B" },
		"summary":   func(a *article.Article) { a.Summary = "T" },
		"author":    func(a *article.Article) { a.Author = "Bob" },
		"bio":       func(a *article.Article) { a.Bio = "C" },
		"lang":      func(a *article.Article) { a.Lang = "fr" },
		"tags":      func(a *article.Article) { a.Tags = []string{"x"} },
		"tag split": func(a *article.Article) { a.Tags = []string{"x\x00y"} },
		"published": func(a *article.Article) { a.Published = a.Published.Add(time.Nanosecond) },
		"body":      func(a *article.Article) { a.ContentKey = "l" },
		"body in memory": func(a *article.Article) {
			a.BodyOnDisk, a.ContentHTML = false, "<p>k</p>"
		},
	} {
		a := base
		change(&a)
		if b.pageKey(&a) == key {
			t.Errorf("a change of the %s leaves the page key as it was", name)
		}
	}
	// The same article, in another time zone, is the same page.
	same := base
	same.Published = same.Published.In(time.FixedZone("x", 3600))
	if b.pageKey(&same) != key {
		t.Error("the page key depends on the time zone of the publication date, which the page does not show")
	}
}
