package server

import (
	"bytes"
	"strings"
)

// request is a request head the wire path answers itself (see Server):
// GET or HEAD of a plain path over HTTP/1.1, with a Host, no body, and
// at most one line of each field the answer depends on. parseHead
// returns ok false for anything else, and net/http gets the connection.
type request struct {
	method string // "GET" or "HEAD"
	path   string
	// The fields a document's answer depends on; "" when absent, which
	// means the same as present and empty for each of them.
	acceptEncoding, accept, ifNoneMatch, ifModifiedSince string
	// close is Connection: close: answer, then close the connection.
	close bool
}

// fieldKind is what the wire path does with a header field.
type fieldKind uint8

const (
	fieldIgnored fieldKind = iota // neither net/http nor the Handler reads it
	fieldHost
	fieldConnection
	fieldAcceptEncoding
	fieldAccept
	fieldIfNoneMatch
	fieldIfModifiedSince
	// fieldHandOff marks fields that ask for what only net/http or
	// http.ServeContent does: a body, an upgrade, 100-continue, ranges,
	// and the preconditions the fast path does not evaluate.
	fieldHandOff
)

// fieldKinds classifies header fields by lower-case name.
var fieldKinds = map[string]fieldKind{
	"host":                fieldHost,
	"connection":          fieldConnection,
	"accept-encoding":     fieldAcceptEncoding,
	"accept":              fieldAccept,
	"if-none-match":       fieldIfNoneMatch,
	"if-modified-since":   fieldIfModifiedSince,
	"content-length":      fieldHandOff,
	"transfer-encoding":   fieldHandOff,
	"expect":              fieldHandOff,
	"upgrade":             fieldHandOff,
	"range":               fieldHandOff,
	"if-range":            fieldHandOff,
	"if-match":            fieldHandOff,
	"if-unmodified-since": fieldHandOff,
}

// maxFieldName is the longest name in fieldKinds; longer names are
// ignored without a lookup.
const maxFieldName = len("if-unmodified-since")

// headEnd returns the length of the request head at the start of b, up to
// and including the empty line that ends it, or -1 if b holds no empty
// line yet. A line may end in LF alone here, so that a client sending
// bare LFs is not left waiting; parseHead then hands it to net/http.
func headEnd(b []byte, from int) int {
	for i := from; ; {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			return -1
		}
		i += j + 1
		switch {
		case i < len(b) && b[i] == '\n':
			return i + 1
		case i+1 < len(b) && b[i] == '\r' && b[i+1] == '\n':
			return i + 2
		}
	}
}

// parseHead parses a request head that ends in an empty line (see
// headEnd). It accepts a strict subset of HTTP/1.1 (RFC 9112): lines end in
// CRLF, field names are tokens, values hold no control characters, no
// line is folded. ok is false for anything else, valid or not: net/http
// answers those.
func parseHead(s string) (r request, ok bool) {
	line, rest, _ := strings.Cut(s, "\r\n")
	if !parseRequestLine(line, &r) {
		return r, false
	}
	var seen [fieldHandOff]bool
	for {
		line, rest, ok = strings.Cut(rest, "\r\n")
		if !ok {
			return r, false
		}
		if line == "" {
			return r, rest == "" && seen[fieldHost]
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || !isToken(name) || !isFieldValue(value) {
			return r, false
		}
		kind := kindOf(name)
		if kind == fieldIgnored {
			continue
		}
		if kind == fieldHandOff || seen[kind] {
			return r, false
		}
		seen[kind] = true
		if !r.setField(kind, strings.Trim(value, " \t")) {
			return r, false
		}
	}
}

// parseRequestLine parses "GET /path HTTP/1.1" into r.
func parseRequestLine(line string, r *request) bool {
	method, rest, _ := strings.Cut(line, " ")
	target, version, _ := strings.Cut(rest, " ")
	if method != "GET" && method != "HEAD" || version != "HTTP/1.1" || !isPlainPath(target) {
		return false
	}
	r.method, r.path = method, target
	return true
}

// setField records the value of a field of kind, reporting whether the
// wire path can serve a request with it.
func (r *request) setField(kind fieldKind, value string) bool {
	switch kind {
	case fieldHost:
		return isPlainHost(value)
	case fieldConnection:
		r.close = strings.EqualFold(value, "close")
		return r.close || strings.EqualFold(value, "keep-alive")
	case fieldAcceptEncoding:
		r.acceptEncoding = value
	case fieldAccept:
		r.accept = value
	case fieldIfNoneMatch:
		r.ifNoneMatch = value
	case fieldIfModifiedSince:
		r.ifModifiedSince = value
	}
	return true
}

// kindOf classifies a field name, case-insensitively.
func kindOf(name string) fieldKind {
	if len(name) > maxFieldName {
		return fieldIgnored
	}
	var lower [maxFieldName]byte
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	return fieldKinds[string(lower[:len(name)])]
}

// isPlainPath reports whether target is a path the wire path may look up
// as it is: origin-form, no query, no percent-encoding (so no decoding),
// only characters RFC 3986 allows unescaped in a path. Every other target
// goes to net/http, which decodes it and rejects the malformed ones.
func isPlainPath(target string) bool {
	return target != "" && target[0] == '/' && len(target) <= maxPathBytes && allIn(target, &pathByte)
}

// isPlainHost reports whether v is a Host value of the common kind:
// a name or an address, with an optional port.
func isPlainHost(v string) bool { return allIn(v, &hostByte) }

// isToken reports whether s is a field name (RFC 9110 §5.1).
func isToken(s string) bool { return s != "" && allIn(s, &tokenByte) }

// allIn reports whether every byte of s is in set.
func allIn(s string, set *[256]bool) bool {
	for i := 0; i < len(s); i++ {
		if !set[s[i]] {
			return false
		}
	}
	return true
}

// isFieldValue reports whether s holds no control characters but HTAB
// (RFC 9110 §5.5); CR, LF and NUL among them.
func isFieldValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

var pathByte, hostByte, tokenByte = byteSet(alnum + "-._~!$&'()*+,;=:@/"), byteSet(alnum + "-._:[]"), byteSet(alnum + "!#$%&'*+-.^_`|~")

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func byteSet(chars string) (set [256]bool) {
	for i := 0; i < len(chars); i++ {
		set[chars[i]] = true
	}
	return set
}
