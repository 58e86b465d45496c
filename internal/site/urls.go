package site

import (
	"net/url"
	"strings"

	"github.com/feedpub/feedpub/internal/config"
)

// urls builds the absolute URLs and tag URIs of a site from its config.
type urls struct {
	base      *url.URL
	authority string
}

func newURLs(cfg config.Site) (urls, error) {
	base, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return urls{}, err
	}
	return urls{base: base, authority: cfg.TagAuthority}, nil
}

// articlePath is the decoded URL path of an article page.
func articlePath(slug string) string {
	return "/articles/" + slug + "/"
}

// absolute returns the absolute URL of a decoded site path ("/rss.xml"),
// percent-encoding each segment, resolved against the base URL so a site
// served under a sub-path works.
func (u urls) absolute(path string) string {
	ref := &url.URL{Path: strings.TrimPrefix(path, "/")}
	ref.RawPath = escapeSegments(ref.Path)
	return u.base.ResolveReference(ref).String()
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
