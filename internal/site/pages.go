package site

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"time"

	"github.com/feedpub/feedpub/internal/article"
)

//go:embed templates
var templateFS embed.FS

// parseTemplates parses every page template with the shared layout. Each
// page is its own template set, since they all define "head" and "foot".
func parseTemplates() (map[string]*template.Template, error) {
	sets := map[string]*template.Template{}
	for _, name := range []string{"index.html", "article.html", "notfound.html"} {
		t, err := template.ParseFS(templateFS, "templates/layout.html", "templates/"+name)
		if err != nil {
			return nil, fmt.Errorf("parsing template %s: %w", name, err)
		}
		sets[name] = t.Lookup(name)
	}
	return sets, nil
}

// siteView is what every page shows of the site.
type siteView struct {
	Title, Description string
	HomeURL, StyleURL  string
	RSSURL, AtomURL    string
	JSONURL            string
}

// articleView is an article as the templates see it.
type articleView struct {
	Title, URL, Summary          string
	PublishedISO, PublishedHuman string
	Author, Bio, Lang            string
	Tags                         []string
	Content                      template.HTML
}

// pageData is the data of every page template.
type pageData struct {
	Site     siteView
	Lang     string
	Title    string
	Article  articleView   // article page
	Articles []articleView // index
}

func (b *Builder) viewOf(a *article.Article) articleView {
	return articleView{
		Title:          a.Title,
		URL:            b.urls.absolute(articlePath(a.Slug)),
		Summary:        a.Summary,
		PublishedISO:   a.Published.UTC().Format(time.RFC3339),
		PublishedHuman: a.Published.UTC().Format("2 January 2006"),
		Author:         a.Author,
		Bio:            a.Bio,
		Lang:           a.Lang,
		Tags:           a.Tags,
		// ContentHTML is produced by the article parsers, which escape
		// plain text and render (and sanitise) markup.
		Content: template.HTML(a.ContentHTML),
	}
}

func (b *Builder) renderPage(name string, data pageData) ([]byte, error) {
	data.Site = b.site
	data.Lang = b.cfg.Site.Language
	if data.Title == "" {
		data.Title = b.cfg.Site.Title
	}
	var buf bytes.Buffer
	if err := b.templates[name].Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("rendering %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

func (b *Builder) renderArticle(a *article.Article) ([]byte, error) {
	return b.renderPage("article.html", pageData{
		Title:   a.Title + " · " + b.cfg.Site.Title,
		Article: b.viewOf(a),
	})
}

func (b *Builder) renderIndex(as []*article.Article) ([]byte, error) {
	views := make([]articleView, len(as))
	for i, a := range as {
		views[i] = b.viewOf(a)
	}
	return b.renderPage("index.html", pageData{Articles: views})
}
