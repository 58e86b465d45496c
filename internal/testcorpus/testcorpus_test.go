package testcorpus

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/article"
)

func TestGenerateParses(t *testing.T) {
	files := Generate(500, 42)
	if len(files) != 500 {
		t.Fatalf("Generate(500, 42) returned %d files", len(files))
	}
	var stats struct {
		bytes, dated, declared, nested, topLevel, bios, tags, special, foreign int
	}
	names := make(map[string]bool)
	for _, f := range files {
		if names[f.Name] || !article.IsArticleFile(f.Name) {
			t.Errorf("Generate(500, 42) name %q is a duplicate or not an article file", f.Name)
		}
		names[f.Name] = true
		a, warnings, err := article.Parse(article.Source{Path: f.Name, Data: f.Data, ModTime: time.Unix(0, 0)}, article.Options{})
		if err != nil || len(warnings) > 0 {
			t.Errorf("Parse(%q) = %v, %v; want no error or warning\n%s", f.Name, warnings, err, f.Data)
			continue
		}
		if a.WordCount < 140 || a.WordCount > 1000 {
			t.Errorf("Parse(%q).WordCount = %d, want about 150–900", f.Name, a.WordCount)
		}
		stats.bytes += len(f.Data)
		stats.dated += count(a.DateDeclared)
		stats.declared += count(a.DeclaredWordCount >= 0)
		stats.nested += count(strings.Contains(f.Name, "/"))
		stats.topLevel += count(!strings.Contains(f.Name, "/"))
		stats.bios += count(a.Bio != "")
		stats.tags += count(len(a.Tags) > 0)
		stats.special += count(strings.Contains(a.ContentHTML, "&amp;") && strings.Contains(a.ContentHTML, "&lt;"))
		stats.foreign += count(strings.ContainsFunc(a.ContentHTML, func(r rune) bool { return r >= 0x0600 }))
	}
	if avg := stats.bytes / len(files); avg < 2000 || avg > 4000 {
		t.Errorf("average file size = %d bytes, want about 2800", avg)
	}
	for name, n := range map[string]int{
		"dated": stats.dated, "with Word Count": stats.declared, "in a subdirectory": stats.nested,
		"at the top level": stats.topLevel, "with a bio": stats.bios, "with tags": stats.tags,
		"with escaped characters": stats.special, "with other scripts": stats.foreign,
	} {
		if n < 50 {
			t.Errorf("%d of %d files are %s, want at least 50", n, len(files), name)
		}
	}
}

func count(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestGenerateDeterministic(t *testing.T) {
	a, b := Generate(100, 7), Generate(100, 7)
	if !slices.EqualFunc(a, b, equalFiles) {
		t.Error("Generate(100, 7) differs between two calls")
	}
	if !slices.EqualFunc(a[:10], Generate(10, 7), equalFiles) {
		t.Error("Generate(10, 7) is not a prefix of Generate(100, 7)")
	}
	if slices.EqualFunc(a, Generate(100, 8), equalFiles) {
		t.Error("Generate(100, 8) equals Generate(100, 7), want the seed to matter")
	}
}

func equalFiles(a, b File) bool {
	return a.Name == b.Name && bytes.Equal(a.Data, b.Data)
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	files := Generate(40, 1)
	if err := Write(dir, files); err != nil {
		t.Fatalf("Write: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Name)))
		if err != nil || !bytes.Equal(data, f.Data) {
			t.Errorf("reading back %s: err %v, equal %v", f.Name, err, bytes.Equal(data, f.Data))
		}
	}
}

func TestWriteRejectsEscapingNames(t *testing.T) {
	for _, name := range []string{"../x.txt", "/abs.txt", "a/../../x.txt", ""} {
		if err := Write(t.TempDir(), []File{{Name: name, Data: []byte("x")}}); err == nil {
			t.Errorf("Write(%q) = nil, want an error", name)
		}
	}
}
