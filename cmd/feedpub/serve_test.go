package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/publish"
	"github.com/feedpub/feedpub/internal/testhttp"
)

// get fetches url with the given header fields and returns the response,
// as sent, with its body read.
func get(t *testing.T, url string, fields ...string) (*http.Response, []byte) {
	t.Helper()
	return testhttp.Do(t, "GET", url, fields...)
}

// serveConfig loads the config of a project with extra [server] lines
// and serves it until the test ends; the serve error goes to done.
func serveConfig(t *testing.T, serverLines string, hook func(publish.Result, error)) (config.Config, *env) {
	t.Helper()
	path := project(t, map[string]string{"a.txt": seedArticle(t), "b.txt": "Title: B\nDate: 2024-01-01\n\nBee.\n"})
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("[server]\nlisten = \"" + freeAddr(t) + "\"\n" + serverLines)
	f.Close()
	e := &env{configPath: path, stdout: io.Discard, stderr: io.Discard, logger: slog.New(slog.DiscardHandler), onRebuild: hook}
	cfg, err := e.loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	startServe(t, e, cfg)
	return cfg, e
}

// TestBuildWritesGzipFiles holds that build --gzip writes FILE.gz beside
// each compressible file, decompressing to the file and equal to the
// bytes the server sends for Accept-Encoding: gzip.
func TestBuildWritesGzipFiles(t *testing.T) {
	cfg, e := serveConfig(t, "", nil)
	out := filepath.Join(t.TempDir(), "site")
	if err := runBuild(e, out, true); err != nil {
		t.Fatal(err)
	}
	count := 0
	err := filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(path, ".gz") {
			return err
		}
		count++
		gz, plain := readBytes(t, path), readBytes(t, strings.TrimSuffix(path, ".gz"))
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if unzipped, _ := io.ReadAll(zr); !bytes.Equal(unzipped, plain) {
			t.Errorf("%s does not decompress to its file", path)
		}
		rel, _ := filepath.Rel(out, strings.TrimSuffix(path, ".gz"))
		urlPath := "/" + strings.TrimSuffix(filepath.ToSlash(rel), "index.html")
		if rel == "404.html" {
			return nil
		}
		resp, served := get(t, "http://"+cfg.Server.Listen+urlPath, "Accept-Encoding", "gzip")
		if resp.Header.Get("Content-Encoding") != "gzip" || !bytes.Equal(served, gz) {
			t.Errorf("GET %s with gzip: %d bytes (%q), want the %d bytes of %s", urlPath, len(served), resp.Header.Get("Content-Encoding"), len(gz), path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"rss.xml.gz", "atom.xml.gz", "index.html.gz"} {
		if _, err := os.Stat(filepath.Join(out, want)); err != nil {
			t.Errorf("build wrote no %s: %v", want, err)
		}
	}
	if count == 0 {
		t.Fatal("build wrote no .gz file")
	}
}

func readBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSlowHeadersAreCutOff sends a request's header one byte at a time,
// more slowly in total than read_header_timeout, after waiting first for
// a while or not at all: the server must close the connection within
// read_header_timeout of the connection's start, give or take a second,
// before the header is complete. (Slowloris keeps connections open this
// way; a server that lets the wait or the trickle extend the timeout
// needs that many fewer of them.)
func TestSlowHeadersAreCutOff(t *testing.T) {
	// Long enough that a timeout restarted by the first byte overshoots
	// the second of grace.
	const timeout = 1500 * time.Millisecond
	cfg, _ := serveConfig(t, "read_header_timeout = \"1500ms\"\n", nil)
	for _, wait := range []time.Duration{0, timeout * 7 / 8} {
		t.Run("wait "+wait.String(), func(t *testing.T) {
			start := time.Now()
			conn, err := net.Dial("tcp", cfg.Server.Listen)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			closed := make(chan []byte, 1)
			go func() {
				got, _ := io.ReadAll(conn) // returns when the server closes
				closed <- got
			}()
			request := "GET /rss.xml HTTP/1.1\r\nHost: x\r\nX-Slow: " + strings.Repeat("s", 400) + "\r\n\r\n"
			pause := wait
			for i := 0; i < len(request); i++ {
				select {
				case got := <-closed:
					if bytes.HasPrefix(got, []byte("HTTP/1.1 200")) {
						t.Fatalf("the slow request was answered: %.40q", got)
					}
					if took := time.Since(start); took > timeout+time.Second {
						t.Errorf("cut off after %s, want within %s of read_header_timeout %s", took, time.Second, timeout)
					}
					return
				case <-time.After(pause):
				}
				pause = 25 * time.Millisecond
				conn.Write([]byte{request[i]}) // an error is the cut, seen by the reader
			}
			t.Fatalf("a header sent over %s was read to the end; read_header_timeout is %s", time.Since(start), timeout)
		})
	}
}

// TestShutdownDrainsRequestsInFlight starts a slow request, shuts the
// server down while it runs, and holds that it completes and that
// shutdown then returns without error.
func TestShutdownDrainsRequestsInFlight(t *testing.T) {
	cfg := config.Default()
	started, release := make(chan struct{}), make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		io.WriteString(w, "finished")
	})
	e := &env{logger: slog.New(slog.DiscardHandler)}
	srv := newHTTPServer(cfg, slow, e.logger)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)

	type reply struct {
		body string
		err  error
	}
	replies := make(chan reply, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			replies <- reply{err: err}
			return
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		replies <- reply{string(b), err}
	}()
	<-started
	shut := make(chan error, 1)
	go func() { shut <- shutdown(e, srv, 10*time.Second) }()
	// Shutdown closes the listener first; release the request once new
	// connections are refused, so it is in flight during the shutdown.
	for {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			break
		}
		c.Close()
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case err := <-shut:
		t.Fatalf("shutdown returned %v with a request in flight", err)
	default:
	}
	close(release)
	if r := <-replies; r.err != nil || r.body != "finished" {
		t.Errorf("in-flight request got %q, %v; want it to finish", r.body, r.err)
	}
	if err := <-shut; err != nil {
		t.Errorf("shutdown = %v, want nil", err)
	}
}

