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
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

func main() {
	n := flag.Int("n", 30, "articles to write")
	flag.Parse()
	tmp, err := os.MkdirTemp("", "reloadlatency")
	check(err)
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "feedpub")
	run("go", "build", "-o", bin, "./cmd/feedpub")
	site := filepath.Join(tmp, "site")
	check(os.MkdirAll(filepath.Join(site, "articles"), 0o755))
	copyFile("config.toml", filepath.Join(site, "config.toml"))
	entries, err := os.ReadDir("articles")
	check(err)
	for _, e := range entries {
		copyFile(filepath.Join("articles", e.Name()), filepath.Join(site, "articles", e.Name()))
	}

	addr := freeAddr()
	cmd := exec.Command(bin, "--listen", addr)
	cmd.Dir = site
	check(cmd.Start())
	defer cmd.Process.Signal(os.Interrupt)
	url := "http://" + addr + "/rss.xml"
	waitFor(url, "<rss", 10*time.Second)

	var lat []time.Duration
	for i := range *n {
		title := fmt.Sprintf("Latency probe %d", i)
		start := time.Now()
		check(os.WriteFile(filepath.Join(site, "articles", fmt.Sprintf("probe-%d.txt", i)),
			[]byte("Title: "+title+"\n\nOne two three.\n"), 0o644))
		waitFor(url, "<title>"+title+"</title>", 10*time.Second)
		lat = append(lat, time.Since(start))
		time.Sleep(300 * time.Millisecond) // let the watcher go quiet between probes
	}
	slices.Sort(lat)
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("new file → served in /rss.xml, %d probes: median %v, p90 %v, max %v (load average %s)\n",
		len(lat), lat[len(lat)/2].Round(time.Millisecond), lat[len(lat)*9/10].Round(time.Millisecond),
		lat[len(lat)-1].Round(time.Millisecond), strings.Join(strings.Fields(string(load))[:3], " "))
}

// waitFor polls url every millisecond until its body contains want.
func waitFor(url, want string, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(body), want) {
				return
			}
		}
		time.Sleep(time.Millisecond)
	}
	log.Fatalf("%s never contained %q", url, want)
}

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	defer ln.Close()
	return ln.Addr().String()
}

func copyFile(from, to string) {
	data, err := os.ReadFile(from)
	check(err)
	check(os.WriteFile(to, data, 0o644))
}

func run(name string, args ...string) {
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	check(cmd.Run())
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
