// Package config reads feedpub's config.toml: the schema, its defaults and
// its validation. A Config is a value passed down from main; there is no
// global configuration.
package config

import (
	"time"
)

// Config is the whole of config.toml after defaults are applied and
// relative paths are resolved against the config file's directory.
type Config struct {
	// Path is the config file this was loaded from, as given ("" for
	// Default()); problems name it so.
	Path string `toml:"-"`
	// AbsPath is Path made absolute and cleaned: what the watcher watches.
	AbsPath string `toml:"-"`

	Site     Site     `toml:"site"`
	Articles Articles `toml:"articles"`
	Feeds    Feeds    `toml:"feeds"`
	Server   Server   `toml:"server"`
	State    State    `toml:"state"`
	WebSub   WebSub   `toml:"websub"`
	Markdown Markdown `toml:"markdown"`
	Media    Media    `toml:"media"`
	TLS      TLS      `toml:"tls"`
	Deploy   Deploy   `toml:"deploy"`

	// lines places the keys of the file this was loaded from, for errors.
	lines *keyLines
}

// Site describes the publication.
type Site struct {
	// Title of the site and its feeds. Default "feedpub".
	Title string `toml:"title"`
	// Description of the site, used as the RSS channel description and the
	// Atom subtitle. Default "Articles published with feedpub."
	Description string `toml:"description"`
	// BaseURL is the absolute http(s) URL the site is served under; every
	// link in a feed is built from it. It always ends in "/" after loading.
	// Default "http://127.0.0.1:8080/".
	BaseURL string `toml:"base_url"`
	// Language of the site, a BCP 47 tag. Default "en".
	Language string `toml:"language"`
	// Author is the site author's name, used where an article names none.
	// Default: the site title.
	Author string `toml:"author"`
	// AuthorEmail is optional; RSS <managingEditor> needs an address.
	// Default "".
	AuthorEmail string `toml:"author_email"`
	// TimeZone is an IANA zone name for dates written without an offset.
	// Default "UTC".
	TimeZone string `toml:"time_zone"`
	// TagAuthority is the "authority,date" part of the tag URIs (RFC 4151)
	// that identify the feeds and their items, e.g. "example.com,2026".
	// Set it once and never change it: readers use ids to recognise items.
	// Default: the host of base_url followed by ",2026".
	TagAuthority string `toml:"tag_authority"`

	// Location is TimeZone loaded. Set by Load.
	Location *time.Location `toml:"-"`
}

// Articles says where the articles are and how they are watched.
type Articles struct {
	// Dir is the articles directory, relative to the config file.
	// Default "articles".
	Dir string `toml:"dir"`
	// MaxBytes is the largest article file read; larger ones are rejected.
	// Default 8388608 (8 MiB).
	MaxBytes int64 `toml:"max_bytes"`
	// Debounce is the quiet period after a change before rebuilding.
	// Default "100ms".
	Debounce Duration `toml:"debounce"`
	// MaxWait bounds how long a stream of changes can delay a rebuild.
	// Default "1s".
	MaxWait Duration `toml:"max_wait"`
	// Poll, when non-zero, also rescans the directory at this interval,
	// for file systems that deliver no change events. Default "0s" (off).
	Poll Duration `toml:"poll"`
	// Undated is how an article that declares no date (no Date header,
	// no date prefix in its file name) is dated: "first_seen", when
	// feedpub first saw the file (kept in the state file); "git", the
	// author date of the commit that added the file, following renames,
	// with its last commit's as its updated date, the same on every
	// clone (an uncommitted file falls back to first_seen); or "mtime",
	// the file's modification time. Default "first_seen".
	Undated string `toml:"undated"`
}

// Feeds configures the feed documents.
type Feeds struct {
	// Limit is the number of newest items in each feed; 0 means all.
	// Default 20.
	Limit int `toml:"limit"`
	// FullContent puts the whole article in feeds; false puts the summary
	// only. Default true.
	FullContent bool `toml:"full_content"`
	// RSSPath, AtomPath and JSONPath are the URL paths of the feeds.
	// Defaults "/rss.xml", "/atom.xml", "/feed.json".
	RSSPath  string `toml:"rss_path"`
	AtomPath string `toml:"atom_path"`
	JSONPath string `toml:"json_path"`
	// MaxAge is the Cache-Control max-age of feed responses.
	// Default "5m".
	MaxAge Duration `toml:"max_age"`
	// MaxBytes bounds the size of every feed document, uncompressed. A
	// subscription feed over it first gives its oldest items their summary
	// instead of their full content, then leaves the oldest items out
	// (the archive then holds them). Archive pages, which carry summaries
	// only, never leave an item out: with the subscription feed they are
	// the complete record.
	// Default 1048576 (1 MiB).
	MaxBytes int64 `toml:"max_bytes"`
	// ArchiveSize is the number of articles on each archive page
	// (RFC 5005 §4). The archive holds the articles the subscription
	// feed does not, counted from the oldest, so a full page never
	// changes. Default 50.
	ArchiveSize int `toml:"archive_size"`
}

