// Package testcorpus generates article files shaped like the sample article,
// for benchmarks and tests that need many realistic articles.
//
// Generation is deterministic: the same count and seed give byte-identical
// files on every machine and every run, whatever the clock says, so
// benchmarks compare like with like and golden outputs stay stable.
package testcorpus

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// File is one generated article file.
type File struct {
	// Name is the path relative to the articles directory, with forward
	// slashes ("2024/03/017-quiet-harbour.txt").
	Name string
	Data []byte
}

// Generate returns n article files in the .txt house format, each between
// roughly 150 and 900 words (about 3 KB on average, close to the sample
// article's 2.7 KB). Most are dated by a Date header somewhere between 2015 and 2025,
// some by their file name; some carry tags, an author or other headers; some
// end with a quoted author bio; the text mixes several scripts and
// characters that need escaping in HTML and XML. Every file parses without
// error. Names are unique and spread over the top level and a few
// subdirectories.
func Generate(n int, seed int64) []File {
	g := &generator{rng: rand.New(rand.NewPCG(uint64(seed), 0x6665656470756221))}
	files := make([]File, n)
	for i := range files {
		files[i] = g.file(i)
	}
	return files
}

// Write writes files under dir, creating the subdirectories their names
// need. A name that would escape dir (absolute, or with "..") is an error.
func Write(dir string, files []File) error {
	for _, f := range files {
		rel := filepath.FromSlash(f.Name)
		if !filepath.IsLocal(rel) {
			return fmt.Errorf("writing %q: name must be a relative path inside the directory", f.Name)
		}
		path := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("writing %s: %w", f.Name, err)
		}
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", f.Name, err)
		}
	}
	return nil
}

// epoch and span bound the generated publication dates. They are fixed,
// not derived from the clock, so the corpus never changes.
var (
	epoch = time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	span  = 10 * 365 * 24 * time.Hour
)

// generator draws every choice from one seeded source, in a fixed order.
type generator struct {
	rng *rand.Rand
}

// chance reports true with probability p.
func (g *generator) chance(p float64) bool { return g.rng.Float64() < p }

func (g *generator) pick(words []string) string { return words[g.rng.IntN(len(words))] }

// between returns an int in [lo, hi].
func (g *generator) between(lo, hi int) int { return lo + g.rng.IntN(hi-lo+1) }

// file generates the i-th file. The choices are drawn in the same order for
// every file, which is what makes the output depend on (n, seed) alone.
func (g *generator) file(i int) File {
	title := g.title()
	published := epoch.Add(time.Duration(g.rng.Int64N(int64(span)))).Truncate(time.Minute)
	body := g.body()
	eol := "\n"
	if g.chance(0.1) {
		eol = "\r\n"
	}
	var b strings.Builder
	g.writeHeaders(&b, i, title, published, countWords(body), eol)
	for _, line := range body {
		b.WriteString(line)
		b.WriteString(eol)
	}
	if g.chance(0.4) {
		b.WriteString(g.bio())
		if g.chance(0.8) { // some files lack a final newline
			b.WriteString(eol)
		}
	}
	return File{Name: g.name(i, title, published), Data: []byte(b.String())}
}

// name places a file at the top level like the sample article, in a
// year/month directory, or in a topic directory, some with the publication
// date as a file-name prefix.
func (g *generator) name(i int, title string, published time.Time) string {
	slug := slugify(title)
	switch g.rng.IntN(5) {
	case 0:
		return fmt.Sprintf("%03d_%016x.txt", i, g.rng.Uint64())
	case 1:
		return fmt.Sprintf("%s-%03d-%s.txt", published.Format("2006-01-02"), i, slug)
	case 2:
		return fmt.Sprintf("%s/%03d-%s.txt", g.pick(topics), i, slug)
	default:
		return fmt.Sprintf("%s/%03d-%s.txt", published.Format("2006/01"), i, slug)
	}
}

// writeHeaders writes the header block. Title is always there; the other
// keys appear at rates that make every one of them common in a corpus of a
// few hundred files.
func (g *generator) writeHeaders(b *strings.Builder, i int, title string, published time.Time, words int, eol string) {
	header := func(key, value string) {
		b.WriteString(key + ": " + value + eol)
	}
	header("Title", title)
	if g.chance(0.8) { // declared in round numbers, like the sample's 350 for 369
		header("Word Count", fmt.Sprint(words/50*50))
	}
	if g.chance(0.85) {
		header("Date", g.formatDate(published))
	}
	if g.chance(0.1) {
		header("Updated", published.Add(time.Duration(g.between(1, 2000))*time.Hour).Format(time.RFC3339))
	}
	if g.chance(0.2) {
		header("Author", g.pick(authors))
	}
	if g.chance(0.4) {
		header("Tags", strings.Join(g.tags(), ", "))
	}
	if g.chance(0.05) {
		header("Summary", g.sentence())
	}
	if g.chance(0.05) {
		header("Slug", fmt.Sprintf("story-%d", i))
	}
	if g.chance(0.05) {
		header("ID", fmt.Sprintf("corpus-%d", i))
	}
	if g.chance(0.03) {
		header("Draft", "true")
	}
	if g.chance(0.3) { // a blank line may end the header block
		b.WriteString(eol)
	}
}

// formatDate writes t in one of the forms the format accepts.
func (g *generator) formatDate(t time.Time) string {
	switch g.rng.IntN(3) {
	case 0:
		return t.In(time.FixedZone("", g.between(-10, 12)*3600)).Format(time.RFC3339)
	case 1:
		return t.Format("2006-01-02")
	default:
		return t.Format("2006-01-02 15:04")
	}
}

func (g *generator) tags() []string {
	tags := make([]string, g.between(1, 4))
	for i := range tags {
		tags[i] = g.pick(tagWords)
	}
	return tags
}
