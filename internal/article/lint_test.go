package article

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestLint(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	words := func(n int) string { return strings.TrimSpace(strings.Repeat("word ", n)) }
	tests := []struct {
		name, path, text string
		want             []string // "line: message fragment"
	}{
		{"clean txt", "a.txt", "Title: T\nDate: 2024-01-01\n\n" + words(10), nil},
		{"clean md", "a.md", "+++\ntitle = \"T\"\ndate = 2024-01-01\n+++\n" + words(10), nil},
		{"date from file name", "2024-01-01-a.txt", "Title: T\n" + words(3), nil},
		{"no date", "a.txt", "Title: T\n" + words(3), []string{"0: no date"}},
		{"no date md", "a.md", "# T\n" + words(3), []string{"0: no date"}},
		{"future date", "a.txt", "Title: T\nDate: 2030-01-01\n" + words(3), []string{"2: date 2030-01-01T00:00:00Z is in the future"}},
		{"future draft", "a.txt", "Title: T\nDate: 2030-01-01\nDraft: true\n" + words(3), nil},
		{"word count within 10%", "a.txt", "Title: T\nDate: 2024-01-01\nWord Count: 11\n" + words(10), nil},
		{"word count off", "a.txt", "Title: T\nDate: 2024-01-01\nWord Count: 12\n" + words(10), []string{"3: Word Count says 12 but the body has 10 words"}},
		{"word count off md", "a.md", "+++\ntitle = \"T\"\ndate = 2024-01-01\nword_count = 5\n+++\n" + words(10), []string{"4: Word Count says 5"}},
		{"empty body", "a.txt", "Title: T\nDate: 2024-01-01\n", []string{"0: no body text"}},
		{"empty body md", "a.md", "+++\ntitle = \"T\"\ndate = 2024-01-01\n+++\n", []string{"0: no body text"}},
		{"long title", "a.txt", "Title: " + strings.Repeat("é", 201) + "\nDate: 2024-01-01\n" + words(3), []string{"1: title is 201 characters long"}},
		{"title at the limit", "a.txt", "Title: " + strings.Repeat("é", 200) + "\nDate: 2024-01-01\n" + words(3), nil},
		{"long heading title", "a.md", "+++\ndate = 2024-01-01\n+++\n# " + strings.Repeat("x", 201) + "\n" + words(3), []string{"4: title is 201"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _, err := Parse(Source{Path: tt.path, Data: []byte(tt.text)}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := Lint(a, now)
			if len(got) != len(tt.want) {
				t.Fatalf("Lint(%q) = %v, want %d problems %q", tt.text, got, len(tt.want), tt.want)
			}
			for i, p := range got {
				line, msg, _ := strings.Cut(tt.want[i], ": ")
				if fmt.Sprint(p.Line) != line || !strings.HasPrefix(p.Msg, msg) || p.Severity != SeverityWarning || p.Path != tt.path {
					t.Errorf("Lint(%q)[%d] = %v (line %d), want a warning on line %s starting %q", tt.text, i, p, p.Line, line, msg)
				}
			}
		})
	}
}

func TestCheckSeverity(t *testing.T) {
	tests := []struct {
		p    *ParseError
		want Severity
	}{
		{&ParseError{Severity: SeverityWarning, Msg: "x"}, SeverityWarning},
		{&ParseError{Severity: SeverityError, Msg: "x"}, SeverityError},
		{&ParseError{Severity: SeverityWarning, Msg: "x", Err: ErrInvalidUTF8}, SeverityError},
	}
	for _, tt := range tests {
		if got := CheckSeverity(tt.p); got != tt.want {
			t.Errorf("CheckSeverity(%+v) = %v, want %v", tt.p, got, tt.want)
		}
	}
}
