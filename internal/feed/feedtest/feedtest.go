// Package feedtest checks feed documents with the validators real
// readers and the specs' authors rely on, for use from any package's
// tests:
//
//   - RSS: xmllint (well-formed, namespace-correct XML) and Universal Feed
//     Parser (python3-feedparser), which must parse it without a "bozo"
//     error and find a title, link, id and date on every entry;
//   - Atom: the same, plus jing against the RELAX NG schema of RFC 4287
//     Appendix B and the two rules that schema states only as
//     annotations;
//   - JSON Feed 1.1: the required members and their types, in Go.
//
// A missing tool skips the test with the Debian package to install,
// unless the CI environment variable is set: there a missing validator
// fails the test, so a misconfigured runner cannot pass silently.
package feedtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// python is the interpreter that runs feedparser: Debian's, by absolute
// path, because another python3 earlier on PATH may lack the module.
const python = "/usr/bin/python3"

// ValidateRSS fails t for every problem xmllint and feedparser find in
// doc, an RSS 2.0 document.
func ValidateRSS(t testing.TB, doc []byte) {
	t.Helper()
	path := writeTemp(t, "rss.xml", doc)
	xmllint(t, path)
	feedparser(t, path, "rss20")
}

// ValidateAtom fails t for every problem xmllint, jing (with the RFC 4287
// schema), the schema's annotated rules and feedparser find in doc, an
// Atom 1.0 feed document.
func ValidateAtom(t testing.TB, doc []byte) {
	t.Helper()
	path := writeTemp(t, "atom.xml", doc)
	xmllint(t, path)
	jing(t, path)
	for _, msg := range atomRules(doc) {
		t.Errorf("Atom: %s", msg)
	}
	feedparser(t, path, "atom10")
}

// ValidateJSON fails t for every way doc breaks the JSON Feed 1.1
// requirements on members and their types
// (https://jsonfeed.org/version/1.1). No external tool is needed.
func ValidateJSON(t testing.TB, doc []byte) {
	t.Helper()
	for _, msg := range jsonFeedProblems(doc) {
		t.Errorf("JSON Feed: %s", msg)
	}
}

// schemaPath returns the path of the Atom RELAX NG schema, which lives in
// the feed package's testdata directory next to this package.
func schemaPath(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatalf("feedtest: cannot locate its own source to find the Atom schema")
	}
	path := filepath.Join(filepath.Dir(file), "..", "testdata", "atom.rnc")
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("feedtest: Atom schema: %v (built with -trimpath?)", err)
	}
	return path
}

func writeTemp(t testing.TB, name string, doc []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		t.Fatalf("feedtest: %v", err)
	}
	return path
}

// need returns the path of tool, or ends the test: skipped with the
// Debian package that provides it, or failed when CI is set.
func need(t testing.TB, tool, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err != nil {
		missing(t, tool+" not found", pkg)
	}
	return path
}

func missing(t testing.TB, what, pkg string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s; install the Debian package %s (CI is set, so this is a failure)", what, pkg)
	}
	t.Skipf("%s; install the Debian package %s to run this validator", what, pkg)
}

func xmllint(t testing.TB, path string) {
	t.Helper()
	tool := need(t, "xmllint", "libxml2-utils")
	if out, err := exec.Command(tool, "--noout", path).CombinedOutput(); err != nil {
		t.Errorf("xmllint --noout %s: %v\n%s", filepath.Base(path), err, out)
	}
}

func jing(t testing.TB, path string) {
	t.Helper()
	tool := need(t, "jing", "jing")
	schema := schemaPath(t)
	out, err := exec.Command(tool, "-c", schema, path).Output()
	if err != nil {
		// jing reports problems on stdout as file:line:col: error: ...;
		// stderr only has the Debian wrapper's classpath warnings.
		t.Errorf("jing -c atom.rnc %s: %v\n%s", filepath.Base(path), err, out)
	}
}