// TestMetricsListener serves the metrics on an address of their own and
// holds that they count requests and the watcher's rebuilds.
func TestMetricsListener(t *testing.T) {
	metricsAddr := freeAddr(t)
	rebuilt := make(chan publish.Result, 10)
	cfg, _ := serveConfig(t, "metrics_listen = \""+metricsAddr+"\"\n", func(res publish.Result, err error) {
		if err == nil {
			rebuilt <- res
		}
	})
	site := "http://" + cfg.Server.Listen
	if resp, _ := get(t, site+"/metrics"); resp.StatusCode != 404 {
		t.Errorf("GET /metrics on the site: status %d, want 404 with metrics_listen set", resp.StatusCode)
	}
	get(t, site+"/rss.xml")

	path := filepath.Join(cfg.Articles.Dir, "c.txt")
	if err := os.WriteFile(path, []byte("Title: C\nDate: 2024-02-01\n\nSea.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for res := range rebuilt {
		if res.Swapped {
			break
		}
	}
	resp, body := get(t, "http://"+metricsAddr+"/metrics")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /metrics: status %d", resp.StatusCode)
	}
	for _, want := range []string{
		`feedpub_http_requests_total{code="200",route="rss"} 1`,
		`feedpub_http_requests_total{code="404",route="notfound"} 1`,
		`feedpub_articles_published 3`,
		`feedpub_rebuild_duration_seconds_count`,
		`feedpub_snapshot_generation 2`,
	} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if !bytes.Contains(body, []byte(`feedpub_rebuilds_total{result="swapped"} 2`)) {
		t.Errorf("metrics do not count the first build and the rebuild as swapped:\n%s", grepLines(body, "feedpub_rebuilds_total"))
	}
}

func grepLines(b []byte, s string) string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if strings.Contains(sc.Text(), s) {
			out = append(out, sc.Text())
		}
	}
	return strings.Join(out, "\n")
}
