package article

import (
	"fmt"
	"mime"
	"net/url"
	"strconv"
	"strings"
)

// Enclosure is a media file attached to an article, such as a podcast
// episode: RSS 2.0's <enclosure>, Atom's link rel="enclosure" (RFC 4287
// §4.2.7.2) and a JSON Feed attachment all carry these three values.
type Enclosure struct {
	// URL is the file's absolute http or https URL.
	URL string
	// Length is the file's size in bytes; 0 means unknown, as the RSS
	// Advisory Board's best practices allow.
	Length int64
	// Type is the file's MIME type, like "audio/mpeg".
	Type string
}

// parseEnclosure reads the value of an Enclosure header, "URL length
// type". The URL must be absolute http or https: a feed carries it to
// podcast players as it is, and a relative one would resolve against
// whatever page or feed the player fetched. On error the message says
// what to write instead.
func parseEnclosure(value string) (*Enclosure, error) {
	const form = `write "Enclosure: URL length type", like "Enclosure: https://example.com/ep1.mp3 12345678 audio/mpeg"`
	fields := strings.Fields(value)
	if len(fields) != 3 {
		return nil, fmt.Errorf("bad Enclosure %q: %s", value, form)
	}
	rawURL, length, typ := fields[0], fields[1], fields[2]
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("bad Enclosure URL %q: it must be an absolute http or https URL; %s", rawURL, form)
	}
	n, err := strconv.ParseInt(length, 10, 64)
	if err != nil || n < 0 {
		return nil, fmt.Errorf("bad Enclosure length %q: it must be the file's size in bytes, a whole number (0 if unknown); %s", length, form)
	}
	mediaType, _, err := mime.ParseMediaType(typ)
	if major, minor, ok := strings.Cut(mediaType, "/"); err != nil || !ok || major == "" || minor == "" {
		return nil, fmt.Errorf("bad Enclosure type %q: it must be a MIME type like audio/mpeg or application/pdf; %s", typ, form)
	}
	return &Enclosure{URL: rawURL, Length: n, Type: typ}, nil
}
