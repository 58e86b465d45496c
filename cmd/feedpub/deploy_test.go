package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/feedpub/feedpub/internal/deploy"
	"github.com/feedpub/feedpub/internal/feed"
	"github.com/feedpub/feedpub/internal/testvgw"
)

// deployProject is a project with tagged articles, a media file and a
// WebSub hub, and the hub's record of the topics pinged.
type deployProject struct {
	config, articles string
	hub              *hubRecorder
	hubURL           string
}

func newDeployProject(t *testing.T, deployLines string) deployProject {
	t.Helper()
	hub, hubURL := newHubRecorder(t)
	cfgPath := project(t, map[string]string{
		"a.txt":   "Title: A\nDate: 2024-01-01\nTags: red\n\nFirst.\n",
		"b.txt":   "Title: B\nDate: 2024-01-02\nTags: blue\n\nSecond.\n",
		"c.txt":   "Title: C\nDate: 2024-01-03\n\nThird.\n",
		"img.png": "\x89PNG\r\n\x1a\n not really an image",
	})
	extra := "\n[websub]\nhubs = [\"" + hubURL + "\"]\n" + deployLines
	appendFile(t, cfgPath, extra)
	return deployProject{config: cfgPath, articles: filepath.Join(filepath.Dir(cfgPath), "articles"), hub: hub, hubURL: hubURL}
}

