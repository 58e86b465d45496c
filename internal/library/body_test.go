package library

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// With BodiesOnDisk the library holds no body of an article without
// references, and gives the same HTML back from the file.
func TestBodiesOnDiskAreReadAgain(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("plain.txt", "Title: Plain\nDate: 2024-01-02\n\nFirst paragraph & more.\n\nSecond one.\n")
	write("linked.md", "---\ntitle: Linked\ndate: 2024-01-03\n---\n\nSee [plain](plain.txt).\n")

	kept, _, err := NewScanner(Options{Dir: dir}).Scan()
	if err != nil {
		t.Fatal(err)
	}
	lib, _, err := NewScanner(Options{Dir: dir, BodiesOnDisk: true}).Scan()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, a := range kept.Articles {
		want[a.Path] = a.ContentHTML
	}
	for _, a := range lib.Articles {
		if dropped := a.Path == "plain.txt"; a.BodyOnDisk != dropped || (a.ContentHTML == "") != dropped {
			t.Errorf("%s: BodyOnDisk %v with %d bytes of HTML held; want the body dropped only for the article without references", a.Path, a.BodyOnDisk, len(a.ContentHTML))
		}
		got, err := lib.Content(a)
		if err != nil || got != want[a.Path] {
			t.Errorf("%s: Content = %q, %v; want %q", a.Path, got, err, want[a.Path])
		}
	}

	plain := lib.Articles[len(lib.Articles)-1] // oldest
	write("plain.txt", "Title: Plain\nDate: 2024-01-02\n\nEdited since the scan.\n")
	if got, err := lib.Content(plain); err != nil || !strings.Contains(got, "Edited since the scan.") {
		t.Errorf("after an edit, Content = %q, %v; want the new body (the edit brings a rebuild)", got, err)
	}
	if err := os.Remove(filepath.Join(dir, "plain.txt")); err != nil {
		t.Fatal(err)
	}
	if _, err := lib.Content(plain); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "plain.txt") {
		t.Errorf("after a delete, Content error = %v; want one naming plain.txt that is fs.ErrNotExist", err)
	}
}
