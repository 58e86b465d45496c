package publish_test

import (
	"fmt"
	"html"
	"strings"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/internal/library"
	"github.com/feedpub/feedpub/internal/publish"
	"github.com/feedpub/feedpub/internal/testcorpus"
)

// BenchmarkColdLoadMixed is BenchmarkColdLoad over a corpus of which
// every other article is Markdown with TOML front matter: the same
// articles, converted.
func BenchmarkColdLoadMixed(b *testing.B) {
	const n = 10_000
	dir := b.TempDir()
	files := testcorpus.Generate(n, 1)
	for i := 1; i < len(files); i += 2 {
		files[i] = toMarkdown(b, files[i])
	}
	if err := testcorpus.Write(dir, files); err != nil {
		b.Fatal(err)
	}
	cfg := benchConfig(dir)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		p, err := publish.New(cfg, publish.Options{})
		if err != nil {
			b.Fatal(err)
		}
		res, err := p.Rebuild()
		if err != nil {
			b.Fatal(err)
		}
		if res.Errors != 0 || res.Articles < n*9/10 {
			b.Fatalf("Rebuild = %+v, want about %d articles and no errors", res, n)
		}
		b.StopTimer()
		p.Wait() // compression and the state save, outside the time, and before the directory goes
		b.StartTimer()
	}
}

// BenchmarkScanMixed measures the part of a cold load that reading and
// parsing take (what feedpub check does), for the generated corpus as it
// is and with every other article converted to Markdown.
func BenchmarkScanMixed(b *testing.B) {
	const n = 10_000
	for _, mixed := range []bool{false, true} {
		b.Run(fmt.Sprintf("markdown=%v", mixed), func(b *testing.B) {
			dir := b.TempDir()
			files := testcorpus.Generate(n, 1)
			for i := 1; mixed && i < len(files); i += 2 {
				files[i] = toMarkdown(b, files[i])
			}
			if err := testcorpus.Write(dir, files); err != nil {
				b.Fatal(err)
			}
			opts := publish.LibraryOptions(benchConfig(dir))
			for b.Loop() {
				lib, _, err := library.NewScanner(opts).Scan()
				if err != nil || len(lib.Articles) != n {
					b.Fatalf("Scan = %v articles, %v; want %d", len(lib.Articles), err, n)
				}
			}
		})
	}
}

// toMarkdown rewrites a generated .txt article as a .md file holding the
// same article: its headers as front matter, its paragraphs and bio as
// Markdown paragraphs (escaped, since the text is plain).
func toMarkdown(b *testing.B, f testcorpus.File) testcorpus.File {
	a, _, err := article.Parse(article.Source{Path: f.Name, Data: f.Data}, article.Options{})
	if err != nil {
		b.Fatalf("%s: %v", f.Name, err)
	}
	var s strings.Builder
	fmt.Fprintf(&s, "+++\ntitle = %q\n", a.Title)
	if a.DateDeclared {
		fmt.Fprintf(&s, "date = %s\n", a.Published.Format(time.RFC3339))
	}
	if len(a.Tags) > 0 {
		fmt.Fprintf(&s, "tags = [%q", a.Tags[0])
		for _, tag := range a.Tags[1:] {
			fmt.Fprintf(&s, ", %q", tag)
		}
		s.WriteString("]\n")
	}
	if a.Author != "" {
		fmt.Fprintf(&s, "author = %q\n", a.Author)
	}
	s.WriteString("+++\n")
	var paras []string
	for line := range strings.SplitSeq(a.ContentHTML, "\n") {
		paras = append(paras, html.UnescapeString(strings.TrimSuffix(strings.TrimPrefix(line, "<p>"), "</p>")))
	}
	if a.Bio != "" {
		paras = append(paras, "“"+a.Bio+"”")
	}
	for _, p := range paras {
		s.WriteString("\n" + markdownEscaper.Replace(p) + "\n")
	}
	return testcorpus.File{Name: strings.TrimSuffix(f.Name, ".txt") + ".md", Data: []byte(s.String())}
}

// markdownEscaper escapes the characters that could start Markdown
// markup in plain text.
var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`,
	"<", `\<`, "#", `\#`, "&", `\&`, "|", `\|`, "~", `\~`,
)
