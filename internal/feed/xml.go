package feed

import (
	"bytes"
	"encoding/xml"
	"strings"
	"sync"
	"unicode/utf8"
)

// xmlSafe returns s without the characters XML 1.0 forbids (§2.2 Char:
// the C0 controls other than tab, newline and carriage return, lone
// surrogates, U+FFFE and U+FFFF); bytes that are not UTF-8 become
// U+FFFD. CDATA sections carry text as is, so without this one stray
// control character in an article would make the whole feed unreadable.
// Clean strings are returned without copying.
func xmlSafe(s string) string {
	i := firstUnsafe(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		// Ranging over a string turns each invalid byte into U+FFFD,
		// which is a valid character.
		if isXMLChar(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// firstUnsafe returns the index of the first byte of s that xmlSafe must
// change, or -1.
func firstUnsafe(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return i
			}
		}
		if !isXMLChar(r) {
			return i
		}
	}
	return -1
}

// isXMLChar reports whether r matches the Char production of XML 1.0
// §2.2.
func isXMLChar(r rune) bool {
	switch {
	case r == '\t', r == '\n', r == '\r':
		return true
	case r >= 0x20 && r <= 0xD7FF:
		return true
	case r >= 0xE000 && r <= 0xFFFD:
		return true
	case r >= 0x10000 && r <= utf8.MaxRune:
		return true
	}
	return false
}

// marshalXML encodes v as an indented UTF-8 document with an XML
// declaration and a final newline. It is well-formed by construction:
// encoding/xml escapes every text and attribute, xmlSafeFeed drops the
// characters XML forbids from every string, and the only raw content
// (innerxml) is plainEscape's. The tests hold it so, decoding what they
// render and what the fuzzer makes of any text (feedtest.CheckXML); a
// first version decoded every document again before serving it, which
// was half the time of rendering an XML feed and a tenth of a first
// build.
func marshalXML(v any) ([]byte, error) {
	buf := encodeBuffers.Get().(*bytes.Buffer)
	defer encodeBuffers.Put(buf)
	buf.Reset()
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(buf)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return bytes.Clone(buf.Bytes()), nil
}

// encodeBuffers hold the buffers feed documents are encoded into, each
// then copied out at its exact size: an archive page is some 65 KB, and
// a new buffer grown to that by doubling for each document made twice
// as much garbage as the documents themselves.
var encodeBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// xmlSafeFeed returns a copy of f with xmlSafe applied to every string,
// so no builder can forget a field. f itself is not modified.
func xmlSafeFeed(f *Feed) *Feed {
	c := *f
	c.ID = xmlSafe(f.ID)
	c.Title = xmlSafe(f.Title)
	c.Description = xmlSafe(f.Description)
	c.HomeURL = xmlSafe(f.HomeURL)
	c.Language = xmlSafe(f.Language)
	c.Author = xmlSafePerson(f.Author)
	c.Generator = xmlSafe(f.Generator)
	c.Links = xmlSafeLinks(f.Links)
	c.Hubs = xmlSafeStrings(f.Hubs)
	c.Archive.Current = xmlSafeLinks(f.Archive.Current)
	c.Archive.Prev = xmlSafeLinks(f.Archive.Prev)
	c.Archive.Next = xmlSafeLinks(f.Archive.Next)
	c.Items = make([]Item, len(f.Items))
	for i := range f.Items {
		c.Items[i] = xmlSafeItem(&f.Items[i])
	}
	return &c
}

func xmlSafeItem(it *Item) Item {
	c := *it
	c.ID = xmlSafe(it.ID)
	c.URL = xmlSafe(it.URL)
	c.Title = xmlSafe(it.Title)
	c.Summary = xmlSafe(it.Summary)
	c.ContentHTML = xmlSafe(it.ContentHTML)
	c.Author = xmlSafePerson(it.Author)
	c.Tags = xmlSafeStrings(it.Tags)
	c.Language = xmlSafe(it.Language)
	if e := it.Enclosure; e != nil {
		c.Enclosure = &Enclosure{URL: xmlSafe(e.URL), Length: e.Length, Type: xmlSafe(e.Type)}
	}
	return c
}

func xmlSafeLinks(l Links) Links {
	return Links{RSS: xmlSafe(l.RSS), Atom: xmlSafe(l.Atom), JSON: xmlSafe(l.JSON)}
}

func xmlSafePerson(p Person) Person {
	return Person{Name: xmlSafe(p.Name), Email: xmlSafe(p.Email), URL: xmlSafe(p.URL)}
}

// xmlSafeStrings returns ss itself when every string is clean and a
// cleaned copy otherwise; the caller's slice is never written.
func xmlSafeStrings(ss []string) []string {
	for i, s := range ss {
		if firstUnsafe(s) >= 0 {
			c := make([]string, len(ss))
			copy(c, ss[:i])
			for j := i; j < len(ss); j++ {
				c[j] = xmlSafe(ss[j])
			}
			return c
		}
	}
	return ss
}

// plainText is plain text in an RSS or Atom element. It is written with &
// and < as the hexadecimal character references &#x26; and &#x3C;, as
// the RSS Best Practices Profile asks of plain text ("Encoding & and <
// in Plain Text"; the W3C validator's CharacterData warning, which it
// also gives for Atom text constructs): an &amp; or &lt; there reads to
// many readers as escaped HTML, to be unescaped once more. The text a
// parser reads is the same either way.
type plainText string

// MarshalXML writes s as the content of start, escaped by plainEscape.
func (s plainText) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return e.EncodeElement(struct {
		Text string `xml:",innerxml"`
	}{plainEscape(string(s))}, start)
}

// plainEscaper escapes what character data cannot hold literally: & and
// < as hexadecimal references, > so that "]]>" never appears, and CR,
// which XML parsers would otherwise normalise away (XML 1.0 §2.11).
var plainEscaper = strings.NewReplacer("&", "&#x26;", "<", "&#x3C;", ">", "&gt;", "\r", "&#xD;")

// plainEscape returns s escaped for a plain-text element.
func plainEscape(s string) string { return plainEscaper.Replace(s) }
