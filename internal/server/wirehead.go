package server

import (
	"slices"
	"strings"
)

// wireHeads are a variant's header sections as the wire path sends them:
// status line and fields, without the Date and the final CRLF. The
// fields are those the Handler sets through net/http, in the order
// net/http writes them (sorted by name).
type wireHeads struct {
	ok, notModified []byte
	// okBrowser is ok for browsers (see entry.browserType), or nil.
	okBrowser []byte
}

// heads returns v's wire heads, making them on first use.
func (v *variant) heads(e *entry) *wireHeads {
	if w := v.wire.Load(); w != nil {
		return w
	}
	w := &wireHeads{
		ok:          wireHead("200 OK", v.ok, nil),
		notModified: wireHead("304 Not Modified", v.notModified, nil),
	}
	if e.browserType != nil {
		w.okBrowser = wireHead("200 OK", v.ok, e.browserType)
	}
	v.wire.CompareAndSwap(nil, w)
	return v.wire.Load()
}

// wireHead formats a status line and fields, with contentType in place
// of the Content-Type field when not nil.
func wireHead(status string, fields []field, contentType []string) []byte {
	sorted := slices.Clone(fields)
	slices.SortFunc(sorted, func(a, b field) int { return strings.Compare(a.key, b.key) })
	b := []byte("HTTP/1.1 " + status + "\r\n")
	for _, f := range sorted {
		values := f.value
		if f.key == "Content-Type" && contentType != nil {
			values = contentType
		}
		for _, v := range values {
			b = append(append(append(append(b, f.key...), ": "...), v...), "\r\n"...)
		}
	}
	return slices.Clip(b)
}
