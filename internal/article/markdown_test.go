package article

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func readTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "markdown", name))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

func TestMarkdownFeatures(t *testing.T) {
	src := Source{Path: "features.md", Data: readTestdata(t, "features.md")}
	a, warnings, err := Parse(src, Options{})
	if err != nil || len(warnings) > 0 {
		t.Fatalf("Parse(features.md) = %v, %v; want no problem", warnings, err)
	}
	if a.Title != "A tour of the features" {
		t.Errorf("Title = %q, want the heading's text", a.Title)
	}
	if strings.Contains(a.ContentHTML, "<h1") {
		t.Errorf("ContentHTML repeats the title heading:\n%s", a.ContentHTML)
	}
	tests := []struct {
		feature, want string
	}{
		{"heading id", `<h2 id="tables--more">Tables &amp; more</h2>`},
		{"table", "<td>a</td>"},
		{"strikethrough", "<del>struck</del>"},
		{"autolink", `<a href="https://autolink.example.org/">https://autolink.example.org/</a>`},
		{"task list", `<input checked="" disabled="" type="checkbox" />`},
		{"footnote", `<a href="#fn:1" class="footnote-ref" role="doc-noteref">1</a>`},
		{"code block", `<pre><code class="language-go">fmt.Println(&quot;hi&quot;)`},
		{"inline code", "<code>code</code>"},
	}
	for _, tt := range tests {
		if !strings.Contains(a.ContentHTML, tt.want) {
			t.Errorf("%s: ContentHTML lacks %q:\n%s", tt.feature, tt.want, a.ContentHTML)
		}
	}
	if want := "Intro paragraph with a link and code."; a.Summary != want {
		t.Errorf("Summary = %q, want %q", a.Summary, want)
	}
	if err := checkXML("<div>" + a.ContentHTML + "</div>"); err != nil {
		t.Errorf("ContentHTML is not well-formed XML: %v\n%s", err, a.ContentHTML)
	}
}

func TestMarkdownRawHTML(t *testing.T) {
	const text = "# T\n\nHi <b>bold</b> <img src=\"x.png\" onerror=\"alert(1)\">\n\n<script>alert(1)</script>\n\n<a href=\"javascript:alert(1)\">x</a> line<br>end\n"
	tests := []struct {
		name       string
		unsafe     bool
		want, bans []string
	}{
		{"off by default", false,
			[]string{"<!-- raw HTML omitted -->"},
			[]string{"<b>", "<script", "onerror", "javascript:", "<img"}},
		{"on and sanitised", true,
			[]string{"<b>bold</b>", `<img src="x.png"/>`, "<br/>"},
			[]string{"<script", "alert", "onerror", "javascript:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _, err := Parse(Source{Path: "a.md", Data: []byte(text)}, Options{UnsafeHTML: tt.unsafe})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(a.ContentHTML, w) {
					t.Errorf("ContentHTML lacks %q:\n%s", w, a.ContentHTML)
				}
			}
			for _, b := range tt.bans {
				if strings.Contains(a.ContentHTML, b) {
					t.Errorf("ContentHTML holds %q:\n%s", b, a.ContentHTML)
				}
			}
			if err := checkXML("<div>" + a.ContentHTML + "</div>"); err != nil {
				t.Errorf("ContentHTML is not well-formed XML: %v\n%s", err, a.ContentHTML)
			}
		})
	}
}

func TestMarkdownFrontMatter(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	text := "+++\n" +
		"title = \"  Front  \"\n" +
		"date = 2024-05-01T09:30:00\n" +
		"updated = 2024-06-01T10:00:00Z\n" +
		"tags = [\"Go\", \"feeds\", \"go\", \" \"]\n" +
		"summary = \"\"\"\nWritten\nsummary.\"\"\"\n" +
		"slug = \"front\"\n" +
		"id = \"front-1\"\n" +
		"draft = false\n" +
		"lang = \"de\"\n" +
		"author = \"A\"\n" +
		"+++\n" +
		"# Heading stays\n\nBody.\n"
	a, _, perr := Parse(Source{Path: "x.md", Data: []byte(text)}, Options{Location: berlin})
	if perr != nil {
		t.Fatal(perr)
	}
	checks := []struct {
		field     string
		got, want any
	}{
		{"Title", a.Title, "Front"},
		{"Published", a.Published, time.Date(2024, 5, 1, 7, 30, 0, 0, time.UTC)},
		{"DateDeclared", a.DateDeclared, true},
		{"Updated", a.Updated, time.Date(2024, 6, 1, 10, 0, 0, 0, time.UTC)},
		{"Tags", strings.Join(a.Tags, "|"), "Go|feeds"},
		{"Summary", a.Summary, "Written\nsummary."},
		{"Slug", a.Slug, "front"},
		{"ID", a.ID, "front-1"},
		{"ExplicitID", a.ExplicitID, true},
		{"Lang", a.Lang, "de"},
		{"Author", a.Author, "A"},
		{"heading kept", strings.Contains(a.ContentHTML, "<h1"), true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("Parse(front matter).%s = %v, want %v", c.field, c.got, c.want)
		}
	}
}

