package article

import (
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/feedpub/feedpub/internal/testcorpus"
)

const seedPath = "../../articles/000_68686de34c3f3bfb.txt"

func readSeed(tb testing.TB) []byte {
	tb.Helper()
	data, err := os.ReadFile(seedPath)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// mustParse parses text as the .txt file name and fails the test on an
// error.
func mustParse(t *testing.T, name, text string) (*Article, []*ParseError) {
	t.Helper()
	a, warnings, err := Parse(Source{Path: name, Data: []byte(text)}, Options{})
	if err != nil {
		t.Fatalf("Parse(%q) error = %v, want none", text, err)
	}
	return a, warnings
}

func TestParseSeed(t *testing.T) {
	data := readSeed(t)
	a, warnings, err := Parse(Source{Path: "000_68686de34c3f3bfb.txt", Data: data}, Options{})
	if err != nil || len(warnings) > 0 {
		t.Fatalf("Parse(seed) = %v, %v; want no error or warning", warnings, err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Title", a.Title, "Russian Foreign Minister Lavrov Strengthens Ties with North Korea During Landmark Visit"},
		{"paragraphs", len(paragraphsOf(a)), 6},
		{"Bio", a.Bio, "Travel aficionado. Incurable bacon specialist. Tv evangelist. Wannabe internet enthusiast. Typical creator."},
		{"WordCount", a.WordCount, 369},
		{"DeclaredWordCount", a.DeclaredWordCount, 350},
		{"Size", a.Size, int64(len(data))},
		{"DateDeclared", a.DateDeclared, false},
		{"first paragraph start", paragraphsOf(a)[0][:32], "In a significant diplomatic move"},
		{"last paragraph end", paragraphsOf(a)[5][len(paragraphsOf(a)[5])-11:], "the future."},
		{"bio in content", strings.Contains(a.ContentHTML, "aficionado"), false},
		{"<p> count", strings.Count(a.ContentHTML, "<p>"), 6},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("Parse(seed).%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	// The seed's first paragraph is 291 characters, under the limit, so the
	// summary is the whole paragraph.
	if a.Summary != paragraphsOf(a)[0] {
		t.Errorf("Parse(seed).Summary = %q, want the first paragraph", a.Summary)
	}
}

func TestParseBody(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		paras []string
		bio   string
	}{
		{"title only", "Title: T", nil, ""},
		{"title only with newline", "Title: T\n\n\n", nil, ""},
		{"line per paragraph", "Title: T\nOne.\nTwo.\n", []string{"One.", "Two."}, ""},
		{"no trailing newline", "Title: T\nOne.\nTwo.", []string{"One.", "Two."}, ""},
		{"blank line ends header", "Title: T\n\nOne.\nTwo.\n", []string{"One.", "Two."}, ""},
		{"blank-separated joins lines", "Title: T\n\nOne a\n  one b  \n\n\nTwo.\n", []string{"One a one b", "Two."}, ""},
		{"whitespace-only line is blank", "Title: T\nOne a\none b\n \t \nTwo.\n", []string{"One a one b", "Two."}, ""},
		{"trailing blank lines keep line mode", "Title: T\nOne.\nTwo.\n\n\n", []string{"One.", "Two."}, ""},
		{"CRLF and BOM", "\uFEFFTitle: T\r\nWord Count: 2\r\nOne.\r\nTwo.\r\n", []string{"One.", "Two."}, ""},
		{"lone CR", "Title: T\rOne.\rTwo.", []string{"One.", "Two."}, ""},
		{"mixed line ends", "Title: T\r\nOne.\rTwo.\nThree.", []string{"One.", "Two.", "Three."}, ""},
		{"leading blank lines before header", "\n\n  \nTitle: T\nOne.", []string{"One."}, ""},
		{"header-like body line", "Title: T\nIntro.\nNote: something\nDate: not a date", []string{"Intro.", "Note: something", "Date: not a date"}, ""},
		{"unknown key starts body", "Title: T\nNote: something\nMore.", []string{"Note: something", "More."}, ""},
		{"curly bio", "Title: T\nBody.\n“Writer, reader.”", []string{"Body."}, "Writer, reader."},
		{"straight bio", "Title: T\n\nBody.\n\n\"Writer.\"\n", []string{"Body."}, "Writer."},
		{"only a quote stays body", "Title: T\n“Just a quote.”", []string{"“Just a quote.”"}, ""},
		{"dialogue is not a bio", "Title: T\nBody.\n\"Go,\" she said, \"now.\"", []string{"Body.", "\"Go,\" she said, \"now.\""}, ""},
		{"quote in the middle is body", "Title: T\n“Quoted.”\nEnd.", []string{"“Quoted.”", "End."}, ""},
		{"empty quotes are body", "Title: T\nBody.\n“  ”", []string{"Body.", "“  ”"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _ := mustParse(t, "a.txt", tt.text)
			if !slices.Equal(paragraphsOf(a), tt.paras) || a.Bio != tt.bio {
				t.Errorf("Parse(%q) = %q, bio %q; want %q, bio %q", tt.text, paragraphsOf(a), a.Bio, tt.paras, tt.bio)
			}
		})
	}
}

func TestParseContent(t *testing.T) {
	text := "Title: A & B <c> ]]> \"d\" 'e'\nFish & chips <b>bold</b> ]]> \"q\" 'a'\nSecond.\n“Bio & <i>”"
	a, _ := mustParse(t, "a.txt", text)
	checks := []struct {
		name, got, want string
	}{
		{"Title", a.Title, "A & B <c> ]]> \"d\" 'e'"},
		{"ContentHTML", a.ContentHTML, "<p>Fish &amp; chips &lt;b&gt;bold&lt;/b&gt; ]]&gt; &#34;q&#34; &#39;a&#39;</p>\n<p>Second.</p>"},
		{"Summary", a.Summary, "Fish & chips <b>bold</b> ]]> \"q\" 'a'"},
		{"Bio", a.Bio, "Bio & <i>"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("Parse(%q).%s = %q, want %q", text, c.name, c.got, c.want)
		}
	}
	if a.WordCount != 8 {
		t.Errorf("Parse(%q).WordCount = %d, want 8", text, a.WordCount)
	}
}

func TestParseUnicode(t *testing.T) {
	tests := []struct {
		name, title, body string
		words             int
	}{
		{"Arabic", "مرحبا بالعالم", "هذا نص عربي قصير.", 4},
		{"CJK", "你好，世界", "这是一个测试。日本語のテキスト。", 1},
		{"Devanagari", "नमस्ते दुनिया", "यह एक छोटा लेख है।", 5},
		{"emoji ZWJ", "Family 👨‍👩‍👧‍👦 and flag 🇺🇦", "Scientist 👩🏽‍🔬 waves 👋🏿.", 4},
		{"combining marks", "Cafe\u0301", "Nai\u0308ve re\u0301sume\u0301.", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := "Title: " + tt.title + "\n" + tt.body + "\n"
			a, _ := mustParse(t, "a.txt", text)
			if a.Title != tt.title || paragraphsOf(a)[0] != tt.body || a.WordCount != tt.words {
				t.Errorf("Parse(%q) = %q, %q, %d words; want %q, %q, %d", text,
					a.Title, paragraphsOf(a)[0], a.WordCount, tt.title, tt.body, tt.words)
			}
		})
	}
}

func TestParseLongTitle(t *testing.T) {
	title := strings.Repeat("Très long titre ", 2000)
	text := "Title: " + title + "\nBody."
	a, _ := mustParse(t, "a.txt", text)
	if a.Title != strings.TrimSpace(title) {
		t.Errorf("Parse(long title).Title has %d bytes, want %d", len(a.Title), len(strings.TrimSpace(title)))
	}
}

func TestParseRepairs(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		title    string
		paras    []string
		warnLine int
		warnMsg  string
	}{
		{"control characters", "Title: A\x07B\nOne\x00.\nTwo\x1b.", "AB", []string{"One.", "Two."}, 1, "XML"},
		{"control on a later line", "Title: T\r\nOne.\r\nTw\x0bo.", "T", []string{"One.", "Two."}, 3, "XML"},
		{"noncharacters U+FFFE U+FFFF", "Title: T\nOne.\nTwo\uFFFE\uFFFF.", "T", []string{"One.", "Two."}, 3, "XML"},
		{"invalid UTF-8", "Title: T\nOne.\rTwo \xff\xfe.", "T", []string{"One.", "Two \uFFFD\uFFFD."}, 3, "invalid UTF-8"},
		{"truncated sequence", "Title: caf\xc3\nBody.", "caf\uFFFD", []string{"Body."}, 1, "invalid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, warnings := mustParse(t, "a.txt", tt.text)
			if a.Title != tt.title || !slices.Equal(paragraphsOf(a), tt.paras) {
				t.Errorf("Parse(%q) = %q, %q; want %q, %q", tt.text, a.Title, paragraphsOf(a), tt.title, tt.paras)
			}
			if len(warnings) != 1 || warnings[0].Line != tt.warnLine ||
				warnings[0].Severity != SeverityWarning || !strings.Contains(warnings[0].Msg, tt.warnMsg) {
				t.Errorf("Parse(%q) warnings = %v, want one on line %d about %q", tt.text, warnings, tt.warnLine, tt.warnMsg)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		text string
		line int
		msg  string
	}{
		{"empty file", "", 0, `empty file: an article needs a "Title: …" line`},
		{"blank file", " \n\r\n\t\n", 0, "empty file"},
		{"only a BOM", "\uFEFF", 0, "empty file"},
		{"no title", "Hello.\nWorld.", 0, `missing Title header: add a first line "Title: …"`},
		{"title after body began", "Intro.\nTitle: T", 0, "missing Title"},
		{"title after header block", "Date: 2024-01-02\n\nTitle: T", 0, "missing Title"},
		{"empty title", "Word Count: 3\nTitle:   \nBody.", 2, "missing Title header"},
		{"binary junk", "\x00\x01\xff\xfe\x89PNG\r\n\x1a\n\x00\x00", 0, "missing Title"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkError(t, "a.txt", tt.text, tt.line, tt.msg)
		})
	}
}

// checkError parses text and requires an error on line whose message
// contains msg.
func checkError(t *testing.T, name, text string, line int, msg string) {
	t.Helper()
	a, _, err := Parse(Source{Path: name, Data: []byte(text)}, Options{})
	pe, ok := err.(*ParseError)
	if !ok || a != nil {
		t.Fatalf("Parse(%q) = %v, %v; want a *ParseError", text, a, err)
	}
	if pe.Path != name || pe.Line != line || pe.Severity != SeverityError || !strings.Contains(pe.Msg, msg) {
		t.Errorf("Parse(%q) error = %q (line %d, %v), want line %d containing %q", text, pe, pe.Line, pe.Severity, line, msg)
	}
}

func TestSummarize(t *testing.T) {
	words := strings.Repeat("word ", 100)           // 500 runes
	long := strings.Repeat("x", 299) + " tail"      // boundary right at the limit
	cjk := strings.Repeat("漢字かな", 100)              // no spaces at all
	emoji := strings.Repeat("a", 297) + "👩🏽‍🔬 more" // the cut falls inside the emoji
	tests := []struct {
		name, para, want string
	}{
		{"short", "Short.", "Short."},
		{"exactly the limit", strings.Repeat("é", 300), strings.Repeat("é", 300)},
		{"cut at a word boundary", words, strings.TrimSpace(strings.Repeat("word ", 60)) + "…"},
		{"space right after the cut", long, strings.Repeat("x", 299) + "…"},
		{"trailing comma dropped", strings.Repeat("abcd, ", 60), strings.TrimSuffix(strings.Repeat("abcd, ", 50), ", ") + "…"},
		{"no spaces cuts between characters", cjk, string([]rune(cjk)[:299]) + "…"},
		{"emoji kept whole", emoji, strings.Repeat("a", 297) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := summarize(tt.para)
			if got != tt.want {
				t.Errorf("summarize(%q) = %q, want %q", tt.para, got, tt.want)
			}
			if n := utf8.RuneCountInString(got); n > summaryLimit {
				t.Errorf("summarize(%q) has %d runes, want at most %d", tt.para, n, summaryLimit)
			}
		})
	}
}

func TestParseSummaryFromLongParagraph(t *testing.T) {
	first := strings.Repeat("Σύντομη πρόταση εδώ. ", 30)
	text := "Title: T\n" + first + "\nSecond."
	a, _ := mustParse(t, "a.txt", text)
	if !strings.HasSuffix(a.Summary, "…") || !strings.HasPrefix(first, strings.TrimSuffix(a.Summary, "…")) ||
		utf8.RuneCountInString(a.Summary) > summaryLimit {
		t.Errorf("Parse(%q).Summary = %q, want a prefix of the first paragraph cut with …", text, a.Summary)
	}
}

func TestCountWordsMatchesFields(t *testing.T) {
	for _, s := range []string{"", " ", "a", " a  b\tc\u00a0d\u3000e ", "漢字 かな", "\u2028x\u2029y",
		"a\vb\fc\rd\ne", "\u0085x\u0085", "\xff \xfe\xffz ", strings.Repeat("word  ", 50)} {
		if got, want := countWords(s), len(strings.Fields(s)); got != want {
			t.Errorf("countWords(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestContentKey(t *testing.T) {
	base := "Title: T\nDate: 2024-01-02\nOne.\nTwo.\n"
	a, _ := mustParse(t, "a.txt", base)
	tests := []struct {
		name, path, text string
		same             bool
	}{
		{"moved, other headers", "2024/b.txt", "Title: T\nDate: 2025-03-04\nTags: x\n\nOne.\n\nTwo.", true},
		{"CRLF", "a.txt", strings.ReplaceAll(base, "\n", "\r\n"), true},
		{"title edited", "a.txt", "Title: U\nOne.\nTwo.\n", false},
		{"body edited", "a.txt", "Title: T\nOne.\nTwo!\n", false},
		{"paragraphs merged", "a.txt", "Title: T\nOne. Two.\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := mustParse(t, tt.path, tt.text)
			if same := a.ContentKey == b.ContentKey; same != tt.same {
				t.Errorf("Parse(%q).ContentKey = %s, Parse(%q).ContentKey = %s; same = %v, want %v",
					base, a.ContentKey, tt.text, b.ContentKey, same, tt.same)
			}
		})
	}
	if len(a.ContentKey) != 32 {
		t.Errorf("ContentKey = %q, want 32 hex digits", a.ContentKey)
	}
}

func BenchmarkParseSeed(b *testing.B) {
	src := Source{Path: "000_68686de34c3f3bfb.txt", Data: readSeed(b)}
	b.ReportAllocs()
	b.SetBytes(int64(len(src.Data)))
	for b.Loop() {
		if _, _, err := Parse(src, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseCorpus(b *testing.B) {
	files := testcorpus.Generate(200, 1)
	size := 0
	for _, f := range files {
		size += len(f.Data)
	}
	b.ReportAllocs()
	b.SetBytes(int64(size))
	for b.Loop() {
		for _, f := range files {
			if _, _, err := Parse(Source{Path: f.Name, Data: f.Data}, Options{}); err != nil {
				b.Fatal(err)
			}
		}
	}
}
