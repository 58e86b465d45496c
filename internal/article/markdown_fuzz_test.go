package article

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// markdownSeeds are the Markdown edge cases the tests cover, as starting
// points for the fuzz engine.
var markdownSeeds = []string{
	"",
	"+++",
	"+++\n+++",
	"+++\ntitle = \"T\"\n+++\nBody.",
	"+++\ntitle = \"T\"\ncolour = 1\n+++\n",
	"+++\ntitle = \"T\"\ndate = 09:30:00\ntags = [\"a,b\"]\n+++\n",
	"+++\ntags = [\n\"a\",\n]\ntitle = '''\nx'''\n+++\n# H\n",
	"# Title\n\nBody with *em*, **strong**, `code` and [a link](../other.md).",
	"Setext\n===\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~s~~ www.example.com",
	"# T\n\n- [x] done\n- [ ] todo\n\nNote[^1].\n\n[^1]: Foot.\n",
	"# T\n\n```go\nfunc main() {}\n```\n\n    indented code\n",
	"# T\n\n<script>alert(1)</script>\n<img src=x onerror=y>\n<br>\n<p>unclosed\n",
	"# T &#1; &#xFFFE; &#0; &nbsp; &bogus; \\* \\\n\n![i](img/a.png \"t\") <https://example.com> <a@b.c>",
	"# \xff\xfe\n\nBad \x00 bytes\x1b.",
	"\uFEFF+++\r\ntitle = \"CRLF\"\r\n+++\r\nBody.\r\n",
	"# T\n\n> quote\n> > nested\n\n1. one\n2. two\n\n---\n\nHard  \nbreak",
}

func FuzzParseMarkdown(f *testing.F) {
	for _, s := range markdownSeeds {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Add(readTestdata(f, "features.md"), false)
	f.Add(readTestdata(f, "same.md"), true)
	f.Fuzz(func(t *testing.T, data []byte, unsafeHTML bool) {
		a, warnings, err := Parse(Source{Path: "2024-05-01-a.md", Data: data}, Options{UnsafeHTML: unsafeHTML})
		if !accepted(t, data, a, warnings, err) {
			return
		}
		checkMarkdownArticle(t, data, a)
		if !unsafeHTML && strings.Contains(a.ContentHTML, "<script") {
			t.Errorf("Parse(%q).ContentHTML = %q lets raw HTML through", data, a.ContentHTML)
		}
	})
}

// checkMarkdownArticle holds what every accepted Markdown article
// guarantees the feed writers.
func checkMarkdownArticle(t *testing.T, data []byte, a *Article) {
	t.Helper()
	if strings.TrimSpace(a.Title) == "" {
		t.Errorf("Parse(%q).Title = %q, want non-empty", data, a.Title)
	}
	for name, s := range map[string]string{"Title": a.Title, "Summary": a.Summary, "ContentHTML": a.ContentHTML} {
		if !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool { return !xmlChar(r) }) >= 0 {
			t.Errorf("Parse(%q).%s = %q, want valid UTF-8 that XML allows", data, name, s)
		}
	}
	if err := checkXML("<div>" + a.ContentHTML + "</div>"); err != nil {
		t.Errorf("Parse(%q).ContentHTML = %q is not XML: %v", data, a.ContentHTML, err)
	}
	if a.WordCount < 0 || len(a.ContentKey) != 32 {
		t.Errorf("Parse(%q) = WordCount %d, ContentKey %q", data, a.WordCount, a.ContentKey)
	}
}

// markdownOfSize returns a Markdown article of about n bytes, mixing the
// constructs writers use.
func markdownOfSize(n int) []byte {
	var b strings.Builder
	b.WriteString("+++\ntitle = \"Benchmark\"\ndate = 2024-05-01\ntags = [\"a\", \"b\"]\n+++\n\n")
	blocks := []string{
		"A paragraph with *emphasis*, **strength**, `code` and [a link](https://example.com/).\nIt wraps onto a second line, as editors leave it.\n\n",
		"## A section heading\n\n",
		"- one item\n- another item with ~~struck~~ text\n- [x] a task\n\n",
		"```go\nfunc main() { fmt.Println(\"hello\") }\n```\n\n",
		"| col | val |\n| --- | --- |\n| a   | 1   |\n\n",
		"> A quotation, with an image ![chart](img/chart.png) in it.\n\n",
	}
	for i := 0; b.Len() < n; i++ {
		b.WriteString(blocks[i%len(blocks)])
	}
	return []byte(b.String())
}

func BenchmarkParseMarkdown(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"2KB", 2 << 10}, {"50KB", 50 << 10}} {
		data := markdownOfSize(size.n)
		b.Run(size.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := Parse(Source{Path: "a.md", Data: data}, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
