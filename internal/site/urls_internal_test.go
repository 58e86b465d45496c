package site

import (
	"testing"

	"github.com/feedpub/feedpub/internal/config"
)

// TestAbsoluteIsResolving holds that absolute's shortcut gives what
// resolving the path against the base URL gives, for every kind of base
// and path a site has or could be given.
func TestAbsoluteIsResolving(t *testing.T) {
	bases := []string{
		"https://example.com/", "https://example.com", "https://example.com/blog/",
		"https://example.com/blog", "http://127.0.0.1:8080/", "https://[::1]:8443/a b/",
		"https://example.com/blog/?q=1#f", "https://user@example.com/x/y/", "https://example.com/%C3%A9t%C3%A9/",
	}
	paths := []string{
		"/", "", "/rss.xml", "/articles/hello/", "/articles/héllo wörld/", "/tags/c++/", "/tags/a%2Fb/",
		"/articles/../etc/", "/articles/./x/", "/..", "/.", "//x", "/a//b/", "/articles/?x=1#y/",
		"/archive/1/feed.json", "/articles/日本語/", "/a/b/../c", "/%", "/a:b/", "/articles/..x/",
	}
	for _, b := range bases {
		cfg := config.Default().Site
		cfg.BaseURL = b
		u, err := newURLs(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if u.prefix == "" {
			t.Errorf("%s: no shortcut", b)
		}
		for _, p := range paths {
			if got, want := u.absolute(p), u.resolve(trimSlash(p)); got != want {
				t.Errorf("base %q, path %q: %q; resolving gives %q", b, p, got, want)
			}
		}
	}
}

func trimSlash(p string) string {
	if len(p) > 0 && p[0] == '/' {
		return p[1:]
	}
	return p
}
