package article

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// splitParagraphs turns the body lines into trimmed plain-text paragraphs.
// Blank lines at the start and end of the body do not count: a body with
// blank lines between its text is split at them, joining the lines of each
// paragraph with a space; otherwise every line is a paragraph.
func splitParagraphs(lines []string) []string {
	lines = lines[skipBlankLines(lines):]
	for len(lines) > 0 && isBlank(lines[len(lines)-1]) {
		lines = lines[:len(lines)-1]
	}
	if skipBlankLines(lines) == len(lines) {
		return nil
	}
	if !hasBlankLine(lines) {
		paras := make([]string, len(lines))
		for i, line := range lines {
			paras[i] = strings.TrimSpace(line)
		}
		return paras
	}
	return joinParagraphs(lines)
}

func hasBlankLine(lines []string) bool {
	for _, line := range lines {
		if isBlank(line) {
			return true
		}
	}
	return false
}

// joinParagraphs joins each run of non-blank lines into one paragraph.
func joinParagraphs(lines []string) []string {
	var paras []string
	for len(lines) > 0 {
		lines = lines[skipBlankLines(lines):]
		end := 0
		for end < len(lines) && !isBlank(lines[end]) {
			end++
		}
		if end > 0 {
			paras = append(paras, joinLines(lines[:end]))
		}
		lines = lines[end:]
	}
	return paras
}

// joinLines joins trimmed lines with single spaces. A single line is
// returned without copying.
func joinLines(lines []string) string {
	if len(lines) == 1 {
		return strings.TrimSpace(lines[0])
	}
	// Sized first: grown line by line, the builder copied each
	// paragraph several times over (a tenth of parsing an article).
	size := len(lines) - 1
	for _, line := range lines {
		size += len(line)
	}
	var b strings.Builder
	b.Grow(size)
	for i, line := range lines {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strings.TrimSpace(line))
	}
	return b.String()
}

// bioQuotes are the quotation marks that may wrap an author's bio.
var bioQuotes = []struct{ open, close string }{
	{"“", "”"},
	{`"`, `"`},
}

// splitBio separates the author's bio, a last paragraph wrapped entirely in
// quotes, from the body. "Entirely" means the marks do not occur inside, so a
// closing line of dialogue such as `"Go," she said, "now."` stays body text.
// A body made of one quoted paragraph keeps it as body: an article that is
// just a quotation has a body, not a byline.
func splitBio(paras []string) (body []string, bio string) {
	if len(paras) < 2 {
		return paras, ""
	}
	last := paras[len(paras)-1]
	for _, q := range bioQuotes {
		inner, ok := strings.CutPrefix(last, q.open)
		if !ok {
			continue
		}
		inner, ok = strings.CutSuffix(inner, q.close)
		if !ok || strings.Contains(inner, q.open) || strings.Contains(inner, q.close) {
			continue
		}
		if inner = strings.TrimSpace(inner); inner != "" {
			return paras[:len(paras)-1], inner
		}
	}
	return paras, ""
}

// paragraphsHTML renders plain-text paragraphs as HTML <p> elements, one per
// line.
func paragraphsHTML(paras []string) string {
	size := 0
	for _, para := range paras {
		size += len(para) + len("<p></p>\n")
	}
	var b strings.Builder
	b.Grow(size + size/32) // room for a few escapes
	for i, para := range paras {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("<p>")
		writeEscaped(&b, para)
		b.WriteString("</p>")
	}
	return b.String()
}

// parasHaveReferences is HasReferences(paragraphsHTML(paras)) without
// making the HTML: escaping changes none of the characters of "href=" and
// "src=", makes none of them, and the markup between paragraphs holds
// none, so the HTML has either only where a paragraph has it.
func parasHaveReferences(paras []string) bool {
	for _, para := range paras {
		if HasReferences(para) {
			return true
		}
	}
	return false
}

// writeEscaped writes s with the five characters that are special in HTML
// and XML replaced by references, as html.EscapeString does, without an
// intermediate string. Escaping ">" also defuses "]]>" when the HTML is put
// in a CDATA section.
func writeEscaped(b *strings.Builder, s string) {
	for {
		i := strings.IndexAny(s, `&<>"'`)
		if i < 0 {
			b.WriteString(s)
			return
		}
		b.WriteString(s[:i])
		switch s[i] {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&#34;")
		case '\'':
			b.WriteString("&#39;")
		}
		s = s[i+1:]
	}
}

// asciiSpace marks the ASCII bytes unicode.IsSpace counts as spaces.
var asciiSpace = [utf8.RuneSelf]uint8{'\t': 1, '\n': 1, '\v': 1, '\f': 1, '\r': 1, ' ': 1}

