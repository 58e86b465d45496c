package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/deploy"
	"github.com/feedpub/feedpub/internal/testvgw"
)

// deployed is one continuous deploy's outcome.
type deployed struct {
	sum deploy.Summary
	err error
	at  time.Time
}

// watchEnv returns an env for the project that reports each continuous
// deploy on the returned channel, with short store retries.
func watchEnv(t *testing.T, p deployProject, target string) (*env, <-chan deployed) {
	t.Helper()
	ch := make(chan deployed, 16)
	e := &env{configPath: p.config, args: []string{target}, stdout: io.Discard, stderr: io.Discard,
		logger:       slog.New(slog.DiscardHandler),
		onDeployed:   func(s deploy.Summary, err error) { ch <- deployed{s, err, time.Now()} },
		storeRetries: deploy.ClientOptions{Attempts: 2, MaxBackoff: 10 * time.Millisecond},
	}
	return e, ch
}

// next waits for the next deploy. The bound only keeps a broken test
// from hanging; convergence time is logged, not asserted.
func next(t *testing.T, ch <-chan deployed) deployed {
	t.Helper()
	select {
	case d := <-ch:
		return d
	case <-time.After(time.Minute):
		t.Fatal("no deploy within a minute")
		return deployed{}
	}
}

// watchProject makes a deploy project with deployLines in its config,
// lets prepare, if set, change it, and runs deploy --watch of it to a
// new store until the test ends. It returns once the first deploy
// succeeded.
func watchProject(t *testing.T, deployLines string, prepare func(deployProject)) (*testvgw.Server, deployProject, <-chan deployed) {
	t.Helper()
	vgw := testvgw.Start(t, "site")
	p := newDeployProject(t, deployLines)
	if prepare != nil {
		prepare(p)
	}
	e, ch := watchEnv(t, p, vgw.Target(""))
	startWatchDeploy(t, e)
	if d := next(t, ch); d.err != nil || d.sum.Uploaded == 0 {
		t.Fatalf("first deploy: %v, %v", d.sum, d.err)
	}
	return vgw, p, ch
}

// startWatchDeploy runs deploy --watch with e until the test ends.
func startWatchDeploy(t *testing.T, e *env) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runWatchDeploy(ctx, e, deployFlags{maxDeletes: 256}) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("deploy --watch returned %v", err)
		}
	})
}

func TestWatchDeployConverges(t *testing.T) {
	vgw, p, ch := watchProject(t, "", nil)
	p.hub.await(t, 9) // every feed, the first time

	changed := time.Now()
	writeFile(t, filepath.Join(p.articles, "d.txt"), "Title: D\nDate: 2024-02-01\nTags: red\n\nFourth.\n")
	d := next(t, ch)
	t.Logf("store converged %v after the file was written: %v", d.at.Sub(changed), d.sum)
	if d.err != nil || d.sum.Deleted != 0 || d.sum.Unchanged == 0 {
		t.Fatalf("deploy of a new article: %v, %v; want some uploads and the rest unchanged", d.sum, d.err)
	}
	built := builtFiles(t, p.config)
	for _, key := range []string{"articles/d/index.html", "rss.xml", "tags/red/atom.xml"} {
		if _, body := getObject(t, vgw, key); !bytes.Equal(body, built[key]) {
			t.Errorf("%s stored differs from what build writes now", key)
		}
	}
	// The main feeds and red's.
	if topics := p.hub.await(t, 6); !slices.Contains(topics, "http://127.0.0.1:8080/tags/red/atom.xml") {
		t.Errorf("the hub was told of %v, want the new article's feeds", topics)
	}

	os.Remove(filepath.Join(p.articles, "d.txt"))
	if d := next(t, ch); d.err != nil || d.sum.Deleted == 0 {
		t.Fatalf("deploy after a delete: %v, %v; want its page deleted", d.sum, d.err)
	}
	if _, ok := stored(t, vgw)["articles/d/index.html"]; ok {
		t.Error("the deleted article's page is still stored")
	}
}

// TestWatchDeployGoesOnWhileAHubHangs holds that pings go in the
// background: with the hub hanging on the first ping, the next deploys,
// a new article and its deletion, still go out, and once the hub answers
// it is told of every feed.
func TestWatchDeployGoesOnWhileAHubHangs(t *testing.T) {
	vgw, p, ch := watchProject(t, "", func(p deployProject) { p.hub.hang(t) })
	p.hub.await(t, 1) // and never answered

	writeFile(t, filepath.Join(p.articles, "d.txt"), "Title: D\nDate: 2024-02-01\nTags: red\n\nFourth.\n")
	if d := next(t, ch); d.err != nil || d.sum.Uploaded == 0 {
		t.Fatalf("deploy of a new article while the hub hangs: %v, %v", d.sum, d.err)
	}
	os.Remove(filepath.Join(p.articles, "d.txt"))
	if d := next(t, ch); d.err != nil || d.sum.Deleted == 0 {
		t.Fatalf("deploy after a delete while the hub hangs: %v, %v; want its page deleted", d.sum, d.err)
	}
	if _, ok := stored(t, vgw)["articles/d/index.html"]; ok {
		t.Error("the deleted article's page is still stored")
	}

	p.hub.answer()
	if topics := p.hub.await(t, 9); !slices.Contains(topics, "http://127.0.0.1:8080/tags/blue/rss.xml") {
		t.Errorf("once it answered, the hub was told of %v; want every feed of the first deploy", topics)
	}
}

