package main

import (
	"strings"
	"testing"
)

// TestCheckReportsSiteWarnings covers the warnings that do not stop
// publication: a bad enclosure, found by the parser, and two spellings
// of a tag sharing one page, found when the site is built.
func TestCheckReportsSiteWarnings(t *testing.T) {
	cfg := project(t, map[string]string{
		"enclosure.txt": "Title: e\nEnclosure: /ep1.mp3 12 audio/mpeg\nDate: 2024-01-01\n\nbody\n",
		"tag1.txt":      "Title: t1\nDate: 2024-01-01\nTags: machine learning\n\nbody\n",
		"tag2.txt":      "Title: t2\nDate: 2024-01-01\nTags: machine-learning\n\nbody\n",
	})
	out, stderr, err := runCLI(t, "check", "--config", cfg)
	if err != nil {
		t.Fatalf("check failed on warnings only: %v\n%s", err, out)
	}
	for _, want := range []string{
		"enclosure.txt:2: warning: bad Enclosure URL \"/ep1.mp3\"",
		"tag2.txt: warning: tag \"machine-learning\" has the same URL (/tags/machine-learning/) as \"machine learning\"",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "tag1.txt") || !strings.Contains(stderr, "ok: 3 articles published") {
		t.Errorf("check output:\n%s%s", out, stderr)
	}
}
