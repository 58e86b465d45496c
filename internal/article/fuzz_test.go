package article

import (
	"encoding/xml"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/feedpub/feedpub/internal/testcorpus"
)

// fuzzSeeds are the edge cases the parser tests cover, as starting points for
// the fuzz engine.
var fuzzSeeds = []string{
	"",
	"\uFEFF",
	"Title: T",
	"Title:",
	"Hello.\nWorld.",
	"\uFEFFTitle: T\r\nWord Count: 2\r\nOne.\r\nTwo.\r\n",
	"Title: T\rOne.\rTwo.",
	"Title: T\n\nOne a\n  one b  \n\n\nTwo.\n",
	"Title: T\nIntro.\nNote: something\nDate: not a date",
	"Title: T\nBody.\n“Writer, reader.”",
	"Title: T\n“Just a quote.”",
	"Title: A & B <c> ]]> \"d\" 'e'\nFish & chips <b>bold</b> ]]>\n",
	"Title: A\x07B\nOne\x00.\nTwo\x1b.\uFFFE",
	"Title: T\nOne.\rTwo \xff\xfe.",
	"\x00\x01\xff\xfe\x89PNG\r\n\x1a\n\x00\x00",
	"Title: مرحبا 你好 नमस्ते 👨‍👩‍👧‍👦 🇺🇦\nहै। 漢字かな 👩🏽‍🔬\n",
	"Title: T\nDate: 2024-05-01 09:30\nUpdated: 2024-04-01\nTags: a, A, b,,\nSlug: s\nID: i\nDraft: no\nLang: en\nAuthor: x\nSummary: y\n\nBody.",
	"Title: T\nDate: yesterday\nBody.",
	"Title: T\nTags: a\ntags: b\nBody.",
	"Title: T\nSlug: a/b\nBody.",
	"Title: T\n" + strings.Repeat("word ", 100) + "\n" + strings.Repeat("漢字", 200),
}

func FuzzParse(f *testing.F) {
	f.Add(readSeed(f))
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	for _, file := range testcorpus.Generate(5, 1) {
		f.Add(file.Data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, warnings, err := Parse(Source{Path: "2024-05-01-a.txt", Data: data}, Options{})
		if accepted(t, data, a, warnings, err) {
			checkArticle(t, data, a)
		}
	})
}

// FuzzParseDroppingBody holds that ParseDroppingBody gives what Parse and
// then DropBody give, for plain text, whose HTML it skips making, and for
// Markdown.
func FuzzParseDroppingBody(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	for _, s := range []string{
		"Title: T\nSee <a href=\"x\">x</a>.",
		"Title: T\nan img src=y & more",
		"Title: T\nhref = no, sr c=no, HREF=upper.",
		"Title: T\nsrc\n\n=split",
		"Title: T\n\n“Only a bio.”",
	} {
		f.Add([]byte(s))
	}
	for _, file := range testcorpus.Generate(5, 2) {
		f.Add(file.Data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range []string{"a.txt", "a.md"} {
			src := Source{Path: name, Data: data}
			want, wantWarnings, wantErr := Parse(src, Options{})
			if want != nil {
				want.DropBody()
			}
			got, warnings, err := ParseDroppingBody(src, Options{})
			if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(warnings, wantWarnings) || !reflect.DeepEqual(err, wantErr) {
				t.Errorf("%s %q: ParseDroppingBody gave\n%+v, %v, %v\nParse and DropBody\n%+v, %v, %v",
					name, data, got, warnings, err, want, wantWarnings, wantErr)
			}
		}
	})
}

// accepted checks the contract of Parse's results for any input: warnings
// are warnings, and an error is a *ParseError with no article. It reports
// whether the article was accepted.
func accepted(t *testing.T, data []byte, a *Article, warnings []*ParseError, err error) bool {
	t.Helper()
	for _, w := range warnings {
		if w.Severity != SeverityWarning {
			t.Errorf("Parse(%q) warning %v has severity %v", data, w, w.Severity)
		}
	}
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Severity != SeverityError || a != nil {
			t.Fatalf("Parse(%q) = %v, %#v; want nil and a *ParseError", data, a, err)
		}
		return false
	}
	return true
}

