package article

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// txtParser holds the state of parsing one .txt file: the house format
// described in DESIGN.md. Header parsing lives in header.go, body splitting
// in body.go.
type txtParser struct {
	src      Source
	loc      *time.Location
	dropBody bool // see ParseDroppingBody
	// headerOnly parses no more than the header block (ParseHeader).
	headerOnly bool
	warnings   []*ParseError

	// Header lines (1-based) of the keys seen so far, 0 when absent.
	seen [numKeys]int
}

// parseTxt parses the house format. See Parse for the meaning of the results.
func parseTxt(src Source, opts Options) (*Article, []*ParseError, error) {
	p := &txtParser{src: src, loc: opts.Location, dropBody: opts.dropBody, headerOnly: opts.headerOnly}
	if p.loc == nil {
		p.loc = time.UTC
	}
	a, err := p.parse()
	if err != nil {
		return nil, p.warnings, err
	}
	return a, p.warnings, nil
}

// parse reads the header block and the body. Blank lines before the header
// block are skipped rather than taken as its end: editors and copy-paste
// leave them, and an article without a title would be the worse reading.
func (p *txtParser) parse() (*Article, *ParseError) {
	data := p.src.Data
	if p.headerOnly {
		data = headerBlock(data)
	}
	lines := splitLines(p.cleanText(data))
	start := skipBlankLines(lines)
	if start == len(lines) && len(data) < len(p.src.Data) {
		// The block was blank once cleaned (headerBlock): read it all.
		p.warnings = nil
		lines = splitLines(p.cleanText(p.src.Data))
		start = skipBlankLines(lines)
	}
	if start == len(lines) {
		return nil, p.errorf(0, `empty file: an article needs a "Title: …" line`)
	}
	a := &Article{
		Path:              p.src.Path,
		DeclaredWordCount: -1,
		ModTime:           p.src.ModTime.UTC(),
		Size:              int64(len(p.src.Data)),
	}
	body, err := p.parseHeader(a, lines, start)
	if err != nil {
		return nil, err
	}
	if p.headerOnly {
		a.BodyOnDisk = true
	} else {
		p.setBody(a, lines[body:])
	}
	a.lines = lintLinesOf(&p.seen)
	p.resolveDates(a)
	return a, nil
}

// setBody fills in everything derived from the body lines.
func (p *txtParser) setBody(a *Article, lines []string) {
	// The paragraphs live on only as ContentHTML: keeping both would
	// hold every body twice in memory.
	var paras []string
	paras, a.Bio = splitBio(splitParagraphs(lines))
	if p.dropBody && len(paras) > 0 && !parasHaveReferences(paras) {
		a.BodyOnDisk = true // as DropBody would leave it
	} else {
		a.ContentHTML = paragraphsHTML(paras)
	}
	for _, para := range paras {
		a.WordCount += countWords(para)
	}
	if a.Summary == "" && len(paras) > 0 { // an empty Summary header counts as none
		a.Summary = summarize(paras[0])
	}
	a.ContentKey = contentKey(a.Title, paras, a.Bio)
}

func (p *txtParser) errorf(line int, format string, args ...any) *ParseError {
	return &ParseError{
		Path:     p.src.Path,
		Line:     line,
		Severity: SeverityError,
		Msg:      fmt.Sprintf(format, args...),
	}
}

func (p *txtParser) warnf(line int, format string, args ...any) {
	p.warnings = append(p.warnings, &ParseError{
		Path:     p.src.Path,
		Line:     line,
		Severity: SeverityWarning,
		Msg:      fmt.Sprintf(format, args...),
	})
}

var bom = []byte("\uFEFF")

// cleanText returns data as text that every output format can carry: a
// leading byte order mark dropped, invalid UTF-8 replaced by U+FFFD, and the
// characters XML 1.0 forbids (§2.2 Char) removed, each problem reported once
// as a warning naming the line of its first occurrence.
func (p *txtParser) cleanText(data []byte) string {
	data = bytes.TrimPrefix(data, bom)
	if isCleanText(data) {
		return string(data)
	}
	return p.cleanTextSlow(data)
}

