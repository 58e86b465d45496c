package feedtest

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// recorder is a testing.TB that records failures instead of reporting
// them, so the validators' own failures can be tested.
type recorder struct {
	testing.TB
	errors  []string
	skipped bool
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Skipf(string, ...any) {
	r.skipped = true
	runtime.Goexit()
}

// run calls validate on doc with a recorder, in its own goroutine so
// Fatalf and Skipf can end it, and returns everything it reported.
func run(t *testing.T, validate func(testing.TB, []byte), doc string) string {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		validate(r, []byte(doc))
	}()
	<-done
	if r.skipped {
		t.Skip("a validator is not installed")
	}
	return strings.Join(r.errors, "\n")
}

const goodRSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>t</title><link>https://example.org/</link><description>d</description>
<item><title>i</title><link>https://example.org/i</link><guid isPermaLink="false">tag:example.org,2024:i</guid><pubDate>Mon, 01 Jan 2024 00:00:00 +0000</pubDate></item>
</channel></rss>
`

const goodAtom = `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>tag:example.org,2024:f</id><updated>2024-01-01T00:00:00Z</updated>
<author><name>a</name></author>
<entry><title>i</title><id>tag:example.org,2024:i</id><updated>2024-01-01T00:00:00Z</updated><link href="https://example.org/i"/></entry>
</feed>
`

const goodJSON = `{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": [
 {"id": "1", "url": "https://example.org/i", "content_text": "c", "date_published": "2024-01-01T00:00:00Z",
  "tags": ["a"], "authors": [{"name": "a"}], "_ext": {"x": 1}}]}`

func TestValidators(t *testing.T) {
	tests := []struct {
		name     string
		validate func(testing.TB, []byte)
		doc      string
		want     []string // substrings of the report; none for a valid document
	}{
		{"RSS ok", ValidateRSS, goodRSS, nil},
		{"RSS malformed", ValidateRSS, strings.Replace(goodRSS, "</item>", "", 1), []string{"xmllint", "bozo"}},
		{"RSS entry without link and date", ValidateRSS,
			strings.Replace(strings.Replace(goodRSS, "<link>https://example.org/i</link>", "", 1),
				"<pubDate>Mon, 01 Jan 2024 00:00:00 +0000</pubDate>", "", 1),
			[]string{"no link, published_parsed or updated_parsed"}},
		{"RSS given to the Atom check", ValidateAtom, goodRSS, []string{"jing", `"atom10"`}},
		{"Atom ok", ValidateAtom, goodAtom, nil},
		{"Atom category without term", ValidateAtom,
			strings.Replace(goodAtom, "<entry>", "<entry><category>x</category>", 1), []string{"jing", "term"}},
		{"Atom without any author", ValidateAtom,
			strings.Replace(goodAtom, "<author><name>a</name></author>", "", 1), []string{"no atom:author"}},
		{"Atom entry without link or content", ValidateAtom,
			strings.Replace(goodAtom, `<link href="https://example.org/i"/>`, "", 1), []string{"neither atom:content"}},
		{"JSON ok", ValidateJSON, goodJSON, nil},
		{"JSON not an object", ValidateJSON, `[]`, []string{"not a JSON object"}},
		{"JSON 1.0", ValidateJSON, strings.Replace(goodJSON, "1.1", "1", 1), []string{"version"}},
		{"JSON without items", ValidateJSON, `{"version": "https://jsonfeed.org/version/1.1", "title": "t"}`,
			[]string{`"items" missing`}},
		{"JSON item without content", ValidateJSON, strings.Replace(goodJSON, `"content_text"`, `"summary"`, 1),
			[]string{"neither content_html nor content_text"}},
		{"JSON wrong types", ValidateJSON,
			strings.NewReplacer(`"id": "1"`, `"id": 1`, `["a"]`, `"a"`, `"2024-01-01T00:00:00Z"`, `"yesterday"`).Replace(goodJSON),
			[]string{"items[0].id: not a string", "items[0].tags: not an array", "not an RFC 3339 date"}},
		{"JSON misspelt member", ValidateJSON, strings.Replace(goodJSON, `"url"`, `"banner_"`, 1),
			[]string{`unknown member "banner_"`}},
		{"JSON relative URL", ValidateJSON, strings.Replace(goodJSON, "https://example.org/i", "/i", 1),
			[]string{"not an absolute URL"}},
		{"JSON empty author", ValidateJSON, strings.Replace(goodJSON, `{"name": "a"}`, `{}`, 1),
			[]string{"needs a name, url or avatar"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			report := run(t, tc.validate, tc.doc)
			if tc.want == nil && report != "" {
				t.Fatalf("valid document reported:\n%s", report)
			}
			for _, w := range tc.want {
				if !strings.Contains(report, w) {
					t.Errorf("report does not mention %q:\n%s", w, report)
				}
			}
		})
	}
}

// TestMissingTool checks that a missing validator skips the test and
// names the package, but fails it when CI is set.
func TestMissingTool(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	for _, ci := range []string{"", "1"} {
		t.Setenv("CI", ci)
		r := &recorder{TB: t}
		done := make(chan struct{})
		go func() {
			defer close(done)
			ValidateRSS(r, []byte(goodRSS))
		}()
		<-done
		if ci == "" && (!r.skipped || len(r.errors) > 0) {
			t.Errorf("CI unset: skipped=%v errors=%q, want a skip", r.skipped, r.errors)
		}
		if ci != "" && (r.skipped || len(r.errors) != 1 || !strings.Contains(r.errors[0], "libxml2-utils")) {
			t.Errorf("CI set: skipped=%v errors=%q, want one failure naming libxml2-utils", r.skipped, r.errors)
		}
	}
}
