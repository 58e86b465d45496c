package feedtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"time"
)

// jsonVersion is the only version ValidateJSON accepts.
const jsonVersion = "https://jsonfeed.org/version/1.1"

// kind is the JSON Feed 1.1 type of a member.
type kind int

const (
	kString  kind = iota
	kURL          // a string holding an absolute URL
	kDate         // a string in RFC 3339 format
	kBool         // true or false
	kStrings      // an array of strings
	kAuthors      // an array of author objects
	kAuthor       // one author object (1.0, deprecated in 1.1)
	kObjects      // an array of objects (hubs, attachments)
	kItems        // an array of item objects
)

// feedMembers and itemMembers are the members JSON Feed 1.1 defines for
// the top-level object and for an item. Other names must start with "_"
// (the spec's "Extensions" section), so anything else is most likely a
// misspelling.
var (
	feedMembers = map[string]kind{
		"version": kString, "title": kString, "home_page_url": kURL,
		"feed_url": kURL, "description": kString, "user_comment": kString,
		"next_url": kURL, "icon": kURL, "favicon": kURL, "language": kString,
		"expired": kBool, "authors": kAuthors, "author": kAuthor,
		"hubs": kObjects, "items": kItems,
	}
	itemMembers = map[string]kind{
		"id": kString, "url": kURL, "external_url": kURL, "title": kString,
		"content_html": kString, "content_text": kString, "summary": kString,
		"image": kURL, "banner_image": kURL, "date_published": kDate,
		"date_modified": kDate, "authors": kAuthors, "author": kAuthor,
		"tags": kStrings, "language": kString, "attachments": kObjects,
	}
)

// jsonChecker collects problems with their member paths.
type jsonChecker struct {
	problems []string
}

func (c *jsonChecker) addf(path, format string, args ...any) {
	c.problems = append(c.problems, path+": "+fmt.Sprintf(format, args...))
}

// jsonFeedProblems lists every way doc departs from JSON Feed 1.1's
// required members and member types.
func jsonFeedProblems(doc []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(doc))
	var top map[string]any
	if err := dec.Decode(&top); err != nil {
		return []string{"not a JSON object: " + err.Error()}
	}
	if _, err := dec.Token(); err != io.EOF {
		return []string{"data after the top-level object"}
	}
	var c jsonChecker
	if v, _ := top["version"].(string); v != jsonVersion {
		c.addf("version", "%q, want %q", top["version"], jsonVersion)
	}
	c.object("feed", top, feedMembers, "title", "items")
	items, _ := top["items"].([]any)
	for i, it := range items {
		path := fmt.Sprintf("items[%d]", i)
		obj, ok := it.(map[string]any)
		if !ok {
			c.addf(path, "not an object")
			continue
		}
		c.object(path, obj, itemMembers, "id")
		if obj["content_html"] == nil && obj["content_text"] == nil {
			c.addf(path, "neither content_html nor content_text")
		}
	}
	return c.problems
}

// object checks that obj has the required members and that every member
// is known and of its kind. Names are visited in sorted order so the
// report is stable.
func (c *jsonChecker) object(path string, obj map[string]any, members map[string]kind, required ...string) {
	for _, name := range required {
		if _, ok := obj[name]; !ok {
			c.addf(path, "required member %q missing", name)
		}
	}
	names := make([]string, 0, len(obj))
	for name := range obj {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		k, known := members[name]
		switch {
		case known:
			c.value(path+"."+name, obj[name], k)
		case !strings.HasPrefix(name, "_"):
			c.addf(path, "unknown member %q (extensions start with \"_\")", name)
		}
	}
}

// value checks one member value against its kind; items are checked by
// the caller.
func (c *jsonChecker) value(path string, v any, k kind) {
	switch k {
	case kString, kURL, kDate:
		c.str(path, v, k)
	case kBool:
		if _, ok := v.(bool); !ok {
			c.addf(path, "not a boolean")
		}
	case kStrings:
		c.array(path, v, func(p string, e any) { c.str(p, e, kString) })
	case kAuthors:
		c.array(path, v, c.author)
	case kAuthor:
		c.author(path, v)
	case kItems:
		c.array(path, v, func(string, any) {})
	case kObjects:
		c.array(path, v, func(p string, e any) {
			if _, ok := e.(map[string]any); !ok {
				c.addf(p, "not an object")
			}
		})
	}
}

func (c *jsonChecker) str(path string, v any, k kind) {
	s, ok := v.(string)
	if !ok {
		c.addf(path, "not a string")
		return
	}
	switch k {
	case kURL:
		if u, err := url.Parse(s); err != nil || !u.IsAbs() {
			c.addf(path, "%q is not an absolute URL", s)
		}
	case kDate:
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			c.addf(path, "%q is not an RFC 3339 date", s)
		}
	}
}

func (c *jsonChecker) array(path string, v any, each func(string, any)) {
	a, ok := v.([]any)
	if !ok {
		c.addf(path, "not an array")
		return
	}
	for i, e := range a {
		each(fmt.Sprintf("%s[%d]", path, i), e)
	}
}

// author checks an author object, which needs at least one of name, url
// and avatar.
func (c *jsonChecker) author(path string, v any) {
	obj, ok := v.(map[string]any)
	if !ok {
		c.addf(path, "not an object")
		return
	}
	c.object(path, obj, map[string]kind{"name": kString, "url": kURL, "avatar": kURL})
	if obj["name"] == nil && obj["url"] == nil && obj["avatar"] == nil {
		c.addf(path, "needs a name, url or avatar")
	}
}
