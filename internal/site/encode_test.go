package site_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/library"
	"github.com/feedpub/feedpub/internal/site"
	"github.com/feedpub/feedpub/internal/testcorpus"
)

// corpusSite is a generated articles directory with a scanner and a
// builder over it, for tests and benchmarks of rebuilds.
type corpusSite struct {
	dir     string
	files   []testcorpus.File
	scanner *library.Scanner
	builder *site.Builder
}

func newCorpusSite(tb testing.TB, n int) *corpusSite {
	tb.Helper()
	dir := tb.TempDir()
	files := testcorpus.Generate(n, 7)
	if err := testcorpus.Write(dir, files); err != nil {
		tb.Fatal(err)
	}
	cfg := config.Default()
	cfg.Articles.Dir = dir
	b, err := site.NewBuilder(cfg, nil)
	if err != nil {
		tb.Fatal(err)
	}
	// A negative racy window trusts every read, so unchanged files are
	// reused however recently they were written.
	sc := library.NewScanner(library.Options{Dir: dir, RacyWindow: -1})
	return &corpusSite{dir: dir, files: files, scanner: sc, builder: b}
}

// scan rescans the directory.
func (c *corpusSite) scan(tb testing.TB) *library.Library {
	tb.Helper()
	lib, _, err := c.scanner.Scan()
	if err != nil {
		tb.Fatal(err)
	}
	return lib
}

// build builds a snapshot of lib.
func (c *corpusSite) build(tb testing.TB, lib *library.Library) (*site.Snapshot, site.BuildStats) {
	tb.Helper()
	snap, stats, err := c.builder.Build(lib, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		tb.Fatal(err)
	}
	snap.Compress()
	return snap, stats
}

// edit rewrites the i-th article with a changed last line.
func (c *corpusSite) edit(tb testing.TB, i int, text string) {
	tb.Helper()
	path := filepath.Join(c.dir, filepath.FromSlash(c.files[i].Name))
	data := append(bytes.Clone(c.files[i].Data), "\n"+text+"\n"...)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	// A later modification time, so the scanner sees the change even
	// within the file system's time resolution.
	later := time.Now().Add(time.Duration(i+1) * time.Hour)
	if err := os.Chtimes(path, later, later); err != nil {
		tb.Fatal(err)
	}
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGzipVariantsRoundTrip(t *testing.T) {
	c := newCorpusSite(t, 30)
	snap, _ := c.build(t, c.scan(t))
	docs := []*site.Document{snap.NotFound}
	for _, p := range snap.Paths() {
		docs = append(docs, snap.Lookup(p))
	}
	for _, d := range docs {
		if d.Gzip() == nil {
			if len(d.Body) >= 1024 {
				t.Errorf("%q (%d bytes) has no gzip variant", d.Path, len(d.Body))
			}
			continue
		}
		if got := gunzip(t, d.Gzip().Body); !bytes.Equal(got, d.Body) {
			t.Errorf("%q: gzip variant decompresses to other bytes than the body", d.Path)
		}
		if len(d.Gzip().Body) >= len(d.Body) {
			t.Errorf("%q: gzip variant of %d bytes is not smaller than the body (%d)", d.Path, len(d.Gzip().Body), len(d.Body))
		}
		if want := strings.TrimSuffix(d.ETag, `"`) + `-gz"`; d.Gzip().ETag() != want {
			t.Errorf("%q: gzip ETag = %s, want %s", d.Path, d.Gzip().ETag(), want)
		}
	}
}

func TestGzipIsDeterministic(t *testing.T) {
	a, b := newCorpusSite(t, 5), newCorpusSite(t, 5)
	sa, _ := a.build(t, a.scan(t))
	sb, _ := b.build(t, b.scan(t))
	for _, p := range sa.Paths() {
		da, db := sa.Lookup(p), sb.Lookup(p)
		if (da.Gzip() == nil) != (db.Gzip() == nil) || da.Gzip() != nil && !bytes.Equal(da.Gzip().Body, db.Gzip().Body) {
			t.Errorf("%q: gzip bytes differ between two builds of the same articles", p)
		}
	}
}

// TestRebuildCompressesOnlyWhatChanged holds that a rebuild reuses the
// compressed bytes of every document whose body did not change.
func TestRebuildCompressesOnlyWhatChanged(t *testing.T) {
	c := newCorpusSite(t, 40)
	first, _ := c.build(t, c.scan(t))
	c.edit(t, 3, "An added closing line.")
	second, stats := c.build(t, c.scan(t))
	if stats.Rendered == second.Len()+1 {
		t.Fatalf("rebuild rendered all %d documents; want article pages reused", stats.Rendered)
	}
	changed := 0
	for _, p := range second.Paths() {
		d, old := second.Lookup(p), first.Lookup(p)
		if old == nil || old.Gzip() == nil || d.Gzip() == nil {
			continue
		}
		same := d.ETag == old.ETag
		if reused := d.Gzip() == old.Gzip(); reused != same {
			t.Errorf("%q: body unchanged = %t but gzip variant reused = %t", p, same, reused)
		}
		if !same {
			changed++
		}
	}
	if changed == 0 {
		t.Error("no document changed after editing an article")
	}
	if second.NotFound.Gzip() != first.NotFound.Gzip() {
		t.Error("the unchanged 404 page was compressed again")
	}
}

// BenchmarkRebuildOneArticleChanged measures a rebuild of a 1,000-article
// site after one article changed: the feeds, the index and one page are
// rendered and compressed, every other page is reused.
func BenchmarkRebuildOneArticleChanged(b *testing.B) {
	c := newCorpusSite(b, 1000)
	c.build(b, c.scan(b))
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		c.edit(b, i%len(c.files), "Edit "+strings.Repeat("x", i%7))
		lib := c.scan(b)
		b.StartTimer()
		c.build(b, lib)
	}
}

// CompressBehind, which leaves a core to the server, makes the same
// variants as Compress.
func TestCompressBehindMakesTheSameVariants(t *testing.T) {
	c := newCorpusSite(t, 30)
	lib := c.scan(t)
	want, _ := c.build(t, lib) // compressed on every core
	cfg := config.Default()
	cfg.Articles.Dir = c.dir
	fresh, err := site.NewBuilder(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := fresh.Build(lib, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	got.CompressBehind()
	for _, p := range want.Paths() {
		w, g := want.Lookup(p).Gzip(), got.Lookup(p).Gzip()
		if (w == nil) != (g == nil) || (w != nil && !bytes.Equal(w.Body, g.Body)) {
			t.Errorf("%s: the variant CompressBehind made differs from Compress's", p)
		}
	}
}
