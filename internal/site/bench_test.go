package site_test

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/article"
	"github.com/feedpub/feedpub/internal/library"
	"github.com/feedpub/feedpub/internal/site"
	"github.com/feedpub/feedpub/internal/state"
	"github.com/feedpub/feedpub/internal/testcorpus"
)

var tagsHeader = regexp.MustCompile(`(?m)^Tags: .*\r?\n`)

// BenchmarkBuildOneChange measures Build alone after one article
// changed, at 10,000 articles over 200 tags (two each), and reports the
// documents rendered per build. "old" edits an article in the middle of
// the history, "newest" the newest one, which is in the main feeds too.
func BenchmarkBuildOneChange(b *testing.B) {
	dir := b.TempDir()
	files := testcorpus.Generate(10000, 1)
	for i := range files {
		data := tagsHeader.ReplaceAll(files[i].Data, nil)
		for j, c := range data {
			if c == '\n' {
				tags := fmt.Sprintf("Tags: topic-%d, topic-%d\n", i%200, (i*7+3)%200)
				data = append(append(append([]byte(nil), data[:j+1]...), tags...), data[j+1:]...)
				break
			}
		}
		files[i].Data = data
	}
	if err := testcorpus.Write(dir, files); err != nil {
		b.Fatal(err)
	}
	cfg := testConfig(dir)
	st := state.New()
	lib, _, err := library.NewScanner(library.Options{Dir: dir, State: st, RacyWindow: -1}).Scan()
	if err != nil {
		b.Fatal(err)
	}
	for _, which := range []string{"old", "newest"} {
		b.Run(which, func(b *testing.B) {
			builder, err := site.NewBuilder(cfg, st)
			if err != nil {
				b.Fatal(err)
			}
			snap, _, err := builder.Build(lib, now)
			if err != nil {
				b.Fatal(err)
			}
			published := lib.Published(now)
			target := published[len(published)/2]
			if which == "newest" {
				target = published[0]
			}
			i := 0
			for i = range lib.Articles {
				if lib.Articles[i] == target {
					break
				}
			}
			rendered := 0
			for n := 0; b.Loop(); n++ {
				// An edit: a new *Article for the same file.
				edited := *target
				edited.ContentHTML += fmt.Sprintf("<p>Edit %d.</p>", n)
				edited.Updated = edited.Updated.Add(time.Duration(n+1) * time.Second)
				next := &library.Library{Articles: append([]*article.Article(nil), lib.Articles...)}
				next.Articles[i] = &edited
				var stats site.BuildStats
				if snap, stats, err = builder.Build(next, now); err != nil {
					b.Fatal(err)
				}
				rendered += stats.Rendered
			}
			b.ReportMetric(float64(rendered)/float64(b.N), "rendered/op")
			b.ReportMetric(float64(snap.Len()), "docs")
		})
	}
}