func TestMarkdownErrors(t *testing.T) {
	tests := []struct {
		name, text string
		line       int
		msg        string
	}{
		{"unknown key", "+++\ntitle = \"T\"\ncolour = \"red\"\n+++\nBody.", 3, `unknown front matter key "colour"`},
		{"bad date", "+++\ntitle = \"T\"\n\ndate = \"yesterday\"\n+++\nBody.", 4, `bad Date "yesterday"`},
		{"time without date", "+++\ntitle = \"T\"\ndate = 09:30:00\n+++\nBody.", 3, "needs a date"},
		{"toml syntax", "+++\ntitle = \"T\"\ntags = [\"a\"\n+++\nBody.", 3, "bad front matter"},
		{"unclosed fence", "+++\ntitle = \"T\"\nBody.", 1, "never closed"},
		{"tags not strings", "+++\ntitle = \"T\"\ntags = [1, 2]\n+++\nBody.", 3, "array of strings"},
		{"tag with comma", "+++\ntitle = \"T\"\ntags = [\"a,b\"]\n+++\nBody.", 3, "contains a comma"},
		{"multi-line array keeps lines", "+++\ntags = [\n  \"a\",\n]\ntitle = \"T\"\nslug = \"a/b\"\n+++\nBody.", 6, `bad Slug "a/b"`},
		{"table", "+++\ntitle = \"T\"\n[extra]\nx = 1\n+++\nBody.", 3, `unknown front matter key "extra"`},
		{"array for a single value", "+++\ntitle = [\"T\"]\n+++\nBody.", 2, "not an array"},
		{"empty title", "+++\ntitle = \" \"\n+++\nBody.", 2, "empty title"},
		{"bad id", "+++\ntitle = \"T\"\nid = \"a b\"\n+++\nBody.", 3, `bad ID "a b"`},
		{"no title", "Just text.\n\n## Not level one\n", 0, "missing title"},
		{"heading not first", "Intro.\n\n# Late title\n", 0, "missing title"},
		{"front matter without title", "+++\ndate = 2024-01-01\n+++\nBody.", 0, "missing title"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _, err := Parse(Source{Path: "x.md", Data: []byte(tt.text)}, Options{})
			pe, ok := err.(*ParseError)
			if !ok || a != nil || pe.Line != tt.line || !strings.Contains(pe.Msg, tt.msg) || pe.Severity != SeverityError {
				t.Errorf("Parse(%q) = %v, %v; want an error on line %d containing %q", tt.text, a, err, tt.line, tt.msg)
			}
		})
	}
}

func TestMarkdownTitleHeading(t *testing.T) {
	tests := []struct {
		name, text, title string
		line              int
	}{
		{"atx", "# Hello *there* `x`\n\nBody.", "Hello there x", 1},
		{"setext", "Hello\n=====\n\nBody.", "Hello", 1},
		{"after blank lines", "\n\n# Late\nBody.", "Late", 3},
		{"after front matter", "+++\ndate = 2024-01-01\n+++\n\n# From heading\nBody.", "From heading", 5},
		{"entities and escapes", "# Fish &amp; \\*chips\\*\nBody.", "Fish & *chips*", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _, err := Parse(Source{Path: "x.md", Data: []byte(tt.text)}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if a.Title != tt.title || int(a.lines.title) != tt.line {
				t.Errorf("Parse(%q) title %q on line %d, want %q on line %d", tt.text, a.Title, int(a.lines.title), tt.title, tt.line)
			}
			if strings.Contains(a.ContentHTML, "<h1") {
				t.Errorf("Parse(%q) ContentHTML repeats the title: %s", tt.text, a.ContentHTML)
			}
		})
	}
}

