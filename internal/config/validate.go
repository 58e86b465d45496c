package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Validate reports every value in c that feedpub cannot work with, each
// naming its key, its line when c came from Load, what is wrong and what
// to do. It returns nil or an *Error listing all the problems. Validate
// does not derive or resolve anything: call it on a Config from Default or
// Load after changing fields, for example from command-line flags. Lines
// are those of the file c was loaded from.
func (c *Config) Validate() error {
	ps := &problems{path: c.Path, lines: c.lines}
	c.validate(ps)
	return ps.err()
}

// validate records the problems of every section in ps.
func (c *Config) validate(ps *problems) {
	c.Site.validate(ps)
	c.Articles.validate(ps)
	c.Feeds.validate(ps)
	c.Server.validate(ps)
	c.State.validate(ps)
	c.WebSub.validate(ps)
	c.Media.validate(ps)
	c.TLS.validate(ps, c.Site.BaseURL, c.Server.Listen)
	c.Deploy.validate(ps)
}

// check records a problem with key when msg is not "".
func (ps *problems) check(key, msg string) {
	if msg != "" {
		ps.addf(key, "%s", msg)
	}
}

// validate records the problems of [site] in ps.
func (s *Site) validate(ps *problems) {
	if strings.TrimSpace(s.Title) == "" {
		ps.check("site.title", "must not be empty: every feed needs a title")
	}
	baseURL := baseURLProblem(s.BaseURL)
	ps.check("site.base_url", baseURL)
	ps.check("site.language", languageProblem(s.Language))
	ps.check("site.author_email", emailProblem(s.AuthorEmail))
	ps.check("site.time_zone", timeZoneProblem(s.TimeZone))
	if s.TagAuthority != "" || baseURL == "" {
		// An empty tag authority failed to derive from a bad base_url,
		// which is reported already.
		ps.check("site.tag_authority", tagAuthorityProblem(s.TagAuthority))
	}
}

// validate records the problems of [articles] in ps.
func (a *Articles) validate(ps *problems) {
	if a.Dir == "" {
		ps.check("articles.dir", `must name the articles directory, like "articles"`)
	}
	if a.MaxBytes <= 0 {
		ps.check("articles.max_bytes", "must be a positive number of bytes, like 8388608 (8 MiB)")
	}
	if a.Debounce.Duration <= 0 {
		ps.check("articles.debounce", `must be positive, like "100ms": it is the quiet time after a change before feeds are rebuilt`)
	}
	switch {
	case a.MaxWait.Duration < 0:
		ps.check("articles.max_wait", negativeDuration)
	case a.Debounce.Duration > 0 && a.MaxWait.Duration < a.Debounce.Duration:
		ps.check("articles.max_wait", fmt.Sprintf("must be at least articles.debounce (%s), or changes could never wait for quiet", a.Debounce.Duration))
	}
	if a.Poll.Duration < 0 {
		ps.check("articles.poll", negativeDuration+`; "0s" turns polling off`)
	}
	switch a.Undated {
	case "first_seen", "git", "mtime":
	default:
		ps.check("articles.undated", fmt.Sprintf(`must be "first_seen", "git" or "mtime", not %q`, a.Undated))
	}
}

// negativeDuration is the message for a duration below zero.
const negativeDuration = `must not be negative, like "1s"`

// validate records the problems of [feeds] in ps.
func (f *Feeds) validate(ps *problems) {
	if f.Limit < 0 {
		ps.check("feeds.limit", "must not be negative; 0 puts every article in the feeds")
	}
	if f.MaxAge.Duration < 0 {
		ps.check("feeds.max_age", negativeDuration+`; "0s" lets caches keep nothing`)
	}
	if f.MaxBytes < minFeedBytes {
		ps.check("feeds.max_bytes", fmt.Sprintf("must be at least %d bytes, like 1048576 (1 MiB): below that not even an empty feed fits", minFeedBytes))
	}
	if f.ArchiveSize <= 0 {
		ps.check("feeds.archive_size", "must be a positive number of articles per archive page, like 50")
	}
	seen := make(map[string]string) // path → key
	for _, p := range []struct{ key, path string }{
		{"feeds.rss_path", f.RSSPath},
		{"feeds.atom_path", f.AtomPath},
		{"feeds.json_path", f.JSONPath},
	} {
		if other, ok := seen[p.path]; ok {
			key, with := p.key, other
			if !ps.lines.has(key) {
				// Blame the key the writer wrote, not the default.
				key, with = with, key
			}
			ps.check(key, fmt.Sprintf("%q is also the path of %s; each feed needs a path of its own", p.path, with))
			continue
		}
		seen[p.path] = p.key
		ps.check(p.key, feedPathProblem(p.path))
	}
}

