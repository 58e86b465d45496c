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
	if _, err := os.Stat(python); err != nil {
		missing(t, python+" not found", "python3-feedparser")
	}
	if err := exec.Command(python, "-c", "import feedparser").Run(); err != nil {
		missing(t, "feedparser not importable by "+python, "python3-feedparser")
	}
	out, err := exec.Command(python, "-c", feedparserScript, path).Output()
	if err != nil {
		t.Errorf("feedparser: %v\n%s", err, stderrOf(err))
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

func stderrOf(err error) []byte {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.Stderr
	}
	return nil
}
