package main

import (
	"encoding/json"
	"fmt"
	"html"
	"io/fs"
	"log"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/scripts/internal/bench"
)

// hugoContentVersion names the cached conversion; change it when the
// conversion changes, so an older cache is not reused.
const hugoContentVersion = 1

// hugoContent returns a directory holding the articles of the corpus in
// dir as Hugo content, converting them first unless an earlier run did
// since the corpus was generated. It sits beside the corpus: converting
// 100,000 articles takes longer than a Hugo build of them.
func hugoContent(dir string) string {
	content := fmt.Sprintf("%s.hugo%d", dir, hugoContentVersion)
	corpusDone, err := os.Stat(dir + ".done")
	bench.Check(err)
	if done, err := os.Stat(content + ".done"); err == nil && !done.ModTime().Before(corpusDone.ModTime()) {
		return content
	}
	bench.Check(os.RemoveAll(content))
	log.Printf("converting %s for Hugo into %s", dir, content)
	bench.Check(convertForHugo(dir, filepath.Join(content, "posts")))
	bench.Check(os.WriteFile(content+".done", nil, 0o644))
	return content
}

// convertForHugo writes every article under dir that feedpub would read as
// a Markdown file under posts, at the same relative path with the
// extension ".md". Articles are read with feedpub's own parser, so every
// format and header feedpub accepts converts the way feedpub reads it;
// files feedpub rejects are left out, as feedpub leaves them out.
func convertForHugo(dir, posts string) error {
	rejected := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && article.Ignored(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if !article.IsArticleFile(p) {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		a, _, err := article.Parse(article.Source{Path: filepath.ToSlash(rel), Data: data, ModTime: info.ModTime()}, article.Options{})
		if err != nil {
			rejected++
			return nil
		}
		out := filepath.Join(posts, strings.TrimSuffix(rel, filepath.Ext(rel))+".md")
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		return os.WriteFile(out, hugoPost(a), 0o644)
	})
	if rejected > 0 {
		log.Printf("%d articles under %s do not parse; Hugo gets the others", rejected, dir)
	}
	return err
}

// hugoPost is a as a Hugo content file: JSON front matter (which Hugo
// recognises by its opening brace, and which encoding/json quotes
// correctly whatever the title holds), then the body as Markdown.
func hugoPost(a *article.Article) []byte {
	date := a.Published
	if date.IsZero() {
		// Undated: feedpub dates it when it first sees the file, which
		// for a fresh start is about its modification time.
		date = a.ModTime
	}
	fm, err := json.MarshalIndent(struct {
		Title string   `json:"title"`
		Date  string   `json:"date"`
		Tags  []string `json:"tags,omitempty"`
		Draft bool     `json:"draft,omitempty"`
	}{a.Title, date.Format(time.RFC3339), a.Tags, a.Draft}, "", "  ")
	bench.Check(err)
	var b strings.Builder
	b.Write(fm)
	b.WriteString("\n\n")
	b.WriteString(markdownBody(a))
	b.WriteString("\n")
	return []byte(b.String())
}

// markdownBody returns the body of a as its author would write it for
// Hugo. A .txt article's body is plain-text paragraphs, which feedpub
// renders as one <p> element a line; they become Markdown paragraphs,
// escaped to read as the same text, and the bio, which feedpub shows
// apart, becomes the quoted last paragraph it was in the file. Any other
// body (Markdown rendered by feedpub) is given as its HTML, which
// Markdown passes through (the site's config lets Hugo keep raw HTML).
func markdownBody(a *article.Article) string {
	if path.Ext(a.Path) != ".txt" {
		return a.ContentHTML
	}
	var paras []string
	for _, line := range strings.Split(a.ContentHTML, "\n") {
		if !strings.HasPrefix(line, "<p>") || !strings.HasSuffix(line, "</p>") {
			return a.ContentHTML
		}
		inner := line[len("<p>") : len(line)-len("</p>")]
		paras = append(paras, escapeMarkdown(html.UnescapeString(inner)))
	}
	if a.Bio != "" {
		paras = append(paras, escapeMarkdown("“"+a.Bio+"”"))
	}
	return strings.Join(paras, "\n\n")
}

