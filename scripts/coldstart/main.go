// Command coldstart measures what a user sees when feedpub starts on a
// large articles directory: the binary, as a process, not a benchmark.
//
//	go run ./scripts/coldstart [-n 10000,100000] [-runs 2] [-cache DIR] [-start=false] [-build=false]
//
// For each corpus size it generates the articles with the same generator
// as scripts/gencorpus (or reuses them from the cache directory), then
// starts feedpub fresh (no state file, no document store) and warm (the
// state file and store the fresh run left), alternating, runs times each. Every run reports:
//
//   - first 200: process start → the first 200 on /rss.xml;
//   - all rendered: process start → /healthz saying every document is
//     rendered ("complete": true, or "ok" from a feedpub that renders
//     everything before serving);
//   - start done: process start → the log line saying the start's
//     background work is over (every document compressed, the state,
//     store and caches saved, memory handed back);
//   - rebuilds after start: those logged after the first build, with no
//     file changed (such as a watcher catching up, "reason=watching"),
//     with their durations;
//   - peak RSS (VmHWM) and steady RSS (VmRSS -settle after the start is
//     done) from /proc/PID/status, also as a multiple of the articles'
//     bytes;
//   - file written → served: -probes articles written one at a time, each
//     timed until it is in /rss.xml, the RSS (VmRSS) after them, and the
//     RSS once feedpub has been quiet long enough to hand back what the
//     changes freed (publish.DefaultSettleAfter, then -settle);
//
// with the load average at the end of each run beside them: the numbers
// mean little on a busy machine. Before each start the corpus is read,
// so that every start finds it in the page cache; -read-first=false
// leaves the page cache as it is.
//
// A second table times `feedpub build --out` on the same corpora: the
// first run (no state file, store or output directory), an unchanged
// rerun (all three kept), and a first run with --gzip. With hugo on PATH it times Hugo's full-site
// build of the same posts beside it, alternating with feedpub's runs:
// the articles are converted once into a Hugo site's content (cached
// beside the corpus, not timed), and built with a minimal set of layouts
// into an empty public directory, then again. -start=false or
// -build=false leaves out one table.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/publish"
	"github.com/feedpub/feedpub/internal/syncbuf"
	"github.com/feedpub/feedpub/internal/testcorpus"
	"github.com/feedpub/feedpub/scripts/internal/bench"
)

// pollEvery is how often a measurement asks feedpub: often enough, and not
// so often that the poller competes with the server for the cores.
const pollEvery = 5 * time.Millisecond

func main() {
	sizes := flag.String("n", "10000,100000", "comma-separated corpus `sizes`")
	runs := flag.Int("runs", 2, "fresh and warm runs of each size")
	settle := flag.Duration("settle", 3*time.Second, "wait after the start is done before reading the steady RSS")
	cacheDir := flag.String("cache", defaultCache(), "`directory` keeping the generated corpora between runs")
	limit := flag.Duration("timeout", 5*time.Minute, "give up on a run after this long")
	probes := flag.Int("probes", 5, "articles written one at a time after the start, to time file written → served")
	start := flag.Bool("start", true, "time feedpub starting (the first table)")
	build := flag.Bool("build", true, "time feedpub build --out, and Hugo when on PATH (the second table)")
	readFirst := flag.Bool("read-first", true, "read the corpus before each start, so that every start finds it in the page cache")
	flag.Parse()
	var ns []int
	for _, field := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(field))
		bench.Check(err)
		ns = append(ns, n)
	}

	tmp, err := os.MkdirTemp("", "coldstart")
	bench.Check(err)
	defer os.RemoveAll(tmp)
	trash = filepath.Join(tmp, "trash")
	bench.Check(os.MkdirAll(trash, 0o755))
	bin := filepath.Join(tmp, "feedpub")
	bench.Run("go", "build", "-o", bin, "./cmd/feedpub")

	if *start {
		startTable(bin, tmp, *cacheDir, ns, *runs, *probes, *settle, *limit, *readFirst)
	}
	if *build {
		buildTable(bin, tmp, *cacheDir, ns, *runs, *readFirst)
	}
}

