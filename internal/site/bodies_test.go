package site_test

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feedpub/feedpub/internal/library"
	"github.com/feedpub/feedpub/internal/site"
	"github.com/feedpub/feedpub/internal/state"
	"github.com/feedpub/feedpub/internal/store"
)

// A library that keeps its bodies on disk builds the same bytes as one
// that holds them: pages, full-content feeds of the site and of its tags,
// bios, and Markdown whose links are resolved.
func TestBodiesOnDiskBuildTheSameBytes(t *testing.T) {
	files := maps.Clone(corpus)
	files["linked.md"] = "+++\ntitle = \"Linked\"\ndate = 2024-06-01\ntags = [\"news\"]\n+++\nSee [the third](sub/third.txt) and *this*.\n"
	files["plain.md"] = "+++\ntitle = \"Plain Markdown\"\ndate = 2024-06-02\n+++\nNo links, **bold**.\n"
	dir := t.TempDir()
	writeCorpus(t, dir, files)
	cfg := testConfig(dir)
	cfg.Feeds.FullContent = true
	at := func() time.Time { return now }

	held, heldBuilder := scan(t, cfg, library.Options{Now: at})
	onDisk, onDiskBuilder := scan(t, cfg, library.Options{Now: at, BodiesOnDisk: true})
	dropped := 0
	for _, a := range onDisk.Articles {
		if a.BodyOnDisk {
			dropped++
		}
	}
	if dropped == 0 {
		t.Fatal("no body was left on disk")
	}
	want, _, err := heldBuilder.Build(held, now)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := onDiskBuilder.Build(onDisk, now)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := strings.Join(got.Paths(), " "), strings.Join(want.Paths(), " "); g != w {
		t.Fatalf("paths differ:\n%s\nwant\n%s", g, w)
	}
	for _, p := range want.Paths() {
		if !bytes.Equal(got.Lookup(p).Body, want.Lookup(p).Body) {
			t.Errorf("%s differs when the bodies stay on disk", p)
		}
	}
	if page := got.Lookup("/articles/plain/"); page == nil || !bytes.Contains(page.Body, []byte("<strong>bold</strong>")) {
		t.Error("the page of an article whose body stayed on disk lacks its body")
	}
}

// Article pages go into the store as they are rendered, under the hash
// their ETag is half of; a page the store cannot take (a full disk, a
// store directory that cannot be made) stays in memory, the same bytes.
func TestArticlePagesStoredOrKept(t *testing.T) {
	dir := t.TempDir()
	writeCorpus(t, dir, corpus)
	cfg := testConfig(dir)
	want, _ := build(t, cfg, now)

	notADir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notADir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, st := range map[string]*store.Store{
		"stored": store.Open(t.TempDir()),
		"kept":   store.Open(filepath.Join(notADir, "store")),
	} {
		lib, b := scan(t, cfg, library.Options{Now: func() time.Time { return now }, BodiesOnDisk: true})
		b.UseStore(st)
		got, _, err := b.Build(lib, now)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range articlePages(t, want, 1) {
			d := got.Lookup(p)
			body, err := d.Bytes()
			if err != nil || !bytes.Equal(body, want.Lookup(p).Body) || d.ETag != want.Lookup(p).ETag {
				t.Errorf("%s, %s: not the page a build without a store renders (%v)", name, p, err)
			}
			if path, _ := d.File(); (path != "") != (name == "stored") {
				t.Errorf("%s, %s: file %q", name, p, path)
			}
		}
	}
}

// The feeds show the newest articles whole; a build keeps their bodies
// from the last one instead of reading each file again, so a change that
// adds an article reads one body. Here the older files are rewritten
// behind the scanner's back: the feed must still show each article as it
// was read, which it could not if its body were read again.
func TestNewestBodiesKeptBetweenBuilds(t *testing.T) {
	dir := t.TempDir()
	body := func(i int, word string) string {
		return fmt.Sprintf("Title: Article %d\nDate: 2024-05-%02dT10:00:00Z\n\nA first paragraph.\n\nThe second, %s-%d.\n", i, i, word, i)
	}
	for i := 1; i <= 5; i++ {
		writeCorpus(t, dir, map[string]string{fmt.Sprintf("a%d.txt", i): body(i, "ORIGINAL")})
	}
	cfg := testConfig(dir)
	cfg.Feeds.FullContent = true
	st := state.New()
	scanner := library.NewScanner(library.Options{Dir: dir, State: st, RacyWindow: -1, BodiesOnDisk: true})
	b, err := site.NewBuilder(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	lib, _, err := scanner.Scan()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Build(lib, now); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		writeCorpus(t, dir, map[string]string{fmt.Sprintf("a%d.txt", i): body(i, "REWRITTEN")})
	}
	writeCorpus(t, dir, map[string]string{"a6.txt": body(6, "ORIGINAL")})
	lib, _, err = scanner.ScanChanged([]string{filepath.Join(dir, "a6.txt")})
	if err != nil {
		t.Fatal(err)
	}
	snap, _, err := b.Build(lib, now)
	if err != nil {
		t.Fatal(err)
	}
	feed := string(snap.Lookup("/atom.xml").Body)
	for i := 1; i <= 6; i++ {
		if !strings.Contains(feed, fmt.Sprintf("ORIGINAL-%d", i)) {
			t.Errorf("the feed lacks article %d's body as read", i)
		}
	}
	if strings.Contains(feed, "REWRITTEN") {
		t.Error("the feed shows a body read again after its article was read")
	}
}
