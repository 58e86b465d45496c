package main

import (
	"bytes"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/feedpub/feedpub/scripts/internal/bench"
)

// buildTable prints the second table: `feedpub build --out` on each corpus,
// first run (no state file, store or output directory) and unchanged rerun
// (all three left by the first), and Hugo's full-site build of the same
// posts beside it when hugo is on PATH (first run into an empty public
// directory, and rerun); then a first run of `feedpub build --gzip`,
// which writes FILE.gz beside each document as well, where Hugo writes
// none. feedpub and Hugo runs alternate, so a busy moment on the machine
// falls on both alike.
func buildTable(bin, tmp, cache string, sizes []int, runs int, readFirst bool) {
	hugo, err := exec.LookPath("hugo")
	if err != nil {
		log.Print("hugo is not on PATH: timing feedpub build alone")
	}
	fmt.Println()
	fmt.Println("| articles | feedpub build: first run | unchanged rerun | Hugo: first run | rerun | feedpub's first run ÷ Hugo's | feedpub build --gzip: first run | load average |")
	fmt.Println("| --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, n := range sizes {
		dir := corpus(cache, n)
		fp := newFeedpubSite(bin, filepath.Join(tmp, fmt.Sprintf("build-%d", n)), dir)
		hugoBuild := func(bool) time.Duration { return -1 } // not measured
		hugoDir := ""
		if hugo != "" {
			hugoDir = hugoContent(dir)
			h := newHugoSite(hugo, filepath.Join(tmp, fmt.Sprintf("hugo-%d", n)), hugoDir)
			hugoBuild = h.build
		}
		// Each tool finds its posts in the page cache, as the starts do
		// (readCorpus): the table before came right after the largest
		// starts, and the first builds read a corpus partly paged out.
		inCache := func(dir string) {
			if readFirst && dir != "" {
				readCorpus(dir)
			}
		}
		for range runs {
			inCache(dir)
			first := fp.build(true)
			inCache(hugoDir)
			hugoFirst := hugoBuild(true)
			inCache(dir)
			rerun := fp.build(false)
			inCache(hugoDir)
			hugoRerun := hugoBuild(false)
			inCache(dir)
			gzipFirst := fp.build(true, "--gzip")
			ratio := "-"
			if hugoFirst > 0 {
				ratio = fmt.Sprintf("%.2f×", first.Seconds()/hugoFirst.Seconds())
			}
			fmt.Printf("| %d | %s | %s | %s | %s | %s | %s | %s |\n",
				n, secs(first), secs(rerun), maybeSecs(hugoFirst), maybeSecs(hugoRerun), ratio, secs(gzipFirst), bench.LoadAverage())
		}
	}
}

// feedpubSite is a feedpub config for one corpus, built into out, with
// its state file (and the document store beside that) in the same
// directory.
type feedpubSite struct {
	bin, config, state, out string
}

// newFeedpubSite writes a config under dir for the articles directory
// articles.
func newFeedpubSite(bin, dir, articles string) feedpubSite {
	s := feedpubSite{
		bin:    bin,
		config: filepath.Join(dir, "config.toml"),
		state:  filepath.Join(dir, "state.json"),
		out:    filepath.Join(dir, "out"),
	}
	bench.Check(os.MkdirAll(dir, 0o755))
	bench.Check(os.WriteFile(s.config, []byte(siteConfig(articles, s.state)), 0o644))
	return s
}

// build runs feedpub build with the given flags; first, with no state
// file, store or output left by an earlier build.
func (s feedpubSite) build(first bool, flags ...string) time.Duration {
	if first {
		discard(s.out)
		forget(s.state)
	}
	return timed(exec.Command(s.bin, append([]string{"build", "--config", s.config, "--out", s.out}, flags...)...))
}

// build runs Hugo on the site, into an empty public directory if first.
func (h hugoSite) build(first bool) time.Duration {
	if first {
		discard(h.public)
	}
	return timed(exec.Command(h.bin, "--quiet", "--source", h.dir, "--destination", h.public))
}

// timed runs cmd and returns how long it took, ending the script with its
// output if it fails.
func timed(cmd *exec.Cmd) time.Duration {
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil {
		log.Fatalf("%s: %v\n%s", cmd, err, output.Bytes())
	}
	return d
}

// maybeSecs is secs(d), or "-" for a run not made (negative d).
func maybeSecs(d time.Duration) string {
	if d < 0 {
		return "-"
	}
	return secs(d)
}