func appendFile(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// hubRecorder is a WebSub hub that records the topics it is told of.
type hubRecorder struct {
	// heard gets a token, dropped when one is waiting, after each ping.
	heard chan struct{}

	mu     sync.Mutex // guards topics and hold
	topics []string
	// hold, if set, keeps every answer back until it is closed, as a
	// hub that hangs.
	hold chan struct{}
}

func newHubRecorder(t *testing.T) (*hubRecorder, string) {
	h := &hubRecorder{heard: make(chan struct{}, 1)}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, srv.URL + "/"
}

func (h *hubRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	h.mu.Lock()
	h.topics = append(h.topics, r.PostForm.Get("hub.topic"))
	hold := h.hold
	h.mu.Unlock()
	select {
	case h.heard <- struct{}{}:
	default:
	}
	if hold != nil {
		select {
		case <-hold:
		case <-r.Context().Done():
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// hang makes the hub keep every answer back until the test ends.
func (h *hubRecorder) hang(t *testing.T) {
	hold := make(chan struct{})
	h.mu.Lock()
	h.hold = hold
	h.mu.Unlock()
	t.Cleanup(h.answer)
}

// answer lets the answers held back go, and those to come.
func (h *hubRecorder) answer() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.hold != nil {
		close(h.hold)
		h.hold = nil
	}
}

// take returns the topics pinged since the last call, sorted.
func (h *hubRecorder) take() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	t := h.topics
	h.topics = nil
	slices.Sort(t)
	return t
}

// await waits until the hub has been told of n topics since the last
// take and returns them as take does. Pings go in the background: the
// bound only keeps a broken test from hanging.
func (h *hubRecorder) await(t *testing.T, n int) []string {
	t.Helper()
	timeout := time.After(time.Minute)
	for {
		h.mu.Lock()
		got := len(h.topics)
		h.mu.Unlock()
		if got >= n {
			return h.take()
		}
		select {
		case <-h.heard:
		case <-timeout:
			t.Fatalf("the hub was told of %d topics within a minute, want %d", got, n)
		}
	}
}

// stored returns key → ETag of every object in the bucket.
func stored(t *testing.T, vgw *testvgw.Server) map[string]string {
	t.Helper()
	objs := map[string]string{}
	pages := s3.NewListObjectsV2Paginator(vgw.Client(), &s3.ListObjectsV2Input{Bucket: aws.String(vgw.Bucket)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			objs[aws.ToString(o.Key)] = aws.ToString(o.ETag)
		}
	}
	return objs
}

// changedKeys returns the keys whose ETag differs between before and
// after, or that only one holds, sorted.
func changedKeys(before, after map[string]string) []string {
	var keys []string
	for k, v := range after {
		if before[k] != v {
			keys = append(keys, k)
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// builtFiles returns the files `feedpub build` writes for the project,
// by slash-separated name, without the .gz variants and the marker.
func builtFiles(t *testing.T, cfgPath string) map[string][]byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "site")
	if _, _, err := runCLI(t, "build", "--config", cfgPath, "--out", out); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	err := filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".gz") || d.Name() == buildMarker {
			return err
		}
		rel, _ := filepath.Rel(out, path)
		files[filepath.ToSlash(rel)] = readBytes(t, path)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func getObject(t *testing.T, vgw *testvgw.Server, key string) (*s3.GetObjectOutput, []byte) {
	t.Helper()
	out, err := vgw.Client().GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(vgw.Bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("getting %s: %v", key, err)
	}
	defer out.Body.Close()
	body, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return out, body
}

func deployCLI(t *testing.T, p deployProject, target string, flags ...string) (string, error) {
	t.Helper()
	stdout, stderr, err := runCLI(t, append(append([]string{"deploy", "--config", p.config}, flags...), target)...)
	t.Logf("feedpub deploy %s:\n%s%s", strings.Join(flags, " "), stdout, stderr)
	return stdout, err
}

func TestDeployUploadsWhatBuildWrites(t *testing.T) {
	vgw := testvgw.Start(t, "site")
	p := newDeployProject(t, "")
	target := vgw.Target("")
	out, err := deployCLI(t, p, target)
	if err != nil {
		t.Fatal(err)
	}
	built := builtFiles(t, p.config)
	objs := stored(t, vgw)
	if !strings.Contains(out, fmt.Sprintf("uploaded %d, deleted 0, unchanged 0", len(built))) {
		t.Errorf("summary = %q, want %d uploaded", out, len(built))
	}
	for name, want := range built {
		if _, got := getObject(t, vgw, name); !bytes.Equal(got, want) {
			t.Errorf("object %s differs from the built file (%d bytes, want %d)", name, len(got), len(want))
		}
		delete(objs, name)
	}
	delete(objs, ".feedpub-deploy.json")
	if len(objs) != 0 {
		t.Errorf("objects that build does not write: %v", objs)
	}
	// Every feed was uploaded, so every feed is announced.
	if topics := p.hub.take(); len(topics) != 9 || !slices.Contains(topics, "http://127.0.0.1:8080/tags/red/atom.xml") {
		t.Errorf("first deploy pinged %v, want the 9 feeds (3 main, 3 per tag)", topics)
	}

	for _, c := range []struct{ key, contentType, cacheControl string }{
		{"rss.xml", feed.RSSContentType, "public, max-age=300"},
		{"articles/a/index.html", "text/html; charset=utf-8", "public, max-age=60"},
		{"media/img.png", "image/png", "public, max-age=3600"},
	} {
		o, _ := getObject(t, vgw, c.key)
		if aws.ToString(o.ContentType) != c.contentType || aws.ToString(o.CacheControl) != c.cacheControl || o.ContentEncoding != nil {
			t.Errorf("%s: Content-Type %q, Cache-Control %q, Content-Encoding %q; want %q, %q, none",
				c.key, aws.ToString(o.ContentType), aws.ToString(o.CacheControl), aws.ToString(o.ContentEncoding), c.contentType, c.cacheControl)
		}
	}

	// A CDN revalidates with If-None-Match over plain HTTP.
	o, _ := getObject(t, vgw, "rss.xml")
	req, err := s3.NewPresignClient(vgw.Client()).PresignGetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(vgw.Bucket), Key: aws.String("rss.xml")})
	if err != nil {
		t.Fatal(err)
	}
	resp, body := get(t, req.URL, "If-None-Match", aws.ToString(o.ETag))
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("GET rss.xml with If-None-Match %s = %d %q, want 304", aws.ToString(o.ETag), resp.StatusCode, body)
	}
}

