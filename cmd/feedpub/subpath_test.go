package main

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"

	"github.com/feedpub/feedpub/internal/syncbuf"
)

// TestServeUnderBasePath runs feedpub serve as the command line does,
// with a base_url that has a path, JSON logs and the access log: the
// feed is under the path, its links lead to pages that are served, the
// root is not the site, and every log line is a JSON object.
func TestServeUnderBasePath(t *testing.T) {
	addr := freeAddr(t)
	path := project(t, map[string]string{"a.txt": seedArticle(t), "b.txt": "Title: B\nDate: 2024-01-01\n\nBee.\n"})
	conf := "[site]\ntitle = \"Sub\"\nbase_url = \"http://" + addr + "/blog/\"\n" +
		"[server]\nlisten = \"" + addr + "\"\nlog_format = \"json\"\naccess_log = true\n"
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	logs := &syncbuf.Buffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve", "--config", path}, logs, logs) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		for line := range strings.SplitSeq(strings.TrimSpace(logs.String()), "\n") {
			var v map[string]any
			if err := json.Unmarshal([]byte(line), &v); err != nil {
				t.Errorf("log line %q is not JSON: %v", line, err)
			}
		}
	}()
	waitServing(t, addr)

	base := "http://" + addr
	resp, body := get(t, base+"/blog/rss.xml", "User-Agent", "reader/2.0", "Referer", "https://ref.example/")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /blog/rss.xml: %d", resp.StatusCode)
	}
	feed, err := gofeed.NewParser().ParseString(string(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(feed.Items) != 2 {
		t.Fatalf("%d items, want 2", len(feed.Items))
	}
	for _, item := range feed.Items {
		if !strings.HasPrefix(item.Link, base+"/blog/articles/") {
			t.Errorf("item link %q is not under the base path", item.Link)
		}
		if resp, _ := get(t, item.Link); resp.StatusCode != 200 {
			t.Errorf("GET %s: %d, want 200", item.Link, resp.StatusCode)
		}
	}
	if resp, _ := get(t, base+"/rss.xml"); resp.StatusCode != 404 {
		t.Errorf("GET /rss.xml: %d, want 404 outside the base path", resp.StatusCode)
	}
	if resp, _ := get(t, base+"/blog"); resp.StatusCode != 301 || resp.Header.Get("Location") != "/blog/" {
		t.Errorf("GET /blog: %d to %q, want 301 to /blog/", resp.StatusCode, resp.Header.Get("Location"))
	}
	waitFor(t, "the access log line of the feed", func() error {
		for line := range strings.SplitSeq(logs.String(), "\n") {
			if strings.Contains(line, `"path":"/blog/rss.xml"`) && strings.Contains(line, `"user_agent":"reader/2.0"`) && strings.Contains(line, `"referrer":"https://ref.example/"`) {
				return nil
			}
		}
		return errNotYet
	})
}