// validate records the problems of [server] in ps.
func (s *Server) validate(ps *problems) {
	ps.check("server.listen", listenProblem(s.Listen))
	for _, t := range []struct {
		key string
		d   Duration
	}{
		{"server.read_header_timeout", s.ReadHeaderTimeout},
		{"server.read_timeout", s.ReadTimeout},
		{"server.write_timeout", s.WriteTimeout},
		{"server.idle_timeout", s.IdleTimeout},
		{"server.shutdown_timeout", s.ShutdownTimeout},
	} {
		if t.d.Duration <= 0 {
			ps.check(t.key, `must be positive, like "10s": without a limit, slow clients can hold connections forever`)
		}
	}
	if s.MaxHeaderBytes <= 0 {
		ps.check("server.max_header_bytes", "must be a positive number of bytes, like 16384")
	}
	s.validateProxying(ps)
	if s.MetricsListen != "" {
		if msg := listenProblem(s.MetricsListen); msg != "" {
			ps.check("server.metrics_listen", msg+`; "" serves /metrics on server.listen`)
		} else if s.MetricsListen == s.Listen {
			ps.check("server.metrics_listen", `must differ from server.listen; "" serves /metrics there`)
		} else if !s.Metrics {
			ps.check("server.metrics_listen", `is set but server.metrics is false; set metrics = true or remove metrics_listen`)
		}
	}
}

// minFeedBytes is the smallest feeds.max_bytes accepted: a feed's own
// elements take a few hundred bytes, and a budget below this could leave
// feeds with no items at all.
const minFeedBytes = 4096

// validate records the problems of [websub] in ps.
func (w *WebSub) validate(ps *problems) {
	seen := make(map[string]bool)
	for _, hub := range w.Hubs {
		switch {
		case seen[hub]:
			ps.check("websub.hubs", fmt.Sprintf("%q is listed twice; list each hub once", hub))
		case hubProblem(hub) != "":
			ps.check("websub.hubs", fmt.Sprintf("%q %s", hub, hubProblem(hub)))
		}
		seen[hub] = true
	}
}

// hubProblem checks one hub URL of websub.hubs.
func hubProblem(s string) string {
	u, err := url.Parse(s)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "":
		return `is not an absolute http or https URL, like "https://pubsubhubbub.appspot.com/"`
	case u.Fragment != "" || strings.Contains(s, "#"):
		return "must not have a fragment"
	case strings.ContainsAny(s, "<>\" \t\r\n"):
		// It goes into a Link header between angle brackets (RFC 8288).
		return "must not contain spaces, quotes or angle brackets"
	}
	return ""
}

// validate records the problems of [media] in ps.
func (m *Media) validate(ps *problems) {
	if m.MaxBytes <= 0 {
		ps.check("media.max_bytes", "must be a positive number of bytes, like 20971520 (20 MiB)")
	}
}

// validate records the problems of [state] in ps.
func (s *State) validate(ps *problems) {
	if s.File == "" {
		ps.check("state.file", `must name the state file, like ".feedpub/state.json"`)
	}
}

// baseURLProblem checks site.base_url.
func baseURLProblem(s string) string {
	u, err := url.Parse(s)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "":
		return `must be an absolute http or https URL, like "https://example.com/"`
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(s, "#"):
		return `must not have a query or fragment: links are built by appending paths to it, like "https://example.com/blog/"`
	case u.User != nil:
		return `must not contain a user name or password, like "https://example.com/"`
	}
	return ""
}

// languageTag is the shape of a BCP 47 tag: a 2–8 letter language subtag
// followed by subtags of 1–8 letters or digits (RFC 5646, section 2.1).
var languageTag = regexp.MustCompile(`^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$`)

// languageProblem checks site.language.
func languageProblem(s string) string {
	if !languageTag.MatchString(s) {
		return `must be a BCP 47 language tag, like "en" or "pt-BR"`
	}
	return ""
}

// emailProblem checks site.author_email, which may be empty.
func emailProblem(s string) string {
	if s == "" {
		return ""
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return `must be a plain email address, like "editor@example.com", or empty`
	}
	return ""
}

