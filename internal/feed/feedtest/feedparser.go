package feedtest

import (
	"encoding/json"
	"os"
	"os/exec"
	"testing"
)

// feedparserScript parses the file named by its argument with Universal
// Feed Parser and prints what it found as JSON. Every entry must have
// what a reader shows: a title, a link, an id and a date.
const feedparserScript = `
import json, sys
import feedparser

d = feedparser.parse(sys.argv[1])
problems = []
if d.bozo:
    problems.append("bozo: %s" % d.get("bozo_exception"))
for i, e in enumerate(d.entries):
    missing = [k for k in ("title", "link", "id") if not e.get(k)]
    if not (e.get("published_parsed") or e.get("updated_parsed")):
        missing.append("published_parsed or updated_parsed")
    if missing:
        problems.append("entry %d (%s): no %s" % (i, e.get("id", "?"), ", ".join(missing)))
json.dump({"version": d.get("version", ""), "problems": problems}, sys.stdout)
`

type feedparserResult struct {
	Version  string   `json:"version"`
	Problems []string `json:"problems"`
}

// feedparser runs feedparserScript on path and fails t for each problem,
// and when the detected format is not want ("rss20", "atom10").
func feedparser(t testing.TB, path, want string) {
	t.Helper()
	out, ok := runFeedparser(t, feedparserScript, path)
	if !ok {
		return
	}
	var res feedparserResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Errorf("feedparser: reading its report %q: %v", out, err)
		return
	}
	if res.Version != want {
		t.Errorf("feedparser: detected format %q, want %q", res.Version, want)
	}
	for _, p := range res.Problems {
		t.Errorf("feedparser: %s", p)
	}
}

// runFeedparser runs script with path as its argument and returns what
// it printed; a failure is reported on t and gives ok false. Without
// feedparser the test is skipped, or failed when CI is set.
func runFeedparser(t testing.TB, script, path string) (out []byte, ok bool) {
	t.Helper()
	if _, err := os.Stat(python); err != nil {
		missing(t, python+" not found", "python3-feedparser")
	}
	if err := exec.Command(python, "-c", "import feedparser").Run(); err != nil {
		missing(t, "feedparser not importable by "+python, "python3-feedparser")
	}
	out, err := exec.Command(python, "-c", script, path).Output()
	if err != nil {
		t.Errorf("feedparser: %v\n%s", err, stderrOf(err))
		return nil, false
	}
	return out, true
}

// summariesScript prints, as a JSON array, the summary of each entry as
// a reader shows it: feedparser reports the media type it read the
// summary as (RSS descriptions are text/html), and HTML is reduced to
// its text the way a browser renders it.
const summariesScript = `
import json, sys
from html.parser import HTMLParser
import feedparser

class Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
    def handle_data(self, data):
        self.parts.append(data)

def shown(detail):
    if detail is None:
        return ""
    if detail.type in ("text/html", "application/xhtml+xml"):
        p = Text()
        p.feed(detail.value)
        p.close()
        return "".join(p.parts)
    return detail.value

d = feedparser.parse(sys.argv[1])
json.dump([shown(e.get("summary_detail")) for e in d.entries], sys.stdout)
`

// FeedparserSummaries returns the summary of each entry of doc, an RSS
// or Atom document, as text a reader shows: Universal Feed Parser reads
// it, and a summary it reports as HTML is reduced to the text a browser
// would render. Problems are reported on t; the test is skipped without
// python3-feedparser, unless CI is set.
func FeedparserSummaries(t testing.TB, doc []byte) []string {
	t.Helper()
	out, ok := runFeedparser(t, summariesScript, writeTemp(t, "feed.xml", doc))
	if !ok {
		return nil
	}
	var summaries []string
	if err := json.Unmarshal(out, &summaries); err != nil {
		t.Errorf("feedparser: reading its report %q: %v", out, err)
	}
	return summaries
}

func stderrOf(err error) []byte {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.Stderr
	}
	return nil
}
