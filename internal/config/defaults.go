package config

import (
	"net/url"
	"strings"
	"time"

	// Embedded so that time_zone works on hosts without a zoneinfo
	// database, such as minimal containers.
	_ "time/tzdata"
)

// tagYear is the date part of a derived tag authority. RFC 4151 wants a
// date on which the authority name was held; a fixed year keeps derived
// ids stable across restarts and years.
const tagYear = "2026"

// Default returns the configuration used when config.toml sets nothing:
// every field holds the default stated in its doc comment. The derived
// fields are filled in too: Location is UTC, Author is the site title and
// TagAuthority is "127.0.0.1,2026", which serves for trying feedpub out; a
// real site sets tag_authority to a name it owns. Articles.Dir and
// State.File are relative to the current directory. Path is "".
func Default() Config {
	c := defaults()
	c.derive()
	return c
}

// defaults returns the documented defaults without the derived fields, the
// starting point onto which a file is decoded.
func defaults() Config {
	return Config{
		Site: Site{
			Title:       "feedpub",
			Description: "Articles published with feedpub.",
			BaseURL:     "http://127.0.0.1:8080/",
			Language:    "en",
			TimeZone:    "UTC",
		},
		Articles: Articles{
			Dir:      "articles",
			MaxBytes: 8 << 20,
			Debounce: Duration{100 * time.Millisecond},
			MaxWait:  Duration{time.Second},
			Undated:  "first_seen",
		},
		Feeds: Feeds{
			Limit:       20,
			FullContent: true,
			RSSPath:     "/rss.xml",
			AtomPath:    "/atom.xml",
			JSONPath:    "/feed.json",
			MaxAge:      Duration{5 * time.Minute},
			MaxBytes:    1 << 20,
			ArchiveSize: 50,
		},
		Server: Server{
			Listen:            "127.0.0.1:8080",
			ReadHeaderTimeout: Duration{5 * time.Second},
			ReadTimeout:       Duration{10 * time.Second},
			WriteTimeout:      Duration{30 * time.Second},
			IdleTimeout:       Duration{120 * time.Second},
			MaxHeaderBytes:    16 << 10,
			ShutdownTimeout:   Duration{10 * time.Second},
			Metrics:           true,
			TrustedProxies:    []string{},
			LogFormat:         LogText,
		},
		State: State{
			File: ".feedpub/state.json",
		},
		Media: Media{
			MaxBytes: 20 << 20,
		},
		TLS: tlsDefaults(),
		Deploy: Deploy{
			PageMaxAge:  Duration{time.Minute},
			MediaMaxAge: Duration{time.Hour},
		},
	}
}

// derive fills in the fields whose defaults depend on other fields, and
// gives BaseURL its trailing slash. A value it cannot derive, such as the
// location of an unknown time zone, stays empty for Validate to report.
func (c *Config) derive() {
	s := &c.Site
	s.BaseURL = withTrailingSlash(s.BaseURL)
	if loc, err := time.LoadLocation(s.TimeZone); err == nil && s.TimeZone != "" {
		s.Location = loc
	}
	if s.TagAuthority == "" {
		s.TagAuthority = tagAuthorityFor(s.BaseURL)
	}
	if s.Author == "" {
		s.Author = s.Title
	}
	c.deriveTLS()
}

// withTrailingSlash appends "/" to a base URL that lacks one, so that
// relative references resolve under it rather than beside it (RFC 3986,
// section 5.2.3). A URL with a query or fragment is left for Validate.
func withTrailingSlash(base string) string {
	if base == "" || strings.HasSuffix(base, "/") || strings.ContainsAny(base, "?#") {
		return base
	}
	return base + "/"
}

// tagAuthorityFor derives a tag authority from the host of base, without
// its port, or returns "" when base has no host.
func tagAuthorityFor(base string) string {
	u, err := url.Parse(base)
	if err != nil || u.Hostname() == "" {
		return ""
	}
	return strings.ToLower(u.Hostname()) + "," + tagYear
}

// SetBaseURL replaces Site.BaseURL, as a command-line flag does, adding
// the trailing "/" Load adds. The tag authority stays as it is, even when
// it was derived from the old base URL: it is part of every feed and item
// id, and ids must not change because a preview is served elsewhere.
// Validate checks the new value.
func (c *Config) SetBaseURL(base string) {
	c.Site.BaseURL = withTrailingSlash(base)
}
