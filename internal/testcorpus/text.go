package testcorpus

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Word pools. Most text is plain English, like the sample article; the rest
// exercises what the feed writers must get right: other scripts (right to
// left, CJK, combining marks, emoji sequences) and characters that are
// special in HTML and XML.
var (
	common = strings.Fields(`the a of and to in for on with at by from as that this
		visit talks summit agreement minister city council market river harbour
		bridge report season festival museum library station garden school
		research team study data network energy water policy budget election
		quiet rapid historic modern local regional national global cultural
		announced expected recent important significant new early late final
		discussed celebrated reviewed opened planned improved visited measured`)
	foreign = []string{
		"القاهرة", "السلام", "المدينة", // Arabic
		"东京", "市场", "北京大学", "경제", "ソフトウェア", // CJK
		"भारत", "सरकार", "नमस्ते", // Devanagari
		"Москва", "Αθήνα", "São Paulo", "Zürich", "Ærøskøbing",
		"naïve", "e\u0301te\u0301", // combining marks
		"👩🏽‍🔬", "👨‍👩‍👧‍👦", "🇯🇵", "❤️",
	}
	special = []string{
		"AT&T", "R&D", "x<y", "a>b", "<b>bold</b>", "]]>", "\"quoted\"",
		"'single'", "it's", "&amp;", "<script>alert(1)</script>", "&#169;",
	}
	tagWords = []string{"politics", "Travel", "science", "Go", "energy", "日本", "हिन्दी", "R&D", "culture", "sport"}
	authors  = []string{"Ada Lovelace", "Ngũgĩ wa Thiong'o", "李白", "Zoë O'Brien & Co", "أحمد"}
	topics   = []string{"notes", "travel", "science"}
	bioParts = strings.Fields(`Travel aficionado. Incurable bacon specialist. Tv evangelist.
		Wannabe internet enthusiast. Typical creator. Coffee scholar. Music fan.
		Hardcore reader. Subtly charming writer. Proud explorer.`)
)

// word returns one word, now and then from the foreign or special pools.
func (g *generator) word() string {
	switch r := g.rng.Float64(); {
	case r < 0.03:
		return g.pick(foreign)
	case r < 0.05:
		return g.pick(special)
	default:
		return g.pick(common)
	}
}

// sentence returns a capitalized sentence of 6 to 20 words.
func (g *generator) sentence() string {
	words := make([]string, g.between(6, 20))
	for i := range words {
		words[i] = g.word()
		if i > 0 && i < len(words)-1 && g.chance(0.06) {
			words[i] += ","
		}
	}
	words[0] = capitalize(words[0])
	return strings.Join(words, " ") + g.pick([]string{".", ".", ".", "?", "!"})
}

func (g *generator) title() string {
	words := make([]string, g.between(4, 12))
	for i := range words {
		words[i] = capitalize(g.word())
	}
	return strings.Join(words, " ")
}

// body returns the body lines. The target word count is the smaller of two
// uniform draws over 140..820; whole paragraphs overshoot it by about 35
// words, so bodies run from about 150 to 900 words and average about 400,
// the sample article's size. Two thirds of the bodies put one paragraph per
// line, as the sample does; the rest wrap paragraphs and separate them with
// blank lines, ending with one.
func (g *generator) body() []string {
	target := min(g.between(140, 820), g.between(140, 820))
	wrapped := g.chance(0.33)
	var lines []string
	for words := 0; words < target; {
		para := g.paragraph()
		words += len(strings.Fields(para))
		if !wrapped {
			lines = append(lines, para)
			continue
		}
		lines = append(lines, wrap(para, 72)...)
		lines = append(lines, "")
	}
	return lines
}

// paragraph returns two to eight sentences.
func (g *generator) paragraph() string {
	sentences := make([]string, g.between(2, 8))
	for i := range sentences {
		sentences[i] = g.sentence()
	}
	return strings.Join(sentences, " ")
}

// bio returns an author bio: a last paragraph in curly quotes, as in the
// sample article.
func (g *generator) bio() string {
	parts := make([]string, g.between(2, 5))
	for i := range parts {
		parts[i] = g.pick(bioParts)
	}
	return "“" + strings.Join(parts, " ") + "”"
}

// wrap breaks s into lines of at most width bytes where it can, at spaces.
func wrap(s string, width int) []string {
	var lines []string
	for len(s) > width {
		i := strings.LastIndexByte(s[:width], ' ')
		if i <= 0 {
			i = strings.IndexByte(s, ' ')
			if i < 0 {
				break
			}
		}
		lines = append(lines, s[:i])
		s = s[i+1:]
	}
	return append(lines, s)
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// slugify makes a file-name part from the first ASCII words of title.
func slugify(title string) string {
	var parts []string
	for _, w := range strings.Fields(strings.ToLower(title)) {
		w = strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, w)
		if w != "" && len(parts) < 4 {
			parts = append(parts, w)
		}
	}
	if len(parts) == 0 {
		return "untitled"
	}
	return strings.Join(parts, "-")
}

// countWords counts the words of the body lines, as the parser does.
func countWords(lines []string) int {
	n := 0
	for _, line := range lines {
		n += len(strings.Fields(line))
	}
	return n
}
