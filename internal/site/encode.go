package site

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"runtime"
	"slices"
	"sync"
)

// minCompressSize is the smallest body worth compressing: below it gzip's
// framing (18 bytes) eats most of the saving.
const minCompressSize = 256

// Why gzip alone, not brotli too: measured on a generated 1,000-article
// site, brotli at the levels that cost about what gzip -9 does (5–6) makes
// the feeds only 2–4% smaller; level 11 gets 13% but takes some 40 times
// as long (about 100 ms per 70 KB feed on every rebuild, seconds for a
// first build). Feed readers, who make most requests, ask for gzip, and
// browsers offer br only over HTTPS. Pages, where brotli saves 15%, fit in
// one initial congestion window either way.

// Encoded is a document's body compressed with a content coding
// (RFC 9110 §8.4.1).
type Encoded struct {
	// Body is the compressed bytes.
	Body []byte
	// ETag is the document's ETag with "-gz" appended inside the quotes
	// ("abc" → "abc-gz").
	ETag string
}

// Why compression is not part of Build: it is the largest cost of a
// rebuild (gzip -9 takes some 3 ms per 70 KB feed, seconds for the pages of
// a cold start of 10,000 articles), and a writer's change should be served
// as soon as its bytes exist. Build leaves freshly rendered documents
// pending; the publisher swaps the snapshot in and then calls Compress in
// the background. Until a document's variant exists it is served as it is.

// deferCompression gives each fresh document whose bytes equal those its
// path had in the previous snapshot that document's variant, and records
// the others in snap for Compress. Article pages reused from the previous
// build are not fresh and keep theirs.
func (b *Builder) deferCompression(snap *Snapshot, fresh []*Document) {
	for _, d := range fresh {
		if d.View != nil {
			snap.pending = append(snap.pending, d.View)
		}
		if prev := b.previousDocument(d.Path); prev != nil && prev.ETag == d.ETag && prev.Gzip() != nil {
			d.gzip.Store(prev.Gzip())
			continue
		}
		snap.pending = append(snap.pending, d)
	}
	// Feeds first: readers poll them, and they compress best.
	slices.SortStableFunc(snap.pending, func(a, b *Document) int {
		return cmp.Compare(compressOrder(a.Kind), compressOrder(b.Kind))
	})
}

func compressOrder(k Kind) int {
	if k == KindFeed {
		return 0
	}
	return 1
}

// previousDocument returns the document served at path by the previous
// snapshot, the 404 page for "", or nil.
func (b *Builder) previousDocument(path string) *Document {
	switch {
	case b.prev == nil:
		return nil
	case path == "":
		return b.prev.NotFound
	}
	return b.prev.docs[path]
}

// Compress makes the gzip variants of the documents Build left pending,
// on every CPU, and returns when they exist. A document another
// snapshot's Compress already did is skipped. Requests served meanwhile get
// the identity body; none waits for compression.
func (s *Snapshot) Compress() {
	workers := min(runtime.GOMAXPROCS(0), len(s.pending))
	next := make(chan *Document)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			var c compressor
			for d := range next {
				if enc := c.encode(d); enc != nil {
					d.gzip.CompareAndSwap(nil, enc)
				}
			}
		})
	}
	for _, d := range s.pending {
		if d.Gzip() == nil {
			next <- d
		}
	}
	close(next)
	wg.Wait()
}

// compressor gzips bodies, reusing its writer and buffer.
type compressor struct {
	buf bytes.Buffer
	gz  *gzip.Writer
}

// encode returns the gzip variant of d, or nil when it would not be
// smaller than the body.
func (c *compressor) encode(d *Document) *Encoded {
	if len(d.Body) < minCompressSize || d.Kind == KindMedia {
		return nil
	}
	gz := c.gzip(d.Body)
	if len(gz) >= len(d.Body) {
		return nil
	}
	return &Encoded{Body: gz, ETag: gzipETag(d.ETag)}
}

// gzip compresses body at the best compression. The header carries no
// name and no modification time, so equal bodies give equal bytes on every
// machine and `feedpub build` writes the bytes the server sends.
func (c *compressor) gzip(body []byte) []byte {
	c.buf.Reset()
	if c.gz == nil {
		// BestCompression is a valid level, so there is no error.
		c.gz, _ = gzip.NewWriterLevel(&c.buf, gzip.BestCompression)
	} else {
		c.gz.Reset(&c.buf)
	}
	// Writes to a bytes.Buffer do not fail.
	c.gz.Write(body)
	c.gz.Close()
	return bytes.Clone(c.buf.Bytes())
}