// countWords counts words the way len(strings.Fields(s)) does, without
// allocating, and decoding only the non-ASCII runes. A word starts where a
// space is followed by anything else; adding that as a number rather
// than branching on it made counting three times as fast (it was a
// sixth of the CPU time of reading 10,000 articles).
func countWords(s string) int {
	n := 0
	afterSpace := uint8(1)
	for i := 0; i < len(s); {
		var space uint8
		if c := s[i]; c < utf8.RuneSelf {
			space = asciiSpace[c]
			i++
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			if unicode.IsSpace(r) {
				space = 1
			}
			i += size
		}
		n += int(afterSpace &^ space)
		afterSpace = space
	}
	return n
}

// summaryLimit is the most characters (runes) a derived summary has,
// counting the ellipsis.
const summaryLimit = 300

// summarize returns para, or when it is longer than summaryLimit, its start
// cut at the last word boundary that fits, with an ellipsis.
func summarize(para string) string {
	if utf8.RuneCountInString(para) <= summaryLimit {
		return para
	}
	cut := 0
	for range summaryLimit - 1 { // one rune is left for the ellipsis
		_, n := utf8.DecodeRuneInString(para[cut:])
		cut += n
	}
	head := para[:wordBoundary(para, cut)]
	head = strings.TrimRightFunc(head, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;:", r)
	})
	return head + "…"
}

// wordBoundary returns the largest index ≤ cut at which s may be cut without
// splitting a word: cut itself when a space follows it, else the last space
// before it. Text without spaces (Chinese, Japanese, or one huge token) is
// cut between characters instead, never inside a character sequence that
// renders as one (an accent, an emoji with skin tone or ZWJ, a flag).
func wordBoundary(s string, cut int) int {
	if r, _ := utf8.DecodeRuneInString(s[cut:]); unicode.IsSpace(r) {
		return cut
	}
	if i := strings.LastIndexFunc(s[:cut], unicode.IsSpace); i > 0 {
		return i
	}
	for cut > 0 {
		next, _ := utf8.DecodeRuneInString(s[cut:])
		prev, n := utf8.DecodeLastRuneInString(s[:cut])
		if !continuesCluster(prev, next) {
			break
		}
		cut -= n
	}
	return cut
}

const zeroWidthJoiner = '\u200D'

// continuesCluster reports whether next belongs to the same user-perceived
// character as prev: a simplified form of the grapheme rules of Unicode
// UAX #29 covering marks, joiners, variation selectors, emoji modifiers and
// tags, and regional-indicator pairs.
func continuesCluster(prev, next rune) bool {
	switch {
	case prev == zeroWidthJoiner, next == zeroWidthJoiner:
		return true
	case unicode.In(next, unicode.Mn, unicode.Me, unicode.Mc, unicode.Variation_Selector):
		return true
	case next >= 0x1F3FB && next <= 0x1F3FF: // emoji skin-tone modifiers
		return true
	case next >= 0xE0020 && next <= 0xE007F: // emoji tag sequences
		return true
	}
	return unicode.Is(unicode.Regional_Indicator, prev) && unicode.Is(unicode.Regional_Indicator, next)
}

// contentKey hashes what makes an article the same article wherever its
// file lives: the title, the paragraphs and the bio. Headers such as Date
// are left out, so fixing a date does not make a moved file a new article.
//
// Each field ends in a NUL, which cleanText removes from the text, so fields
// cannot run into each other. The fields are gathered into one buffer and
// hashed with sha256.Sum256: writing them one by one through hash.Hash would
// copy each string to the heap. The buffers are reused (keyBuffers): a new
// one per article was a sixth of what reading 100,000 articles allocated.
func contentKey(title string, paras []string, bio string) string {
	buf := keyBuffers.Get().(*[]byte)
	b := append(append((*buf)[:0], title...), 0)
	for _, para := range paras {
		b = append(append(b, para...), 0)
	}
	b = append(append(b, bio...), 0)
	sum := sha256.Sum256(b)
	if cap(b) <= maxKeptKeyBuffer {
		*buf = b
		keyBuffers.Put(buf)
	}
	return hex.EncodeToString(sum[:16])
}

// maxKeptKeyBuffer is the largest buffer contentKey keeps for reuse: one
// grown by an unusually long article is left to the collector.
const maxKeptKeyBuffer = 256 << 10

// keyBuffers holds the buffers contentKey gathers the fields in.
var keyBuffers = sync.Pool{New: func() any { return new([]byte) }}
