package library_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/library"
	"github.com/feedpub/feedpub/internal/publish"
	"github.com/feedpub/feedpub/internal/testcorpus"
)

// benchCorpus writes n generated articles under a temporary directory and
// returns the directory and the files that are published (not drafts).
func benchCorpus(b *testing.B, n int) (string, []testcorpus.File) {
	b.Helper()
	dir := filepath.Join(b.TempDir(), "articles")
	files := testcorpus.Generate(n, 1)
	if err := testcorpus.Write(dir, files); err != nil {
		b.Fatal(err)
	}
	var published []testcorpus.File
	for _, f := range files {
		if !bytes.Contains(f.Data, []byte("Draft: true")) {
			published = append(published, f)
		}
	}
	return dir, published
}

// editOne rewrites the i-th file with a line added, changing its size.
func editOne(b *testing.B, dir string, files []testcorpus.File, i int) {
	b.Helper()
	f := files[i%len(files)]
	data := fmt.Appendf(append([]byte(nil), f.Data...), "\nEdit %d.\n", i)
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(f.Name)), data, 0o644); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRebuildOneChange measures Publisher.Rebuild (rescan, render,
// swap) after one article of 10,000 changed, and reports the files read
// per rebuild, which must be 1. The scanner trusts every read (RacyWindow
// < 0) because the corpus was just written; a real one is older than the
// two-second racy window.
func BenchmarkRebuildOneChange(b *testing.B) {
	dir, files := benchCorpus(b, 10_000)
	cfg := config.Default()
	cfg.Articles.Dir = dir
	cfg.State.File = filepath.Join(filepath.Dir(dir), "state.json")
	p, err := publish.New(cfg, publish.Options{RacyWindow: -1})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := p.Rebuild(); err != nil {
		b.Fatal(err)
	}
	read, swapped, i := 0, 0, 0
	for b.Loop() {
		b.StopTimer()
		editOne(b, dir, files, i)
		b.StartTimer()
		res, err := p.Rebuild()
		if err != nil {
			b.Fatal(err)
		}
		read += res.Scan.Read
		if res.Swapped {
			swapped++
		}
		i++
	}
	b.ReportMetric(float64(read)/float64(i), "files-read/op")
	b.ReportMetric(float64(swapped)/float64(i), "swaps/op")
	if read != i {
		b.Errorf("%d files read in %d rebuilds after one edit each, want one each", read, i)
	}
}

// BenchmarkScan measures the scan alone at 10,000 articles: with nothing
// changed (the directory walk and stat calls), after one edit, and after
// one edit a file event names (ScanChanged, as serve scans).
func BenchmarkScan(b *testing.B) {
	dir, files := benchCorpus(b, 10_000)
	for _, tc := range []struct {
		name       string
		edit, told bool
	}{{"unchanged", false, false}, {"one-edit", true, false}, {"one-edit-told", true, true}} {
		b.Run(tc.name, func(b *testing.B) {
			s := library.NewScanner(library.Options{Dir: dir, RacyWindow: -1})
			if _, _, err := s.Scan(); err != nil {
				b.Fatal(err)
			}
			read, i := 0, 0
			for b.Loop() {
				if tc.edit {
					b.StopTimer()
					editOne(b, dir, files, i)
					b.StartTimer()
				}
				scan := s.Scan
				if tc.told {
					path := filepath.Join(dir, filepath.FromSlash(files[i%len(files)].Name))
					scan = func() (*library.Library, library.Stats, error) { return s.ScanChanged([]string{path}) }
				}
				_, stats, err := scan()
				if err != nil {
					b.Fatal(err)
				}
				read += stats.Read
				i++
			}
			b.ReportMetric(float64(read)/float64(i), "files-read/op")
		})
	}
}