// TestWatchDeployTakesTheReloadedConfig edits config.toml while deploy
// --watch runs: the next deploy pings the new hubs, not the old, and
// gives objects the new Cache-Control; a change of [deploy] alone, which
// changes no document, is deployed too.
func TestWatchDeployTakesTheReloadedConfig(t *testing.T) {
	vgw, p, ch := watchProject(t, "\n[deploy]\npage_max_age = \"1m\"\n", nil)
	p.hub.await(t, 9)
	cacheControl := func() string {
		o, _ := getObject(t, vgw, "articles/a/index.html")
		return aws.ToString(o.CacheControl)
	}
	if got := cacheControl(); got != "public, max-age=60" {
		t.Fatalf("first deploy: Cache-Control %q", got)
	}

	newHub, newHubURL := newHubRecorder(t)
	editConfig(t, p.config, p.hubURL, newHubURL, `page_max_age = "1m"`, `page_max_age = "2m"`)
	if d := next(t, ch); d.err != nil {
		t.Fatalf("deploy after the config changed: %v", d.err)
	}
	if got := cacheControl(); got != "public, max-age=120" {
		t.Errorf("after page_max_age became 2m: Cache-Control %q, want public, max-age=120", got)
	}
	// New hubs in the feeds: every feed changed.
	if topics := newHub.await(t, 9); !slices.Contains(topics, "http://127.0.0.1:8080/rss.xml") {
		t.Errorf("the new hub was told of %v", topics)
	}
	if topics := p.hub.take(); len(topics) != 0 {
		t.Errorf("the hub no longer configured was told of %v", topics)
	}

	editConfig(t, p.config, `page_max_age = "2m"`, `page_max_age = "3m"`)
	if d := next(t, ch); d.err != nil || d.sum.Uploaded == 0 {
		t.Fatalf("deploy after page_max_age alone changed: %v, %v; want the pages uploaded again", d.sum, d.err)
	}
	if got := cacheControl(); got != "public, max-age=180" {
		t.Errorf("after page_max_age became 3m: Cache-Control %q, want public, max-age=180", got)
	}
}

// editConfig replaces old with new in the config file, in pairs, and
// renames the result into place so that the watcher never reads half a
// file.
func editConfig(t *testing.T, path string, oldNew ...string) {
	t.Helper()
	text := readFile(t, path)
	for i := 0; i < len(oldNew); i += 2 {
		if !strings.Contains(text, oldNew[i]) {
			t.Fatalf("%s lacks %q:\n%s", path, oldNew[i], text)
		}
		text = strings.ReplaceAll(text, oldNew[i], oldNew[i+1])
	}
	writeFile(t, path+".new", text)
	if err := os.Rename(path+".new", path); err != nil {
		t.Fatal(err)
	}
}

// TestServeDeployReportsAFailingStore serves with --deploy to a store
// that stops: serving goes on, /healthz shows the lag and the error,
// /metrics the lag, and once the store is back the next change catches
// it up.
func TestServeDeployReportsAFailingStore(t *testing.T) {
	vgw := testvgw.Start(t, "site")
	p := newDeployProject(t, "[server]\nlisten = \""+freeAddr(t)+"\"\n")
	e, ch := watchEnv(t, p, "")
	cfg, err := e.loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if e.continuous, err = newContinuous(context.Background(), e, cfg, vgw.Target(""), deployFlags{maxDeletes: 256}); err != nil {
		t.Fatal(err)
	}
	startServe(t, e, cfg)
	if d := next(t, ch); d.err != nil {
		t.Fatalf("first deploy: %v", d.err)
	}

	vgw.Stop()
	writeFile(t, filepath.Join(p.articles, "d.txt"), "Title: D\nDate: 2024-02-01\n\nFourth.\n")
	if d := next(t, ch); d.err == nil {
		t.Fatal("deploy to a stopped store succeeded")
	}
	resp, body := get(t, "http://"+cfg.Server.Listen+"/articles/d/")
	if resp.StatusCode != 200 {
		t.Errorf("the new article is not served locally while the store is down: %d", resp.StatusCode)
	}
	var health struct {
		Generation uint64
		Deploy     deploy.Status
	}
	_, body = get(t, "http://"+cfg.Server.Listen+"/healthz")
	if err := json.Unmarshal(body, &health); err != nil {
		t.Fatal(err)
	}
	if health.Deploy.Lag != 1 || health.Deploy.LastError == "" || health.Deploy.Generation != health.Generation-1 {
		t.Errorf("/healthz = %s, want deploy lag 1 and the last error", body)
	}
	_, body = get(t, "http://"+cfg.Server.Listen+"/metrics")
	if !strings.Contains(string(body), "feedpub_deploy_lag_generations 1") {
		t.Errorf("/metrics lacks the deploy lag:\n%s", grepLines(body, "feedpub_deploy"))
	}

	vgw.Restart()
	// The retry after backoff catches up without another change.
	for {
		d := next(t, ch)
		if d.err == nil {
			break
		}
	}
	if _, ok := stored(t, vgw)["articles/d/index.html"]; !ok {
		t.Error("the article written while the store was down was never deployed")
	}
	_, body = get(t, "http://"+cfg.Server.Listen+"/healthz")
	if !strings.Contains(string(body), `"lag":0`) || strings.Contains(string(body), "last_error\"") {
		t.Errorf("/healthz after catching up = %s", body)
	}
}

// startServe serves cfg with e until the test ends.
func startServe(t *testing.T, e *env, cfg config.Config) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, e, cfg) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve returned %v, want nil", err)
		}
	})
	waitServing(t, cfg.Server.Listen)
}
