package server

import (
	"net/http"
	"strings"
)

// noneMatch evaluates If-None-Match (RFC 9110 §13.1.2) for a request that
// would get variant v of e. present is false when the field is absent or
// empty, so If-Modified-Since applies instead. match is the variant whose
// 304 to send, or nil to send the 200.
//
// The comparison is weak, as the RFC requires for If-None-Match:
// W/"x" matches "x". "*" matches, since the document exists. A tag of any
// variant of the current body matches, not only v's: a client that holds
// the gzip bytes and now prefers identity (or the reverse) has a current
// copy, and a cache that lists the tags of every stored variant
// (RFC 9111 §4.3.1) learns from the 304's ETag which one to freshen
// (§4.3.4). v is preferred when it matches too. Every field line counts;
// ServeContent reads only the first.
func (e *entry) noneMatch(values []string, v *variant) (match *variant, present bool) {
	if len(values) == 1 && values[0] == v.etag {
		return v, true // the common case: a client sending back the tag it got
	}
	var other *variant
	for _, value := range values {
		list := value
		if strings.TrimSpace(list) != "" {
			present = true
		}
		for {
			list = strings.TrimLeft(list, " \t,")
			if list == "" {
				break
			}
			if list[0] == '*' {
				return v, true
			}
			tag, rest, ok := scanETag(list)
			if !ok {
				// A malformed list matches nothing (as in ServeContent).
				break
			}
			list = rest
			switch opaque := strings.TrimPrefix(tag, "W/"); {
			case opaque == v.etag:
				return v, true
			case opaque == e.identity.etag:
				other = &e.identity
			case opaque == e.gzipETag:
				if other = e.gzipVariant(); other == nil {
					other = &e.gzipNotModified
				}
			}
		}
	}
	return other, present
}

// scanETag reads an entity tag (RFC 9110 §8.8.3: [W/] DQUOTE *etagc
// DQUOTE) from the start of s.
func scanETag(s string) (tag, rest string, ok bool) {
	start := 0
	if strings.HasPrefix(s, "W/") {
		start = 2
	}
	if len(s) < start+2 || s[start] != '"' {
		return "", "", false
	}
	for i := start + 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return s[:i+1], s[i+1:], true
		case c == 0x21 || c >= 0x23 && c <= 0x7E || c >= 0x80:
		default:
			return "", "", false
		}
	}
	return "", "", false
}

// notModifiedSince evaluates If-Modified-Since (RFC 9110 §13.1.3): true
// when the document has not changed since the given date. An invalid date
// is ignored, as the RFC requires.
func (e *entry) notModifiedSince(ims string) bool {
	if e.lastModified == "" {
		return false
	}
	if ims == e.lastModified {
		return true // the date the client got from us, sent back
	}
	t, err := http.ParseTime(ims)
	return err == nil && !e.modTime.After(t)
}
