package library_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/library"
)

// summary describes a library in comparable form: every article's path,
// id, slug and title, every media path, every problem.
func summary(lib *library.Library) string {
	var lines []string
	for _, a := range lib.Articles {
		lines = append(lines, fmt.Sprintf("article %s id=%s slug=%s title=%s", a.Path, a.ID, a.Slug, a.Title))
	}
	for _, m := range lib.Media {
		lines = append(lines, "media "+m.Path)
	}
	for _, p := range lib.Problems {
		lines = append(lines, "problem "+p.Report())
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// TestScanChangedMatchesFullScan applies random operations to a tree and
// after each one compares a scanner told only the touched paths with a
// scanner that walks everything: they must publish the same library, and
// read and lose the same number of files. It runs trusting every read,
// and trusting none (every file was written within the racy window), so
// that a scan told of one path must still read again every file the last
// scan could not trust.
func TestScanChangedMatchesFullScan(t *testing.T) {
	for _, racy := range []time.Duration{-1, time.Hour} {
		for seed := range uint64(6) {
			t.Run(fmt.Sprint("racy=", racy, "/seed=", seed), func(t *testing.T) { scanChangedMatchesFullScan(t, seed, racy) })
		}
	}
}

func scanChangedMatchesFullScan(t *testing.T, seed uint64, racy time.Duration) {
	d := newDir(t, map[string]string{"a.txt": text("A"), "sub/b.txt": text("B"), "sub/deep/c.txt": text("C")})
	opts := library.Options{Dir: d.path, RacyWindow: racy}
	partial, full := library.NewScanner(opts), library.NewScanner(opts)
	scan(t, partial)
	scan(t, full)
	rng := rand.New(rand.NewPCG(seed, 2))
	dirs := []string{"", "sub", "sub/deep", "other", "other/x"}
	randomFile := func() string {
		return path.Join(dirs[rng.IntN(len(dirs))], fmt.Sprintf("f%d.txt", rng.IntN(12)))
	}
	ops := []struct {
		name string
		do   func() []string // returns the paths an event would name
	}{
		{"write", func() []string {
			p := randomFile()
			d.write(p, text(fmt.Sprintf("T%d", rng.IntN(1000))))
			return []string{p}
		}},
		{"write broken", func() []string {
			p := randomFile()
			d.write(p, "no title\n")
			return []string{p}
		}},
		{"media", func() []string {
			p := strings.TrimSuffix(randomFile(), ".txt") + ".png"
			d.write(p, "\x89PNG fake")
			return []string{p}
		}},
		{"delete", func() []string {
			p := randomFile()
			os.Remove(d.abs(p))
			return []string{p}
		}},
		{"rename file", func() []string {
			from, to := randomFile(), randomFile()
			if _, err := os.Stat(d.abs(from)); err != nil || from == to {
				return nil
			}
			d.rename(from, to)
			return []string{from, to}
		}},
		{"remove dir", func() []string {
			p := dirs[1+rng.IntN(len(dirs)-1)]
			os.RemoveAll(d.abs(p))
			return []string{p}
		}},
		{"rename dir", func() []string {
			from, to := dirs[1+rng.IntN(len(dirs)-1)], fmt.Sprintf("moved%d", rng.IntN(3))
			if _, err := os.Stat(d.abs(from)); err != nil {
				return nil
			}
			os.RemoveAll(d.abs(to))
			d.rename(from, to)
			return []string{from, to}
		}},
		{"hidden", func() []string {
			p := path.Join(".git", fmt.Sprintf("f%d.txt", rng.IntN(3)))
			d.write(p, text("hidden"))
			return []string{p}
		}},
	}
	for i := range 300 {
		op := ops[rng.IntN(len(ops))]
		touched := op.do()
		// Events name absolute paths.
		abs := make([]string, len(touched))
		for j, p := range touched {
			abs[j] = d.abs(p)
		}
		got, gotStats, err := partial.ScanChanged(abs)
		if err != nil {
			t.Fatalf("step %d (%s %v): ScanChanged: %v", i, op.name, touched, err)
		}
		want, wantStats := scan(t, full)
		if g, w := summary(got), summary(want); g != w {
			t.Fatalf("step %d (%s %v): ScanChanged published\n%s\nwant, as a full scan:\n%s", i, op.name, touched, g, w)
		}
		gotStats.Duration, wantStats.Duration = 0, 0
		if gotStats != wantStats {
			t.Fatalf("step %d (%s %v): ScanChanged %+v, a full scan %+v", i, op.name, touched, gotStats, wantStats)
		}
	}
}

// TestScanChangedStatsOnlyWhatChanged holds that a one-file change reads
// one file and lists the rest from memory.
func TestScanChangedStatsOnlyWhatChanged(t *testing.T) {
	d := newDir(t, map[string]string{"a.txt": text("A"), "b.txt": text("B"), "sub/c.txt": text("C")})
	s := d.scanner(nil)
	scan(t, s)
	d.write("b.txt", text("B, edited"))
	lib, stats, err := s.ScanChanged([]string{d.abs("b.txt")})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Files != 3 || stats.Read != 1 {
		t.Errorf("stats %+v, want 3 files, 1 read", stats)
	}
	if got := articles(lib); len(got) != 3 {
		t.Errorf("articles %v, want 3", got)
	}
}
