// Command reloadlatency measures what the README promises: on the default
// config, in a copy of the repository and with its relative paths, how
// long after a new article file is written it is served in /rss.xml.
//
//	go run ./scripts/reloadlatency [-n 30]
//
// It builds feedpub, starts it in a temporary copy of config.toml and
// articles/, writes n articles one at a time and polls /rss.xml every
// millisecond until each appears, then prints the median, the 90th
// percentile and the maximum, with the load average beside them.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	"github.com/feedpub/feedpub/scripts/internal/bench"
)

func main() {
	n := flag.Int("n", 30, "articles to write")
	flag.Parse()
	tmp, err := os.MkdirTemp("", "reloadlatency")
	bench.Check(err)
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "feedpub")
	bench.Run("go", "build", "-o", bin, "./cmd/feedpub")
	site := filepath.Join(tmp, "site")
	bench.Check(os.MkdirAll(filepath.Join(site, "articles"), 0o755))
	copyFile("config.toml", filepath.Join(site, "config.toml"))
	entries, err := os.ReadDir("articles")
	bench.Check(err)
	for _, e := range entries {
		copyFile(filepath.Join("articles", e.Name()), filepath.Join(site, "articles", e.Name()))
	}

	addr := bench.FreeAddr()
	cmd := exec.Command(bin, "--listen", addr)
	cmd.Dir = site
	bench.Check(cmd.Start())
	defer cmd.Process.Signal(os.Interrupt)
	url := "http://" + addr + "/rss.xml"
	waitFor(url, "<rss")

	var lat []time.Duration
	for i := range *n {
		title := fmt.Sprintf("Latency probe %d", i)
		start := time.Now()
		bench.Check(os.WriteFile(filepath.Join(site, "articles", fmt.Sprintf("probe-%d.txt", i)),
			[]byte("Title: "+title+"\n\nOne two three.\n"), 0o644))
		waitFor(url, "<title>"+title+"</title>")
		lat = append(lat, time.Since(start))
		time.Sleep(300 * time.Millisecond) // let the watcher go quiet between probes
	}
	slices.Sort(lat)
	fmt.Printf("new file → served in /rss.xml, %d probes: median %v, p90 %v, max %v (load average %s)\n",
		len(lat), lat[len(lat)/2].Round(time.Millisecond), lat[len(lat)*9/10].Round(time.Millisecond),
		lat[len(lat)-1].Round(time.Millisecond), bench.LoadAverage())
}

// waitFor polls url every millisecond until its body contains want.
func waitFor(url, want string) {
	bench.Poll(time.Now().Add(10*time.Second), time.Millisecond, func() bool { return bench.BodyContains(url, want) })
}

func copyFile(from, to string) {
	data, err := os.ReadFile(from)
	bench.Check(err)
	bench.Check(os.WriteFile(to, data, 0o644))
}
