package site

import "strings"

// NotFoundFile is the file name under which static hosts look for the
// page they send with status 404; Snapshot.NotFound is stored there.
const NotFoundFile = "404.html"

// FileName maps a decoded URL path to the slash-separated, relative name
// of the file or object that a static host serves it from: "/" is
// index.html and "/articles/x/" is articles/x/index.html, since static
// hosts and object stores with index documents answer a directory with
// its index.html.
func FileName(urlPath string) string {
	p := strings.TrimPrefix(urlPath, "/")
	if p == "" || strings.HasSuffix(p, "/") {
		p += "index.html"
	}
	return p
}