// checkArticle holds what every accepted article guarantees the feed
// writers.
func checkArticle(t *testing.T, data []byte, a *Article) {
	t.Helper()
	if strings.TrimSpace(a.Title) == "" {
		t.Errorf("Parse(%q).Title = %q, want non-empty", data, a.Title)
	}
	texts := map[string]string{"Title": a.Title, "Summary": a.Summary, "ContentHTML": a.ContentHTML, "Bio": a.Bio}
	for i, tag := range a.Tags {
		texts["Tags"+string(rune('0'+i%10))] = tag
	}
	for name, s := range texts {
		if !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool { return !xmlChar(r) }) >= 0 {
			t.Errorf("Parse(%q).%s = %q, want valid UTF-8 that XML allows", data, name, s)
		}
	}
	if err := checkXML("<div>" + a.ContentHTML + "</div>"); err != nil {
		t.Errorf("Parse(%q).ContentHTML = %q is not XML: %v", data, a.ContentHTML, err)
	}
	words := 0
	for _, para := range paragraphsOf(a) {
		words += len(strings.Fields(para))
	}
	if a.WordCount != words || len(a.ContentKey) != 32 {
		t.Errorf("Parse(%q) = WordCount %d, ContentKey %q; want %d words, 32 hex digits", data, a.WordCount, a.ContentKey, words)
	}
}

func checkXML(doc string) error {
	d := xml.NewDecoder(strings.NewReader(doc))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// HasReferences answers as searching for the two markers would, which is
// what it means.
func FuzzHasReferences(f *testing.F) {
	for _, s := range []string{"", "=", "href=", "src=", "a href=\"x\"", "hre=f", "hrefsrc", "src =", "==href==src=", "<img src='a'>", "x=1 y=2", "ssrc=", "hhref="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := strings.Contains(s, "href=") || strings.Contains(s, "src=")
		if got := HasReferences(s); got != want {
			t.Errorf("HasReferences(%q) = %v, want %v", s, got, want)
		}
	})
}

// FuzzParseHeader holds that ParseHeader gives the header fields Parse
// gives, and fails where it fails, whatever follows the header block.
func FuzzParseHeader(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	for _, s := range []string{
		"\n\n  \nTitle: T\n\nBody.",
		"\x01\n\nTitle: T\nDate: 2024-05-01\n\nBody.",
		"\x01\nTitle: T\n\nBody.",
		"Title: T\n\x01\nDate: 2024-05-01\n\nBody.",
		"Title: T\r\nTags: a, b\r\n\r\nBody.\r\n",
		"Title: T\rDraft: yes\r\rBody.",
		"Title: T\nSummary: Said.\n\nBody.",
		"Title: T\nNo header here\nDate: 2024-05-01\n\nBody.",
		"\uFEFF\nTitle: T\n\nBody.",
		"Title: \xff\n\nBody.",
		"Title: T",
		"Title: T\n",
	} {
		f.Add([]byte(s))
	}
	for _, file := range testcorpus.Generate(5, 3) {
		f.Add(file.Data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range []string{"2024-05-01-a.txt", "a.md"} {
			src := Source{Path: name, Data: data}
			want, _, wantErr := ParseDroppingBody(src, Options{})
			got, _, err := ParseHeader(src, Options{})
			if (err == nil) != (wantErr == nil) {
				t.Fatalf("%s %q: ParseHeader error %v, Parse error %v", name, data, err, wantErr)
			}
			if err != nil {
				if err.Error() != wantErr.Error() {
					t.Errorf("%s %q: ParseHeader error %v, Parse error %v", name, data, err, wantErr)
				}
				continue
			}
			if name == "a.md" {
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s %q: ParseHeader gave\n%+v\nParseDroppingBody\n%+v", name, data, got, want)
				}
				continue
			}
			if !got.BodyOnDisk || got.ContentHTML != "" {
				t.Errorf("%s %q: ParseHeader kept a body", name, data)
			}
			if got.Summary != "" && got.Summary != want.Summary {
				t.Errorf("%s %q: summary %q, Parse's %q", name, data, got.Summary, want.Summary)
			}
			// What only the body gives.
			for _, a := range []*Article{got, want} {
				a.Bio, a.Summary, a.ContentHTML, a.WordCount, a.ContentKey, a.BodyOnDisk = "", "", "", 0, "", false
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s %q: ParseHeader gave\n%+v\nParseDroppingBody\n%+v", name, data, got, want)
			}
		}
	})
}
