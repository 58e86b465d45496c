package site

import (
	"net/url"
	"strings"

	"github.com/feedpub/feedpub/internal/config"
)

// urls builds the absolute URLs and tag URIs of a site from its config.
type urls struct {
	base *url.URL
	// prefix is what a relative path without dot segments is appended
	// to when resolved against base (absolute), or "" when that is not
	// known.
	prefix    string
	authority string
}

func newURLs(cfg config.Site) (urls, error) {
	base, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return urls{}, err
	}
	u := urls{base: base, authority: cfg.TagAuthority}
	if probe := u.resolve("x"); strings.HasSuffix(probe, "/x") {
		u.prefix = strings.TrimSuffix(probe, "x")
	}
	return u, nil
}

// articlePath is the decoded URL path of an article page.
func articlePath(slug string) string {
	return "/articles/" + slug + "/"
}

// absolute returns the absolute URL of a decoded site path ("/rss.xml"),
// percent-encoding each segment, resolved against the base URL so a site
// served under a sub-path works.
func (u urls) absolute(path string) string {
	rel := strings.TrimPrefix(path, "/")
	// Resolved against the base, the escaped path follows the base's
	// directory, unless it has something to resolve: dot segments, a
	// leading slash, or nothing. Every page and feed item has URLs, and
	// resolving each was a second of CPU at 100,000 articles.
	if escaped := escapeSegments(rel); u.prefix != "" && escaped != "" && escaped[0] != '/' && !hasDotSegment(escaped) {
		return u.prefix + escaped
	}
	return u.resolve(rel)
}

// resolve returns the absolute URL of rel, a decoded path relative to
// the base URL.
func (u urls) resolve(rel string) string {
	ref := &url.URL{Path: rel}
	ref.RawPath = escapeSegments(ref.Path)
	return u.base.ResolveReference(ref).String()
}

// hasDotSegment reports whether a slash-separated path has a "." or ".."
// segment, which resolving removes (RFC 3986 §5.2.4).
func hasDotSegment(p string) bool {
	for seg := range strings.SplitSeq(p, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// tag returns a tag URI (RFC 4151) "tag:authority:specific". The specific
// part is percent-encoded segment by segment, which keeps it within the
// RFC's pchar and "/" characters.
func (u urls) tag(specific string) string {
	return "tag:" + u.authority + ":" + escapeSegments(specific)
}

func escapeSegments(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}
