package publish_test

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/library"
	"github.com/feedpub/feedpub/internal/publish"
	"github.com/feedpub/feedpub/internal/testcorpus"
)

// BenchmarkColdLoad measures a cold start: a new Publisher reading every
// article file, parsing it, and rendering and swapping in the first
// snapshot. It also reports the memory the published state holds per
// byte of articles on disk.
func BenchmarkColdLoad(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		b.Run(fmt.Sprintf("articles=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			if err := testcorpus.Write(dir, testcorpus.Generate(n, 1)); err != nil {
				b.Fatal(err)
			}
			cfg := benchConfig(dir)
			onDisk := dirBytes(b, dir)
			b.ReportAllocs()
			b.ResetTimer()
			var p *publish.Publisher
			for b.Loop() {
				var err error
				if p, err = publish.New(cfg, publish.Options{}); err != nil {
					b.Fatal(err)
				}
				if _, err := p.Rebuild(); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				p.Wait() // background compression must not slow the next start
				b.StartTimer()
			}
			b.StopTimer()
			b.ReportMetric(float64(onDisk)/1e6, "MB-on-disk")
			b.ReportMetric(retainedRatio(p, onDisk), "retained/disk")
		})
	}
}

func benchConfig(dir string) config.Config {
	cfg := config.Default()
	cfg.Articles.Dir = dir
	cfg.State.File = filepath.Join(dir, "..", "state.json")
	return cfg
}

// retainedRatio is the live heap held by p (its library, the scanner's
// cache and the snapshot of every document), divided by the bytes of the
// article files.
func retainedRatio(p *publish.Publisher, onDisk int64) float64 {
	var with, without runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&with)
	runtime.KeepAlive(p)
	p = nil
	runtime.GC()
	runtime.ReadMemStats(&without)
	return float64(int64(with.HeapAlloc)-int64(without.HeapAlloc)) / float64(onDisk)
}

func dirBytes(b *testing.B, dir string) int64 {
	var total int64
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		total += info.Size()
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return total
}

// BenchmarkLibraryMemory reports the heap the article set alone holds
// (the scanner's parsed articles and its cache), per byte on disk.
func BenchmarkLibraryMemory(b *testing.B) {
	dir := b.TempDir()
	if err := testcorpus.Write(dir, testcorpus.Generate(10_000, 1)); err != nil {
		b.Fatal(err)
	}
	onDisk := dirBytes(b, dir)
	var ratio float64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		// As feedpub scans: the bodies of articles without links stay
		// on disk.
		s := library.NewScanner(publish.LibraryOptions(benchConfig(dir)))
		lib, _, err := s.Scan()
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(s)
		runtime.KeepAlive(lib)
		ratio = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(onDisk)
	}
	b.ReportMetric(ratio, "retained/disk")
}