// startTable prints the first table: feedpub starting fresh and warm.
func startTable(bin, tmp, cacheDir string, sizes []int, runs, probes int, settle, limit time.Duration, readFirst bool) {
	fmt.Println("| articles | articles' bytes | start | first 200 on /rss.xml | all rendered | start done | rebuilds after start | peak RSS (VmHWM) | steady RSS (VmRSS) | file written → served, median (max) | RSS after those | RSS when quiet again | load average |")
	fmt.Println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, n := range sizes {
		dir := corpus(cacheDir, n)
		size := articleBytes(dir)
		site := filepath.Join(tmp, fmt.Sprintf("site-%d", n))
		bench.Check(os.MkdirAll(site, 0o755))
		state := filepath.Join(site, "state.json")
		bench.Check(os.WriteFile(filepath.Join(site, "config.toml"), []byte(siteConfig(dir, state)), 0o644))
		for range runs {
			for _, warm := range []bool{false, true} {
				if !warm {
					forget(state)
				}
				if readFirst {
					readCorpus(dir)
				}
				m := measure(bin, site, dir, probes, settle, limit)
				mode := "fresh"
				if warm {
					mode = "warm"
				}
				fmt.Printf("| %d | %.0f MB | %s | %s | %s | %s | %s | %s (%.1f×) | %s (%.1f×) | %s | %s (%.1f×) | %s (%.1f×) | %s |\n",
					n, float64(size)/1e6, mode, secs(m.first), secs(m.all), secs(m.done), m.later,
					mb(m.peak), float64(m.peak)/float64(size), mb(m.steady), float64(m.steady)/float64(size),
					m.served, mb(m.afterProbes), float64(m.afterProbes)/float64(size),
					mb(m.quiet), float64(m.quiet)/float64(size), bench.LoadAverage())
			}
		}
	}
}

// siteConfig is a config for the corpus dir with its state file at state;
// the listen address comes from the command line.
func siteConfig(dir, state string) string {
	return fmt.Sprintf("[site]\ntitle = \"coldstart\"\nbase_url = \"http://127.0.0.1:8080/\"\n\n[articles]\ndir = %q\n\n[state]\nfile = %q\n", dir, state)
}

// measurement is one run of the binary.
type measurement struct {
	first, all   time.Duration
	done         time.Duration // the start's background work over
	later        string        // rebuilds after the first, as logged
	served       string        // file written → in /rss.xml: median (max)
	peak, steady int64         // bytes
	afterProbes  int64         // VmRSS after the articles written
	quiet        int64         // VmRSS once feedpub settled after them
}

func measure(bin, site, articles string, probes int, settle, limit time.Duration) measurement {
	addr := bench.FreeAddr()
	var stderr syncbuf.Buffer
	cmd := exec.Command(bin, "--listen", addr, "--config", filepath.Join(site, "config.toml"))
	cmd.Stderr = &stderr
	start := time.Now()
	bench.Check(cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		cmd.Process.Signal(os.Interrupt)
		if err := <-exited; err != nil {
			log.Printf("feedpub exited: %v\n%s", err, stderr.String())
		}
	}
	deadline := start.Add(limit)
	base := "http://" + addr

	var m measurement
	m.first = bench.Poll(deadline, pollEvery, func() bool { return status(base+"/rss.xml") == http.StatusOK }).Sub(start)
	m.all = bench.Poll(deadline, pollEvery, func() bool { return complete(base + "/healthz") }).Sub(start)
	m.done = bench.Poll(deadline, 50*time.Millisecond, func() bool { return strings.Contains(stderr.String(), startDoneLine) }).Sub(start)
	time.Sleep(settle)
	m.later = laterRebuilds(&stderr)
	m.peak, m.steady = memory(cmd.Process.Pid)
	m.served = probe(base+"/rss.xml", articles, probes, deadline)
	_, m.afterProbes = memory(cmd.Process.Pid)
	if probes > 0 {
		time.Sleep(publish.DefaultSettleAfter + settle)
	}
	_, m.quiet = memory(cmd.Process.Pid)
	stop()
	return m
}

// startDoneLine is in the line feedpub logs once the start's background
// work is over.
const startDoneLine = `msg="start done`

// probe writes n articles into dir one at a time, each newer than every
// generated one, and times each from the write to its title in the feed
// at url; it removes them again, so the cached corpus stays as it was.
func probe(url, dir string, n int, deadline time.Time) string {
	if n == 0 {
		return "-"
	}
	var lat []time.Duration
	for i := range n {
		title := fmt.Sprintf("Coldstart probe %d %d", time.Now().UnixNano(), i)
		path := filepath.Join(dir, fmt.Sprintf("zz-probe-%d.txt", i))
		start := time.Now()
		date := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339) // published, and the newest
		bench.Check(os.WriteFile(path, []byte("Title: "+title+"\nDate: "+date+"\n\nOne two three.\n"), 0o644))
		defer os.Remove(path)
		bench.Poll(deadline, pollEvery, func() bool { return bench.BodyContains(url, "<title>"+title+"</title>") })
		lat = append(lat, time.Since(start))
		time.Sleep(300 * time.Millisecond) // let the watcher go quiet
	}
	slices.Sort(lat)
	return fmt.Sprintf("%d ms (%d ms)", lat[len(lat)/2].Milliseconds(), lat[len(lat)-1].Milliseconds())
}