// xmlChar reports whether XML 1.0 allows r in a document. Surrogates need no
// check: decoding UTF-8 never yields them.
func xmlChar(r rune) bool {
	if r < 0x20 {
		return r == '\t' || r == '\n' || r == '\r'
	}
	return r != 0xFFFE && r != 0xFFFF
}

// isCleanText is the fast path of cleanText: almost every file is valid UTF-8
// without control characters and needs no copy beyond the string conversion.
func isCleanText(data []byte) bool {
	for i := 0; i < len(data); {
		if b := data[i]; b < utf8.RuneSelf {
			if b < 0x20 && !xmlChar(rune(b)) {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(data[i:])
		if (r == utf8.RuneError && n == 1) || !xmlChar(r) {
			return false
		}
		i += n
	}
	return true
}

// cleanTextSlow copies data, repairing it. Lines are counted the way
// splitLines splits them, so the warnings point at the right line.
func (p *txtParser) cleanTextSlow(data []byte) string {
	var b strings.Builder
	b.Grow(len(data))
	line, afterCR := 1, false
	badLine, bad, ctrlLine, ctrl := 0, 0, 0, 0
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		i += n
		switch {
		case r == utf8.RuneError && n == 1:
			if bad++; bad == 1 {
				badLine = line
			}
			b.WriteRune(utf8.RuneError)
		case !xmlChar(r):
			if ctrl++; ctrl == 1 {
				ctrlLine = line
			}
			continue
		default:
			b.WriteRune(r)
		}
		if r == '\r' || (r == '\n' && !afterCR) {
			line++
		}
		afterCR = r == '\r'
	}
	if bad > 0 {
		p.warnf(badLine, "%d byte(s) of invalid UTF-8 replaced by U+FFFD: save the file as UTF-8", bad)
		p.warnings[len(p.warnings)-1].Err = ErrInvalidUTF8
	}
	if ctrl > 0 {
		p.warnf(ctrlLine, "%d character(s) removed that XML feeds cannot carry (control characters, U+FFFE, U+FFFF): delete them from the file", ctrl)
	}
	return b.String()
}

// splitLines splits s into lines ended by "\r\n", "\n" or a lone "\r". A line
// break at the very end does not start another line. The lines share s's
// memory.
func splitLines(s string) []string {
	lines := make([]string, 0, strings.Count(s, "\n")+strings.Count(s, "\r")+1)
	for s != "" {
		i := strings.IndexAny(s, "\r\n")
		if i < 0 {
			lines = append(lines, s)
			break
		}
		lines = append(lines, s[:i])
		if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			i++
		}
		s = s[i+1:]
	}
	return lines
}

// headerBlock returns the start of data that parse needs to read the
// header: up to the end of the first blank line after a line that is not
// blank, or all of data. Cleaning the text changes no line break and
// leaves a blank line blank, so the header parse of this part ends where
// that of the whole does: at that blank line at the latest. Should a line
// that is not blank here be blank once cleaned (a lone control
// character), the block may hold no header at all; parse then finds
// none, and ParseHeader parses data whole.
func headerBlock(data []byte) []byte {
	text := false
	for i := 0; i < len(data); {
		end := i + bytes.IndexAny(data[i:], "\r\n")
		if end < i {
			return data
		}
		next := end + 1
		if data[end] == '\r' && next < len(data) && data[next] == '\n' {
			next++
		}
		blank := len(bytes.TrimSpace(data[i:end])) == 0
		if blank && text {
			return data[:next]
		}
		text = text || !blank
		i = next
	}
	return data
}

// isBlank reports whether line holds nothing but white space.
func isBlank(line string) bool {
	return strings.TrimSpace(line) == ""
}

// skipBlankLines returns the index of the first line that is not blank, or
// len(lines).
func skipBlankLines(lines []string) int {
	for i, line := range lines {
		if !isBlank(line) {
			return i
		}
	}
	return len(lines)
}