func TestMarkdownText(t *testing.T) {
	long := strings.Repeat("word ", 100)
	tests := []struct {
		name, body, summary string
		words               int
	}{
		{"inline markup", "Some *very* **bold** [text](x) here.", "Some very bold text here.", 5},
		{"markup inside a word", "un*believ*able", "unbelievable", 1},
		{"soft line breaks", "one\ntwo\nthree", "one two three", 3},
		{"list first", "- a\n- b\n\nPara.", "Para.", 3},
		{"raw html is not text", "Hi <b>x</b>.", "Hi x.", 2},
		{"code counts", "Para.\n\n```\nx := 1\n```", "Para.", 4},
		{"long summary is cut", long, summarize(strings.TrimSpace(long)), 100},
		{"image only", "![alt text](a.png)", "alt text", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _, err := Parse(Source{Path: "x.md", Data: []byte("# T\n\n" + tt.body)}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if a.Summary != tt.summary || a.WordCount != tt.words {
				t.Errorf("Parse(%q) summary %q, %d words; want %q, %d", tt.body, a.Summary, a.WordCount, tt.summary, tt.words)
			}
		})
	}
}

// TestSameArticleBothFormats holds that one article written as .txt and as
// .md gives the same fields a feed item is made of, except the markup.
func TestSameArticleBothFormats(t *testing.T) {
	opts := Options{Location: time.UTC}
	txt, tw, err := Parse(Source{Path: "2024/same.txt", Data: readTestdata(t, "same.txt")}, opts)
	if err != nil || len(tw) > 0 {
		t.Fatalf("Parse(same.txt) = %v, %v", tw, err)
	}
	md, mw, err := Parse(Source{Path: "2024/same.md", Data: readTestdata(t, "same.md")}, opts)
	if err != nil || len(mw) > 0 {
		t.Fatalf("Parse(same.md) = %v, %v", mw, err)
	}
	checks := []struct {
		field   string
		txt, md any
	}{
		{"Title", txt.Title, md.Title},
		{"Author", txt.Author, md.Author},
		{"Tags", strings.Join(txt.Tags, "|"), strings.Join(md.Tags, "|")},
		{"Lang", txt.Lang, md.Lang},
		{"Summary", txt.Summary, md.Summary},
		{"Published", txt.Published, md.Published},
		{"Updated", txt.Updated, md.Updated},
		{"WordCount", txt.WordCount, md.WordCount},
		{"DeclaredWordCount", txt.DeclaredWordCount, md.DeclaredWordCount},
		{"ID (assigned from the path)", txt.ID, md.ID},
		{"Slug", txt.Slug, md.Slug},
		{"Draft", txt.Draft, md.Draft},
	}
	for _, c := range checks {
		if c.txt != c.md {
			t.Errorf("%s: .txt gives %v, .md gives %v", c.field, c.txt, c.md)
		}
	}
	if got := stripTags(md.ContentHTML); got != stripTags(txt.ContentHTML) {
		t.Errorf("text differs:\n.txt: %q\n.md:  %q", stripTags(txt.ContentHTML), got)
	}
}

// stripTags drops the tags of simple HTML and joins its words with single
// spaces.
func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func TestMarkdownDates(t *testing.T) {
	tests := []struct {
		name, path, text string
		declared         bool
		published        time.Time
	}{
		{"file name date", "2024-03-02-x.md", "# T\nBody.", true, time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)},
		{"front matter wins", "2024-03-02-x.md", "+++\ndate = 2020-01-01T00:00:00Z\n+++\n# T\nBody.", true, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"string date", "x.md", "+++\ndate = \"2021-02-03 04:05\"\ntitle = \"T\"\n+++\nBody.", true, time.Date(2021, 2, 3, 4, 5, 0, 0, time.UTC)},
		{"none", "x.md", "# T\nBody.", false, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _, err := Parse(Source{Path: tt.path, Data: []byte(tt.text)}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if a.DateDeclared != tt.declared || !a.Published.Equal(tt.published) {
				t.Errorf("Parse(%s) = %v declared %v, want %v declared %v", tt.path, a.Published, a.DateDeclared, tt.published, tt.declared)
			}
		})
	}
}

func TestMarkdownInvalidUTF8(t *testing.T) {
	a, warnings, err := Parse(Source{Path: "x.md", Data: []byte("# T\xff\n\nBody \xfe.")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || warnings[0].Line != 1 || CheckSeverity(warnings[0]) != SeverityError {
		t.Errorf("warnings = %v, want one on line 1 that check counts as an error", warnings)
	}
	if !strings.Contains(a.Title, "\uFFFD") || !slices.Contains(strings.Fields(a.Summary), "\uFFFD.") {
		t.Errorf("Title %q, Summary %q; want U+FFFD in place of the bad bytes", a.Title, a.Summary)
	}
}
