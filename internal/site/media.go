package site

import (
	"time"

	"github.com/feedpub/feedpub/internal/library"
)

// mediaPrefix is the URL path under which the media files of the articles
// directory are served, each at its path there:
// articles/2024/img/chart.png is /media/2024/img/chart.png.
const mediaPrefix = "/media/"

// mediaPath returns the decoded URL path of a media file, given its path
// relative to the articles directory.
func mediaPath(rel string) string { return mediaPrefix + rel }

// SVGContentSecurityPolicy is sent with SVG files. An SVG opened on its own
// is a document that may run scripts with the site's origin; this policy
// (CSP Level 3) runs none and loads nothing, keeping inline styles, which
// drawings use, and sandboxes the document like a page of its own origin.
const SVGContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"

// addMedia adds a document for every media file. Media files are served
// as they are: their ETag is computed once per file version (a rescan
// that finds a file unchanged returns the same *library.Media), their
// Last-Modified is the file's modification time, as static file servers
// send, and they are not compressed, since images, audio, video and PDF
// already are.
func (r *renderRun) addMedia(media []*library.Media) {
	r.media = make(map[*library.Media]*Document, len(media))
	for _, m := range media {
		d, ok := r.b.media[m]
		if !ok {
			d = newDocument(mediaPath(m.Path), m.ContentType, KindMedia, m.Data)
			d.LastModified = m.ModTime.UTC().Truncate(time.Second)
			if m.ContentType == "image/svg+xml" {
				d.ContentSecurityPolicy = SVGContentSecurityPolicy
			}
		}
		r.docs[d.Path] = d
		r.media[m] = d
	}
}
