package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// TestGzipVariantsAreKeptPerCompressorVersion holds that the binary keeps
// its gzip variants in a store named by the version of klauspost/compress
// it was built with (go.mod's), which makes their bytes: a binary built
// with another version keeps its own. A test binary records no versions
// of its dependencies, so this runs the real one.
func TestGzipVariantsAreKeptPerCompressorVersion(t *testing.T) {
	gomod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*github\.com/klauspost/compress (v\S+)`).FindSubmatch(gomod)
	if m == nil {
		t.Fatal("go.mod does not require github.com/klauspost/compress")
	}
	dir := t.TempDir()
	copyRepoSample(t, dir, "")
	cmd := exec.Command(feedpubBinary(t), "build", "--gzip", "--out", "public")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("feedpub build: %v\n%s", err, out)
	}
	stores, _ := filepath.Glob(filepath.Join(dir, ".feedpub", "store", "gzip-*"))
	want := filepath.Join(dir, ".feedpub", "store", "gzip-klauspost-compress-"+string(m[1]))
	if len(stores) != 1 || stores[0] != want {
		t.Fatalf("gzip variants kept in %v, want %s alone", stores, want)
	}
	variants, _ := filepath.Glob(filepath.Join(want, "*", "*"))
	if len(variants) == 0 {
		t.Errorf("%s holds no variant", want)
	}
}