// timeZoneProblem checks site.time_zone.
func timeZoneProblem(s string) string {
	if _, err := time.LoadLocation(s); err != nil || s == "" {
		return fmt.Sprintf(`unknown time zone %q; use an IANA name, like "Europe/Berlin" or "UTC"`, s)
	}
	return ""
}

// tagAuthorityProblem checks site.tag_authority against RFC 4151, section
// 2.1: taggingEntity = authorityName "," date.
func tagAuthorityProblem(s string) string {
	name, date, ok := strings.Cut(s, ",")
	if !ok || !validAuthorityName(name) || !validTagDate(date) {
		return `must be "name,date" (RFC 4151), like "example.com,2026" or "you@example.com,2026-05": ` +
			`a domain name or email address you own, and a date (YYYY, YYYY-MM or YYYY-MM-DD) on which you owned it`
	}
	return ""
}

// validAuthorityName reports whether s is a DNSname or an emailAddress as
// RFC 4151 defines them.
func validAuthorityName(s string) bool {
	local, domain, isEmail := strings.Cut(s, "@")
	if !isEmail {
		return validDNSName(s)
	}
	if local == "" || strings.Trim(local, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._") != "" {
		return false
	}
	return validDNSName(domain)
}

// validDNSName reports whether s is a DNSname of RFC 4151: dot-separated
// components of letters, digits and inner hyphens.
func validDNSName(s string) bool {
	for comp := range strings.SplitSeq(s, ".") {
		if comp == "" || !isAlphaNum(comp[0]) || !isAlphaNum(comp[len(comp)-1]) {
			return false
		}
		for i := 0; i < len(comp); i++ {
			if !isAlphaNum(comp[i]) && comp[i] != '-' {
				return false
			}
		}
	}
	return true
}

// isAlphaNum reports whether c is an ASCII letter or digit.
func isAlphaNum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// validTagDate reports whether s is a date of RFC 4151: YYYY, YYYY-MM or
// YYYY-MM-DD.
func validTagDate(s string) bool {
	for _, layout := range []string{"2006", "2006-01", "2006-01-02"} {
		if len(s) == len(layout) {
			_, err := time.Parse(layout, s)
			return err == nil
		}
	}
	return false
}

// feedPathProblem checks the URL path of a feed.
func feedPathProblem(p string) string {
	switch {
	case !strings.HasPrefix(p, "/"):
		return `must begin with "/", like "/rss.xml"`
	case p == "/":
		return `must not be "/", which serves the index page`
	case strings.ContainsAny(p, "?# \t\r\n"):
		return `must be a plain path without a query, fragment or spaces, like "/rss.xml"`
	case path.Clean(p) != p:
		return fmt.Sprintf("must be a clean path, like %q", path.Clean(p))
	case p == "/healthz":
		return "must not be /healthz, which serves the health check"
	case p == "/articles" || strings.HasPrefix(p, "/articles/"):
		return "must not be under /articles/, which serves the article pages"
	case p == "/media" || strings.HasPrefix(p, "/media/"):
		return "must not be under /media/, which serves the images and media beside the articles"
	case p == "/tags" || strings.HasPrefix(p, "/tags/"):
		return "must not be under /tags/, which serves the tag pages and feeds"
	case p == "/archive" || strings.HasPrefix(p, "/archive/"):
		return "must not be under /archive/, which serves the feed archive"
	case p == "/feeds.opml":
		return "must not be /feeds.opml, which lists the feeds"
	}
	return ""
}

// listenProblem checks server.listen.
func listenProblem(s string) string {
	const like = `like "127.0.0.1:8080", or ":8080" for every interface`
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return "must be host:port, " + like
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return "must end in a port number from 0 to 65535, " + like
	}
	return ""
}

// validate records the problems of [deploy] in ps. The target's query is
// checked where it is used, by the deploy command.
func (d *Deploy) validate(ps *problems) {
	if d.Target != "" {
		if u, err := url.Parse(d.Target); err != nil || u.Scheme != "s3" || u.Host == "" {
			ps.check("deploy.target", `must be an s3:// URL naming a bucket, like "s3://my-bucket?region=us-east-1"`)
		}
	}
	if d.PageMaxAge.Duration < 0 {
		ps.check("deploy.page_max_age", `must not be negative, like "1m"`)
	}
	if d.MediaMaxAge.Duration < 0 {
		ps.check("deploy.media_max_age", `must not be negative, like "1h"`)
	}
}
