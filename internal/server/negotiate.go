package server

import (
	"strconv"
	"strings"
)

// choose returns the variant of e to send for the Accept-Encoding field
// values ae (RFC 9110 §12.5.3): gzip when the document has it and the
// client accepts gzip at least as much as identity, else identity. An
// absent field gets identity, as most servers do, though it permits any
// coding. When nothing is acceptable (identity;q=0 without gzip) the
// response is identity anyway, which §12.5.3 allows in place of a 415.
func (e *entry) choose(ae []string) *variant {
	if len(ae) == 0 {
		return &e.identity
	}
	gz := e.gzipVariant()
	if gz == nil {
		return &e.identity
	}
	if len(ae) == 1 {
		// The values browsers and feed readers send, without a parse.
		switch ae[0] {
		case "gzip", "gzip, deflate", "gzip, deflate, br", "gzip, deflate, br, zstd", "gzip,deflate", "br, gzip", "deflate, gzip":
			return gz
		case "", "identity":
			return &e.identity
		}
	}
	if prefersGzip(ae) {
		return gz
	}
	return &e.identity
}

// prefersGzip parses Accept-Encoding and reports whether gzip has a
// positive weight not below identity's. "x-gzip" is gzip (RFC 9110
// §8.4.1.3); "*" stands for any coding not listed. Identity not listed
// (by name or by "*") is acceptable but least preferred, so "gzip;q=0.5"
// still gets gzip. Elements with a malformed weight are ignored.
func prefersGzip(ae []string) bool {
	gzipQ, identityQ, anyQ := -1.0, -1.0, -1.0
	for _, value := range ae {
		for elem := range strings.SplitSeq(value, ",") {
			coding, q, ok := parseCoding(elem)
			if !ok {
				continue
			}
			switch {
			case strings.EqualFold(coding, "gzip"), strings.EqualFold(coding, "x-gzip"):
				gzipQ = max(gzipQ, q)
			case strings.EqualFold(coding, "identity"):
				identityQ = max(identityQ, q)
			case coding == "*":
				anyQ = max(anyQ, q)
			}
		}
	}
	if gzipQ < 0 {
		gzipQ = anyQ
	}
	if identityQ < 0 {
		identityQ = anyQ
	}
	return gzipQ > 0 && gzipQ >= identityQ
}

// parseCoding parses one Accept-Encoding element, `coding [; q=weight]`,
// returning its weight (1 when absent). ok is false for an empty element
// or a malformed weight (RFC 9110 §12.4.2: at most three decimals, 0 to 1).
func parseCoding(elem string) (coding string, q float64, ok bool) {
	coding, params, _ := strings.Cut(elem, ";")
	coding = strings.TrimSpace(coding)
	if coding == "" {
		return "", 0, false
	}
	q = 1
	for param := range strings.SplitSeq(params, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(param), "=")
		if !strings.EqualFold(name, "q") {
			continue
		}
		if !validQValue(value) {
			return "", 0, false
		}
		q, _ = strconv.ParseFloat(value, 64)
	}
	return coding, q, true
}

// validQValue reports whether s is a qvalue: "0" or "1" optionally
// followed by "." and up to three digits, at most 1.
func validQValue(s string) bool {
	if s == "" || (s[0] != '0' && s[0] != '1') {
		return false
	}
	if len(s) == 1 {
		return true
	}
	if s[1] != '.' || len(s) > 5 {
		return false
	}
	for i := 2; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' || s[0] == '1' && s[i] != '0' {
			return false
		}
	}
	return true
}

// prefersHTML reports whether the Accept field values put text/html first,
// as browsers do when they navigate; feed readers list feed types or */*
// first.
func prefersHTML(accept []string) bool {
	if len(accept) == 0 {
		return false
	}
	a := strings.TrimLeft(accept[0], " \t")
	const html = "text/html"
	if len(a) < len(html) || !strings.EqualFold(a[:len(html)], html) {
		return false
	}
	rest := a[len(html):]
	return rest == "" || rest[0] == ',' || rest[0] == ';' || rest[0] == ' ' || rest[0] == '\t'
}