// escapeMarkdown escapes the characters of the one-line paragraph s that
// Markdown would read as markup: inline markup, HTML and character
// references anywhere, and what would open a heading, list, quote or
// thematic break at the start.
func escapeMarkdown(s string) string {
	var b strings.Builder
	lead := true // in the run of digits a list number would have
	for i, r := range s {
		switch {
		case strings.ContainsRune("\\`*_[]<>&~", r):
			b.WriteByte('\\')
		case i == 0 && strings.ContainsRune("#+-=", r):
			b.WriteByte('\\')
		case lead && i > 0 && (r == '.' || r == ')'):
			b.WriteByte('\\')
		}
		lead = lead && r >= '0' && r <= '9'
		b.WriteRune(r)
	}
	return b.String()
}

// hugoSite is a Hugo site whose content is a converted corpus: a config
// and the few layouts that make Hugo write what a blog theme would, a
// page per post, the home page, the section and tag pages (50 posts a
// page, like feedpub's archive) and the RSS feeds, 20 items each like
// feedpub's. It uses no theme, so nothing but Hugo itself is measured.
type hugoSite struct {
	bin, dir, public string
}

// hugoConfig is the site's config.toml, for the content directory
// given as its one argument.
const hugoConfig = `baseURL = "http://127.0.0.1:8080/"
title = "coldstart"
contentDir = %q

# feedpub's feeds hold the 20 newest articles by default.
[services.rss]
limit = 20

# The bodies of articles that are not .txt come as the HTML feedpub
# renders of them.
[markup.goldmark.renderer]
unsafe = true
`

// hugoLayouts are the site's templates, by path under layouts/.
var hugoLayouts = map[string]string{
	"_default/baseof.html": `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ .Title }} · {{ site.Title }}</title>
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" href="{{ .RelPermalink }}">{{ end }}</head>
<body>{{ block "main" . }}{{ end }}</body>
</html>
`,
	"_default/single.html": `{{ define "main" }}<article>
<h1>{{ .Title }}</h1>
<time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 January 2006" }}</time>
<ul>{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
{{ .Content }}
</article>{{ end }}
`,
	"_default/list.html": `{{ define "main" }}<h1>{{ .Title }}</h1>
{{ $pager := .Paginate .Pages 50 }}
<ul>{{ range $pager.Pages }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> <time>{{ .Date.Format "2006-01-02" }}</time></li>{{ end }}</ul>
{{ with $pager.Next }}<a href="{{ .URL }}">Older</a>{{ end }}{{ end }}
`,
	"index.html": `{{ define "main" }}<h1>{{ site.Title }}</h1>
<ul>{{ range first 20 site.RegularPages }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> <p>{{ .Summary }}</p></li>{{ end }}</ul>
<a href="{{ "posts/" | relURL }}">All posts</a>{{ end }}
`,
}

// newHugoSite writes a Hugo site under dir for the content directory
// content, to be built by the hugo at bin into dir/public.
func newHugoSite(bin, dir, content string) hugoSite {
	bench.Check(os.MkdirAll(dir, 0o755))
	bench.Check(os.WriteFile(filepath.Join(dir, "config.toml"), []byte(fmt.Sprintf(hugoConfig, content)), 0o644))
	for name, text := range hugoLayouts {
		p := filepath.Join(dir, "layouts", filepath.FromSlash(name))
		bench.Check(os.MkdirAll(filepath.Dir(p), 0o755))
		bench.Check(os.WriteFile(p, []byte(text), 0o644))
	}
	return hugoSite{bin: bin, dir: dir, public: filepath.Join(dir, "public")}
}
