package site

import (
	"bytes"
	"compress/gzip"
	"runtime"
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
	// ("abc" → "abc-gz"): a strong validator must tell apart
	// representations that differ in content coding (RFC 9110 §8.8.3).
	ETag string
}

// encodeFresh gives every freshly rendered document its gzip variant. A
// document whose bytes equal those its path had in the previous snapshot
// takes that document's variant instead of compressing again, so a
// rebuild compresses only what changed. Article pages reused from the
// previous build are not fresh and keep theirs. Compression runs on every
// CPU and is done when encodeFresh returns.
func (b *Builder) encodeFresh(fresh []*Document) {
	var todo []*Document
	for _, d := range fresh {
		if prev := b.previousDocument(d.Path); prev != nil && prev.ETag == d.ETag {
			d.Gzip = prev.Gzip
			continue
		}
		todo = append(todo, d)
	}
	encodeAll(todo)
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

// encodeAll compresses docs in parallel, one worker per CPU.
func encodeAll(docs []*Document) {
	workers := min(runtime.GOMAXPROCS(0), len(docs))
	next := make(chan *Document)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			var c compressor
			for d := range next {
				d.Gzip = c.encode(d)
			}
		})
	}
	for _, d := range docs {
		next <- d
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
	if len(d.Body) < minCompressSize {
		return nil
	}
	gz := c.gzip(d.Body)
	if len(gz) >= len(d.Body) {
		return nil
	}
	return &Encoded{Body: gz, ETag: d.ETag[:len(d.ETag)-1] + `-gz"`}
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
