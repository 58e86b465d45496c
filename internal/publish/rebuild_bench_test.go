package publish_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/publish"
	"github.com/feedpub/feedpub/internal/testcorpus"
)

// tagsLine matches a Tags header the corpus may have written.
var tagsLine = regexp.MustCompile(`(?m)^Tags: .*\r?\n`)

// writeTaggedCorpus writes n generated articles whose tags are spread
// over the given number of tags, two per article, and returns their
// paths in generation order.
func writeTaggedCorpus(b *testing.B, dir string, n, tags int) []string {
	b.Helper()
	files := testcorpus.Generate(n, 1)
	paths := make([]string, len(files))
	for i := range files {
		data := tagsLine.ReplaceAll(files[i].Data, nil)
		title, rest, _ := cutLine(data)
		header := fmt.Sprintf("Tags: topic-%d, topic-%d\n", i%tags, (i*7+3)%tags)
		files[i].Data = append(append(title, header...), rest...)
		paths[i] = filepath.Join(dir, filepath.FromSlash(files[i].Name))
	}
	if err := testcorpus.Write(dir, files); err != nil {
		b.Fatal(err)
	}
	return paths
}

// cutLine splits data after its first line.
func cutLine(data []byte) (line, rest []byte, ok bool) {
	for i, c := range data {
		if c == '\n' {
			return append([]byte(nil), data[:i+1]...), data[i+1:], true
		}
	}
	return data, nil, false
}

// BenchmarkRebuildOneChange measures a rebuild after one article file
// changed, at 10,000 articles and 200 tags: a rescan, the build, and the
// swap. The rescan is full (a stat of every file, as after a poll) or,
// as the watcher does, only of the path its file event named ("events").
// It reports the documents rendered per rebuild; the rest are reused.
func BenchmarkRebuildOneChange(b *testing.B) {
	for _, name := range []string{"old/full", "newest/full", "old/events", "newest/events"} {
		which, scan, _ := strings.Cut(name, "/")
		b.Run(name, func(b *testing.B) {
			dir := b.TempDir()
			paths := writeTaggedCorpus(b, filepath.Join(dir, "articles"), 10000, 200)
			cfg := config.Default()
			cfg.Articles.Dir = filepath.Join(dir, "articles")
			cfg.State.File = filepath.Join(dir, "state.json")
			p, err := publish.New(cfg, publish.Options{RacyWindow: -1})
			if err != nil {
				b.Fatal(err)
			}
			// The last rebuild's saves, before the directory goes.
			b.Cleanup(p.Wait)
			if _, err := p.Rebuild(); err != nil {
				b.Fatal(err)
			}
			target := paths[len(paths)/2]
			if which == "newest" {
				target = p.Library().Articles[0].Path
				target = filepath.Join(cfg.Articles.Dir, filepath.FromSlash(target))
			}
			orig, err := os.ReadFile(target)
			if err != nil {
				b.Fatal(err)
			}
			rendered := 0
			mtime := time.Now().Add(-time.Hour)
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				p.Wait() // the previous rebuild's compression, outside the timing
				mtime = mtime.Add(time.Second)
				data := fmt.Appendf(append([]byte(nil), orig...), "\nEdit number %d.\n", i)
				if err := os.WriteFile(target, data, 0o644); err != nil {
					b.Fatal(err)
				}
				if err := os.Chtimes(target, mtime, mtime); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				rebuild := p.Rebuild
				if scan == "events" {
					rebuild = func() (publish.Result, error) { return p.RebuildChanged([]string{target}) }
				}
				res, err := rebuild()
				if err != nil {
					b.Fatal(err)
				}
				if !res.Swapped {
					b.Fatal("the change changed nothing")
				}
				rendered += res.Rendered
			}
			b.ReportMetric(float64(rendered)/float64(b.N), "rendered/op")
			b.ReportMetric(float64(p.Snapshot().Len()), "docs")
		})
	}
}