func TestDeployIsIncremental(t *testing.T) {
	vgw := testvgw.Start(t, "site")
	p := newDeployProject(t, "")
	target := vgw.Target("blog")
	if _, err := deployCLI(t, p, target); err != nil {
		t.Fatal(err)
	}
	first := stored(t, vgw)
	p.hub.take()

	out, err := deployCLI(t, p, target)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "uploaded 0, deleted 0, unchanged ") {
		t.Errorf("second deploy: %q, want nothing uploaded or deleted", out)
	}
	if changed := changedKeys(first, stored(t, vgw)); len(changed) != 0 {
		t.Errorf("second deploy changed %v", changed)
	}

	// One article changed: only its page, its tag's and the archive's
	// documents and the main documents change, and the hub hears of the
	// changed feeds.
	writeFile(t, filepath.Join(p.articles, "a.txt"), "Title: A\nDate: 2024-01-01\nTags: red\n\nFirst, edited.\n")
	dry, err := deployCLI(t, p, target, "--dry-run")
	if err != nil {
		t.Fatal(err)
	}
	if changed := changedKeys(first, stored(t, vgw)); len(changed) != 0 {
		t.Errorf("--dry-run changed %v", changed)
	}
	if _, err := deployCLI(t, p, target); err != nil {
		t.Fatal(err)
	}
	changed := changedKeys(first, stored(t, vgw))
	for _, key := range changed {
		if !strings.Contains(dry, "upload "+key+" (changed)") && key != "blog/.feedpub-deploy.json" {
			t.Errorf("%s changed but --dry-run did not list it", key)
		}
		if strings.HasPrefix(key, "blog/articles/") && key != "blog/articles/a/index.html" ||
			strings.HasPrefix(key, "blog/media/") || strings.HasPrefix(key, "blog/tags/blue/") {
			t.Errorf("editing a.txt changed %s", key)
		}
	}
	for _, want := range []string{"blog/articles/a/index.html", "blog/rss.xml", "blog/atom.xml", "blog/feed.json", "blog/tags/red/rss.xml"} {
		if !slices.Contains(changed, want) {
			t.Errorf("editing a.txt left %s unchanged; changed: %v", want, changed)
		}
	}
	topics := p.hub.take()
	for _, want := range []string{"http://127.0.0.1:8080/rss.xml", "http://127.0.0.1:8080/tags/red/rss.xml"} {
		if !slices.Contains(topics, want) {
			t.Errorf("hub was told of %v, want %s among them", topics, want)
		}
	}
	for _, topic := range topics {
		if strings.Contains(topic, "/blue/") {
			t.Errorf("hub was told of %s, which did not change", topic)
		}
	}

	// A deleted article's page is deleted; more deletes than
	// --max-deletes allows delete nothing and fail.
	before := stored(t, vgw)
	os.Remove(filepath.Join(p.articles, "a.txt"))
	os.Remove(filepath.Join(p.articles, "b.txt"))
	if _, err := deployCLI(t, p, target, "--max-deletes", "1"); err == nil || !strings.Contains(err.Error(), "--max-deletes") {
		t.Errorf("mass delete with --max-deletes 1: err = %v, want a refusal naming --max-deletes", err)
	}
	after := stored(t, vgw)
	for key := range before {
		if _, ok := after[key]; !ok {
			t.Errorf("--max-deletes 1 still deleted %s", key)
		}
	}
	dry, err = deployCLI(t, p, target, "--dry-run")
	if err != nil || !strings.Contains(dry, "delete blog/articles/a/index.html\n") {
		t.Errorf("--dry-run: %v; want the stale pages listed for deletion", err)
	}
	if len(stored(t, vgw)) != len(before) {
		t.Error("--dry-run deleted objects")
	}
	out, err = deployCLI(t, p, target)
	if err != nil {
		t.Fatal(err)
	}
	after = stored(t, vgw)
	for _, gone := range []string{"blog/articles/a/index.html", "blog/articles/b/index.html", "blog/tags/red/rss.xml"} {
		if _, ok := after[gone]; ok {
			t.Errorf("%s is still stored after its article was deleted", gone)
		}
	}
	if _, ok := after["blog/articles/c/index.html"]; !ok {
		t.Error("the remaining article's page was deleted")
	}
	if strings.Contains(out, "deleted 0,") {
		t.Errorf("summary %q counts no delete", out)
	}
}