func status(url string) int {
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// complete reports whether /healthz says every document is rendered. A
// feedpub without the "complete" field renders everything before its
// first snapshot, so "ok" is enough there.
func complete(url string) bool {
	resp, err := http.Get(url)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var h struct {
		Status   string `json:"status"`
		Complete *bool  `json:"complete"`
	}
	if json.NewDecoder(resp.Body).Decode(&h) != nil || h.Status != "ok" {
		return false
	}
	return h.Complete == nil || *h.Complete
}

var rebuiltLine = regexp.MustCompile(`msg=rebuilt reason=(\S+) .*duration=(\S+)`)

// laterRebuilds lists the rebuilds logged after the start's own with no
// file changed (a watcher catching up would be one), as "reason
// duration", or "none".
func laterRebuilds(log *syncbuf.Buffer) string {
	var out []string
	for _, m := range rebuiltLine.FindAllStringSubmatch(log.String(), -1) {
		if m[1] != "start" {
			out = append(out, m[1]+" "+m[2])
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

// memory returns VmHWM and VmRSS of the process, in bytes.
func memory(pid int) (peak, steady int64) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	bench.Check(err)
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmHWM:":
			peak = kb * 1024
		case "VmRSS:":
			steady = kb * 1024
		}
	}
	return peak, steady
}

// corpus returns the directory of n generated articles, writing it first
// unless the cache has it.
func corpus(cache string, n int) string {
	dir := filepath.Join(cache, fmt.Sprintf("articles-%d", n))
	done := dir + ".done"
	if _, err := os.Stat(done); err == nil {
		return dir
	}
	bench.Check(os.RemoveAll(dir))
	log.Printf("generating %d articles in %s", n, dir)
	bench.Check(testcorpus.Write(dir, testcorpus.Generate(n, 1)))
	bench.Check(os.WriteFile(done, nil, 0o644))
	return dir
}

// articleBytes is the size of every file under dir.
func articleBytes(dir string) int64 {
	var total int64
	bench.Check(filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		total += info.Size()
		return err
	}))
	return total
}

// readCorpus reads every file of dir, so that a start or a build finds
// them in the page cache. A kernel that pages out memory left idle (this project's
// machine does after a minute) would otherwise make some starts read
// from the disk and others not: the second fresh start of a size follows
// a warm one, which reads no article.
func readCorpus(dir string) {
	bench.Check(filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		_, err = os.ReadFile(path)
		return err
	}))
}

func defaultCache() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "feedpub-coldstart")
}

// forget moves the state file and what feedpub keeps beside it (the
// document store, the scan cache, what builds wrote) out of the way, so
// that the next run starts from nothing.
func forget(state string) {
	var cfg config.Config
	cfg.State.File = state
	// "builds" holds what builds wrote (cmd/feedpub's outIndexFile).
	for _, path := range []string{state, publish.StoreDir(cfg), publish.ScanCacheFile(cfg), filepath.Join(filepath.Dir(state), "builds")} {
		discard(path)
	}
}

// trash is where discard moves what a run must not find; the script
// removes it when it ends.
var trash string

// discard moves path, if it exists, into the trash. Removing a store of
// 200,000 files just before a run slowed the run's own file creation
// by a factor of two to ten on the reference machine, well after a sync:
// perf shows ext4 skipping every inode freed in the last minutes
// (recently_deleted), each a look at the inode table, where creating a
// file otherwise takes some 20 µs. That is the cost of the previous run,
// not feedpub's or Hugo's. (The trash goes when the script ends: wait some
// minutes before timing anything else.)
func discard(path string) {
	if _, err := os.Lstat(path); os.IsNotExist(err) {
		return
	}
	dir, err := os.MkdirTemp(trash, "run")
	bench.Check(err)
	bench.Check(os.Rename(path, filepath.Join(dir, filepath.Base(path))))
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

func mb(n int64) string { return fmt.Sprintf("%.0f MB", float64(n)/1e6) }
