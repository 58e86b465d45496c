package article

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestParseDispatch(t *testing.T) {
	tests := []struct {
		path string
		ok   bool
	}{
		{"a.txt", true},
		{"dir/A.TXT", true},
		{"a.Txt", true},
		{"a.pdf", false},
		{"a", false},
		{"a.txt.bak", false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			a, _, err := Parse(Source{Path: tt.path, Data: []byte("Title: T\nBody.")}, Options{})
			if tt.ok {
				if err != nil || a == nil || a.Path != tt.path {
					t.Errorf("Parse(%q) = %v, %v; want an article with its path", tt.path, a, err)
				}
				return
			}
			pe, isParseError := err.(*ParseError)
			if !isParseError || a != nil || pe.Severity != SeverityError || !strings.Contains(pe.Msg, "unsupported file type") {
				t.Errorf("Parse(%q) = %v, %v; want an unsupported file type *ParseError", tt.path, a, err)
			}
		})
	}
}

func TestParseErrorIsNilInterface(t *testing.T) {
	// A typed nil *ParseError in an error would make err != nil true.
	_, _, err := Parse(Source{Path: "a.txt", Data: []byte("Title: T")}, Options{})
	if err != nil {
		t.Errorf("Parse(valid) error = %#v, want untyped nil", err)
	}
}

func TestExtensions(t *testing.T) {
	exts := Extensions()
	if !slices.Contains(exts, ".txt") {
		t.Errorf("Extensions() = %q, want it to contain .txt", exts)
	}
	exts[0] = ".changed"
	if Extensions()[0] == ".changed" {
		t.Error("Extensions() returned the package's own slice")
	}
}

func TestIgnored(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"hello.txt", false},
		{"2024", false},
		{".", false},
		{"..", false},
		{"", false},
		{".hidden.txt", true},
		{".git", true},
		{"hello.txt~", true},
		{".hello.txt.swp", true},
		{"hello.txt.swp", true},
		{"hello.txt.swo", true},
		{"hello.txt.swx", true},
		{"hello.txt.tmp", true},
		{"hello.TMP", true},
		{"hello.txt.bak", true},
		{"hello.txt.orig", true},
		{"#hello.txt#", true},
		{"#", false},
		{"#notes.txt", false},
		{"4913", true},
		{"49130", false},
		{"hello.txt___jb_tmp___", true},
		{"tmp.txt", false},
		{"swp", false},
	}
	for _, tt := range tests {
		if got := Ignored(tt.name); got != tt.want {
			t.Errorf("Ignored(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestIsArticleFile(t *testing.T) {
	tests := []struct {
		path string
		want bool
	}{
		{"hello.txt", true},
		{"HELLO.TXT", true},
		{"2024/03/hello.txt", true},
		{"hello.html", false},
		{"hello", false},
		{"hello.txt~", false},
		{".hello.txt", false},
		{"#hello.txt#", false},
		{"hello.txt.swp", false},
		{"2024/.git/hello.txt", true}, // directories are the walker's to skip
		{"/home/me/.blog/articles/hello.txt", true},
		{"/home/me/articles/.hello.txt", false},
		{"notes.txt/readme", false},
		{"txt", false},
		{".txt", false},
	}
	for _, tt := range tests {
		if got := IsArticleFile(tt.path); got != tt.want {
			t.Errorf("IsArticleFile(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}

// Parsing keeps nothing of its source, so that a scanner can read the
// next file into the same buffer: an article parsed, then its source
// overwritten, is what it was.
func TestParseKeepsNothingOfItsSource(t *testing.T) {
	files := map[string]string{
		"a.txt": "Title: Plain\nTags: go, news\nSummary: Declared.\nAuthor: Ada\n\nA body of two paragraphs.\n\nThe second.\n",
		"b.txt": "\ufeffTitle: Repaired \xff text\nDate: 2024-01-02\n\nA control \x01 character.\n",
		"c.md":  "+++\ntitle = \"Markdown\"\ntags = [\"go\"]\n+++\n\nSome *emphasis* and [a link](https://example.com/).\n",
	}
	parsers := map[string]func(Source, Options) (*Article, []*ParseError, error){
		"Parse": Parse, "ParseDroppingBody": ParseDroppingBody, "ParseHeader": ParseHeader,
	}
	for name, text := range files {
		for pname, parse := range parsers {
			data := []byte(text)
			a, warnings, err := parse(Source{Path: name, Data: data}, Options{})
			if err != nil {
				t.Fatalf("%s, %s: %v", name, pname, err)
			}
			before := fmt.Sprintf("%#v %#v", *a, warnings)
			for i := range data {
				data[i] = 'x'
			}
			if after := fmt.Sprintf("%#v %#v", *a, warnings); after != before {
				t.Errorf("%s, %s: the article changed with its source:\n%s\n%s", name, pname, before, after)
			}
		}
	}
}