// TestDeployWaitsForHubsBoundedly deploys once to a store while the hub
// hangs: the deploy completes and the command returns after waiting for
// the hub at most hubWait, saying it stopped waiting.
func TestDeployWaitsForHubsBoundedly(t *testing.T) {
	vgw := testvgw.Start(t, "site")
	p := newDeployProject(t, "")
	p.hub.hang(t)
	var stdout, logs bytes.Buffer
	e := &env{configPath: p.config, args: []string{vgw.Target("")}, stdout: &stdout, stderr: io.Discard,
		logger: slog.New(slog.NewTextHandler(&logs, nil)), hubWait: 100 * time.Millisecond,
		storeRetries: deploy.ClientOptions{Attempts: 2, MaxBackoff: 10 * time.Millisecond},
	}
	if err := runDeploy(context.Background(), e, deployFlags{maxDeletes: 256}); err != nil {
		t.Fatalf("deploy with a hanging hub: %v", err)
	}
	if !strings.Contains(stdout.String(), "deployed to ") {
		t.Errorf("stdout = %q, want the summary", stdout.String())
	}
	if _, ok := stored(t, vgw)["rss.xml"]; !ok {
		t.Error("the main feed was not stored")
	}
	if !strings.Contains(logs.String(), "stopped waiting for the hubs") {
		t.Errorf("the log does not say the hubs were not all told:\n%s", logs.String())
	}
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDeployNeedsTarget(t *testing.T) {
	cfg := project(t, map[string]string{"a.txt": "Title: A\n\nx\n"})
	_, _, err := runCLI(t, "deploy", "--config", cfg)
	var ee exitError
	if !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(ee.msg, "[deploy] target") {
		t.Errorf("deploy without a target: %v, want a usage error naming [deploy] target", err)
	}
	_, _, err = runCLI(t, "deploy", "--config", cfg, "s3://bucket?endpont=http://x")
	if err == nil || !strings.Contains(err.Error(), `unknown parameter "endpont"`) {
		t.Errorf("deploy with a misspelt parameter: %v, want it named", err)
	}
}

// TestDeployMendsADamagedStore holds that a deploy that finds pages'
// files in the store damaged (their size kept) renders the site again and
// uploads the right bytes, rather than failing, and failing again at
// every later deploy.
func TestDeployMendsADamagedStore(t *testing.T) {
	vgw := testvgw.Start(t, "site")
	p := newDeployProject(t, "")
	if _, err := deployCLI(t, p, vgw.Target("first")); err != nil {
		t.Fatal(err)
	}
	built := builtFiles(t, p.config)
	pages := []string{"articles/a/index.html", "articles/b/index.html"}
	if n := damageStored(t, p.config, built[pages[0]], built[pages[1]]); n != 2 {
		t.Fatalf("found the pages %d times in the store; want twice", n)
	}
	// Another prefix: every body is read again for its MD5.
	if _, err := deployCLI(t, p, vgw.Target("second")); err != nil {
		t.Fatalf("deploy over a damaged store: %v", err)
	}
	for _, page := range pages {
		if _, got := getObject(t, vgw, "second/"+page); !bytes.Equal(got, built[page]) {
			t.Errorf("%s: uploaded\n%s\nwant\n%s", page, got, built[page])
		}
	}
}
