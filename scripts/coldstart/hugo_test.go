package main

import (
	"bytes"
	"encoding/json"
	"html"
	"strings"
	"testing"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer"
	gmhtml "github.com/yuin/goldmark/renderer/html"

	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/internal/testcorpus"
)

// renderMarkdown renders md with goldmark and the GitHub extensions, as
// Hugo does by default.
func renderMarkdown(t *testing.T, md string, opts ...renderer.Option) string {
	t.Helper()
	var out bytes.Buffer
	if err := goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(opts...)).Convert([]byte(md), &out); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(out.String())
}

// sameText reports whether two HTML fragments are the same once character
// references are resolved: goldmark writes `"` as &quot; where feedpub
// writes &#34;, while markup Markdown made of the text (a tag, an <em>,
// a reference taken literally) still differs.
func sameText(a, b string) bool { return html.UnescapeString(a) == html.UnescapeString(b) }

func TestEscapeMarkdown(t *testing.T) {
	for _, para := range []string{
		"# not a heading", "- not a list", "+ nor this", "= nor this", "1. not numbered", "12) nor this",
		"> not a quote", "*not emphasis* nor _this_ nor ~~this~~", "`not code`", "[not](a link) ![nor](an image)",
		`<b>not bold</b> <script>alert(1)</script> a\b`, "&amp; &#169; AT&T", "2024. A year", "x<y and a>b",
	} {
		got := renderMarkdown(t, escapeMarkdown(para))
		if want := "<p>" + html.EscapeString(para) + "</p>"; !sameText(got, want) {
			t.Errorf("markdown of escapeMarkdown(%q) = %q, want %q", para, got, want)
		}
	}
}

// TestHugoPostCorpus holds the conversion to feedpub's reading of every
// generated article: rendered as Hugo would, the body is feedpub's HTML of
// it, with the bio as the last paragraph, and the front matter has its
// title, date and tags.
func TestHugoPostCorpus(t *testing.T) {
	for _, f := range testcorpus.Generate(300, 1) {
		a, _, err := article.Parse(article.Source{Path: f.Name, Data: f.Data}, article.Options{})
		if err != nil {
			t.Fatal(err)
		}
		fm, body := splitPost(t, hugoPost(a))
		want := a.ContentHTML
		if a.Bio != "" {
			want += "\n<p>“" + html.EscapeString(a.Bio) + "”</p>"
		}
		if got := renderMarkdown(t, body); !sameText(got, want) {
			t.Errorf("%s: body renders as\n%s\nwant\n%s", f.Name, got, want)
		}
		if fm.Title != a.Title || strings.Join(fm.Tags, ",") != strings.Join(a.Tags, ",") || fm.Draft != a.Draft {
			t.Errorf("%s: front matter %+v, want title %q, tags %q, draft %v", f.Name, fm, a.Title, a.Tags, a.Draft)
		}
		if !a.Published.IsZero() && !fm.Date.Equal(a.Published) {
			t.Errorf("%s: date %v, want %v", f.Name, fm.Date, a.Published)
		}
	}
}

func TestHugoPostMarkdown(t *testing.T) {
	src := "+++\ntitle = \"In Markdown\"\ndate = 2020-01-02\ntags = [\"a\", \"b\"]\n+++\n\nSome *text*, a [link](https://example.com/) and\n\n- a list\n"
	a, _, err := article.Parse(article.Source{Path: "notes/m.md", Data: []byte(src)}, article.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fm, body := splitPost(t, hugoPost(a))
	if got := renderMarkdown(t, body, gmhtml.WithUnsafe()); got != a.ContentHTML {
		t.Errorf("body renders as\n%s\nwant\n%s", got, a.ContentHTML)
	}
	if fm.Title != "In Markdown" || strings.Join(fm.Tags, ",") != "a,b" || !fm.Date.Equal(time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("front matter %+v, want the article's title, tags and date", fm)
	}
}

func TestHugoPostUndated(t *testing.T) {
	mtime := time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)
	a, _, err := article.Parse(article.Source{Path: "undated.txt", Data: []byte("Title: No date\n\nBody.\n"), ModTime: mtime}, article.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if fm, _ := splitPost(t, hugoPost(a)); !fm.Date.Equal(mtime) {
		t.Errorf("date of an undated article = %v, want its modification time %v", fm.Date, mtime)
	}
}

type postFrontMatter struct {
	Title string
	Date  time.Time
	Tags  []string
	Draft bool
}

// splitPost splits a Hugo content file into its JSON front matter, which
// Hugo ends at the closing brace, and its body.
func splitPost(t *testing.T, post []byte) (postFrontMatter, string) {
	t.Helper()
	fm, body, ok := strings.Cut(string(post), "\n}\n")
	if !ok || !strings.HasPrefix(fm, "{") {
		t.Fatalf("no JSON front matter in %q", post)
	}
	var v postFrontMatter
	if err := json.Unmarshal([]byte(fm+"}"), &v); err != nil {
		t.Fatalf("front matter: %v", err)
	}
	return v, body
}
