package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/internal/config"
)

func TestSlugify(t *testing.T) {
	tests := []struct{ title, want string }{
		{"Hello, World!", "hello-world"},
		{"  Spaces   and\ttabs ", "spaces-and-tabs"},
		{"Crème brûlée — 2024 édition", "crème-brûlée-2024-édition"},
		{"Привет, мир", "привет-мир"},
		{"日本語のタイトル", "日本語のタイトル"},
		{"नमस्ते दुनिया", "नमस्ते-दुनिया"},
		{"C++ & Go: a/b?c#d", "c-go-a-b-c-d"},
		{"🎉🎉", ""},
		{"---", ""},
		{strings.Repeat("word ", 40), strings.TrimSuffix(strings.Repeat("word-", 20), "-")},
	}
	for _, tt := range tests {
		if got := slugify(tt.title); got != tt.want {
			t.Errorf("slugify(%q) = %q, want %q", tt.title, got, tt.want)
		}
	}
}

// TestNewRoundTrips writes new articles in both formats and parses them
// back: the title, tags, draft status and date survive, and the file is
// named after the date and the title.
func TestNewRoundTrips(t *testing.T) {
	tests := []struct {
		name, title, format string
		tags                []string
		slug                string
	}{
		{"txt", `Quotes "and" back\slashes`, "txt", []string{"go", "feeds"}, "quotes-and-back-slashes"},
		{"md", `Quotes "and" back\slashes`, "md", []string{"go", "Feeds, too"}, "quotes-and-back-slashes"},
		{"md unicode", "Über die Brücke — 橋", "md", nil, "über-die-brücke-橋"},
		{"txt no tags", "Plain", "txt", nil, "plain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfgPath := project(t, nil)
			if err := os.WriteFile(cfgPath, []byte("[site]\ntime_zone = \"Asia/Tokyo\"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, err := config.Load(cfgPath)
			if err != nil {
				t.Fatal(err)
			}
			args := []string{"new", tt.title, "--config", cfgPath, "--format", tt.format}
			if tt.tags != nil {
				args = append(args, "--tags", strings.Join(tt.tags, ","))
			}
			before := time.Now().Truncate(time.Minute)
			out, _, err := runCLI(t, args...)
			after := time.Now()
			if err != nil {
				t.Fatalf("new: %v", err)
			}
			path := strings.TrimSpace(out)
			name := filepath.Base(path)
			if filepath.Dir(path) != cfg.Articles.Dir || !strings.HasSuffix(name, "-"+tt.slug+"."+tt.format) {
				t.Fatalf("new printed %q, want a file in %s named DATE-%s.%s", path, cfg.Articles.Dir, tt.slug, tt.format)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			a, warnings, err := article.Parse(article.Source{Path: name, Data: data}, article.Options{Location: cfg.Site.Location})
			if err != nil || len(warnings) > 0 {
				t.Fatalf("Parse(new file) = %v, %v:\n%s", warnings, err, data)
			}
			wantTags := tt.tags
			if tt.tags != nil && tt.format == "md" {
				wantTags = []string{"go", "Feeds", "too"} // --tags splits at commas
			}
			if a.Title != tt.title || !slices.Equal(a.Tags, wantTags) || !a.Draft || !a.DateDeclared {
				t.Errorf("Parse(new file) = title %q tags %q draft %v; want %q %q, a draft with a date", a.Title, a.Tags, a.Draft, tt.title, wantTags)
			}
			if a.Published.Before(before) || a.Published.After(after) {
				t.Errorf("Published = %v, want the time of the command (%v to %v)", a.Published, before, after)
			}
			if day := a.Published.In(cfg.Site.Location).Format("2006-01-02"); !strings.HasPrefix(name, day+"-") {
				t.Errorf("file %s is not named after its date %s in the site's time zone", name, day)
			}
		})
	}
}

func TestNewRefusesToOverwrite(t *testing.T) {
	cfg := project(t, nil)
	out, _, err := runCLI(t, "new", "Same title", "--config", cfg)
	if err != nil {
		t.Fatal(err)
	}
	path := strings.TrimSpace(out)
	if err := os.WriteFile(path, []byte("Title: Edited\n\nThe writer's text.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCLI(t, "new", "Same title", "--config", cfg); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second new = %v, want an error saying the file exists", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "Title: Edited\n\nThe writer's text.\n" {
		t.Errorf("the existing article was changed to %q", data)
	}
}

func TestNewUsageErrors(t *testing.T) {
	cfg := project(t, nil)
	for _, args := range [][]string{
		{"new"},
		{"new", "a", "b"},
		{"new", "Title", "--format", "html"},
		{"new", "   "},
		{"new", "Two\nlines"},
		{"new", "🎉"},
		{"new", "Title", "--tags", "ok,bad\ttag"},
	} {
		_, _, err := runCLI(t, append(args, "--config", cfg)...)
		exit, ok := err.(exitError)
		if !ok || exit.code != 2 {
			t.Errorf("feedpub %q = %v, want a usage error (status 2)", args, err)
		}
	}
	if entries, _ := os.ReadDir(filepath.Join(filepath.Dir(cfg), "articles")); len(entries) > 0 {
		t.Errorf("usage errors wrote %d files", len(entries))
	}
}