// Server configures the HTTP server.
type Server struct {
	// Listen is the TCP address to listen on. Default "127.0.0.1:8080".
	Listen string `toml:"listen"`
	// ReadHeaderTimeout, ReadTimeout, WriteTimeout and IdleTimeout bound
	// each phase of a connection. Defaults "5s", "10s", "30s", "120s".
	ReadHeaderTimeout Duration `toml:"read_header_timeout"`
	ReadTimeout       Duration `toml:"read_timeout"`
	WriteTimeout      Duration `toml:"write_timeout"`
	IdleTimeout       Duration `toml:"idle_timeout"`
	// MaxHeaderBytes bounds request headers. Default 16384.
	MaxHeaderBytes int `toml:"max_header_bytes"`
	// ShutdownTimeout bounds how long shutdown waits for in-flight
	// requests. Default "10s".
	ShutdownTimeout Duration `toml:"shutdown_timeout"`
	// AccessLog logs one line per request. Default false.
	AccessLog bool `toml:"access_log"`
	// Metrics serves Prometheus metrics at /metrics: requests by route
	// and status, bytes sent, the snapshot served and rebuilds.
	// Default true.
	Metrics bool `toml:"metrics"`
	// MetricsListen, when not empty, serves /metrics on this TCP address
	// only, apart from the site, so it need not be public; empty serves
	// it beside the site on Listen. Default "".
	MetricsListen string `toml:"metrics_listen"`
	// TrustedProxies are the addresses ("127.0.0.1") and networks
	// ("10.0.0.0/8") of reverse proxies whose X-Forwarded-For and
	// X-Forwarded-Proto are believed, for the access log and metrics.
	// Links never come from request headers. Default [] (none).
	TrustedProxies []string `toml:"trusted_proxies"`
	// LogFormat is "text" (key=value) or "json" (one object per line),
	// for every log line. Default "text".
	LogFormat string `toml:"log_format"`
}

// State configures the state file in which feedpub remembers article ids.
type State struct {
	// File is the state file, relative to the config file.
	// Default ".feedpub/state.json".
	File string `toml:"file"`
}

// WebSub configures real-time notification of feed changes through
// WebSub hubs (W3C WebSub Recommendation).
type WebSub struct {
	// Hubs are the absolute http(s) URLs of the hubs every feed
	// advertises and that are told, after each rebuild, which feeds
	// changed. Default none: no hub is advertised or pinged.
	Hubs []string `toml:"hubs"`
}

// Markdown configures how Markdown articles are rendered.
type Markdown struct {
	// UnsafeHTML keeps raw HTML written in Markdown articles, cleaned of
	// scripts, styles and event handlers; false leaves raw HTML out.
	// Default false.
	UnsafeHTML bool `toml:"unsafe_html"`
}

// Media configures the images and other media files kept beside the
// articles, which are served under /media/.
type Media struct {
	// MaxBytes is the largest media file served; larger ones are reported
	// and skipped. Default 20971520 (20 MiB).
	MaxBytes int64 `toml:"max_bytes"`
}

// Deploy configures `feedpub deploy`, which uploads the site to
// S3-compatible object storage. Credentials never come from here: they
// come from the environment or the standard AWS shared files.
type Deploy struct {
	// Target is the default deploy target,
	// "s3://BUCKET[/PREFIX]?endpoint=URL&region=R&path_style=true"; the
	// command line's TARGET overrides it. Default "" (none).
	Target string `toml:"target"`
	// Gzip stores text documents gzip-compressed with Content-Encoding:
	// gzip. A bucket holds one variant and cannot negotiate, so clients
	// that do not accept gzip would get bytes they cannot read; CDNs
	// compress on their own. Default false.
	Gzip bool `toml:"gzip"`
	// DirectoryKeys also stores each directory page (articles/x/index.html)
	// at its directory key (articles/x/), for stores that serve no index
	// documents. Default false.
	DirectoryKeys bool `toml:"directory_keys"`
	// PageMaxAge is the Cache-Control max-age of HTML pages, stylesheets
	// and the like. Default "1m".
	PageMaxAge Duration `toml:"page_max_age"`
	// MediaMaxAge is the Cache-Control max-age of media files.
	// Default "1h".
	MediaMaxAge Duration `toml:"media_max_age"`
}

// Duration is a time.Duration written in TOML as a string ("100ms", "2s").
type Duration struct{ time.Duration }

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(text []byte) error {
	v, err := time.ParseDuration(string(text))
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

// MarshalText writes the duration as a Go duration string.
func (d Duration) MarshalText() ([]byte, error) {
	return []byte(d.Duration.String()), nil
}
