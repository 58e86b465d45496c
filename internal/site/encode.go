package site

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"io"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"

	kgzip "github.com/klauspost/compress/gzip"

	"github.com/feedpub/feedpub/internal/store"
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

// gzipLevel is the level of compression, of klauspost/compress, whose
// encoders at level 6 and below are its own, not compress/flate's. It is
// gzip's usual default. Measured on a site of 10,000 articles: 49 µs an
// article page against 100 µs for compress/flate at its best, the bytes
// 0.3 % larger; 0.23 ms a 70 KB feed against 0.8 ms, 2 % larger. The
// feeds' variants are made once per change and most of their requests
// end in a 304; the pages are what a first start and a first build
// compress, and compression had been two fifths of a first build's CPU
// time.
const gzipLevel = 6

// compressorModule is the module whose code makes the gzip bytes.
const compressorModule = "github.com/klauspost/compress"

// GzipMaker names what makes the gzip bytes: the version of the
// compressor's module this binary was built with. Another may encode the
// same body differently.
func GzipMaker() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == compressorModule {
				if dep.Replace != nil {
					dep = dep.Replace
				}
				return "klauspost-compress-" + dep.Version
			}
		}
	}
	return "klauspost-compress-unknown"
}

// Encoded is a document's body compressed with a content coding
// (RFC 9110 §8.4.1).
type Encoded struct {
	// Body is the compressed bytes, or nil when they are kept in a store
	// (File, Bytes).
	Body   []byte
	stored *storedBody
	// of is the document it encodes, whose ETag its own is made from:
	// kept as strings, the ETags of the variants of 100,000 pages took
	// 5 MB.
	of *Document
}

// ETag is the variant's ETag: its document's with "-gz" appended inside
// the quotes ("abc" → "abc-gz").
func (e *Encoded) ETag() string { return e.of.GzipETag() }

// Why compression is not part of Build: it is the largest cost of a
// rebuild (about a second of CPU for the pages of a cold start of 10,000
// articles), and a writer's change should be served as soon as its bytes
// exist. Build leaves freshly rendered documents pending; the publisher
// swaps the snapshot in and then calls Compress in the background. Until
// a document's variant exists it is served as it is.

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
	snap.gzipCache = b.gzipCache
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
	return b.prev.Lookup(path)
}

// UseStore makes b keep the bodies of its article, tag and archive pages
// and of their feeds' HTML views in st instead of memory (stored.go), and
// the snapshots it builds keep the gzip variants
// they compress there, by the ETag of the body, and take them from there
// when a body was compressed before: by an earlier run, or by serve for
// build.
// Compressing takes a second or two for a site of 10,000 articles;
// checking a stored variant by decompressing it takes a fraction of that.
// The bytes are the compressor's, which may change with its version, so
// st should be one per GzipMaker: the same body must give the same gzip
// bytes on every machine running this feedpub, since they share an ETag.
func (b *Builder) UseStore(st *store.Store) { b.gzipCache = st }

// Compress makes the gzip variants of the documents Build left pending,
// on every CPU, and returns when they exist. A document another
// snapshot's Compress already did is skipped. Requests served meanwhile get
// the identity body; none waits for compression. With a store
// (Builder.UseStore), variants found there are used once they decompress
// to the body, and those made are stored.
func (s *Snapshot) Compress() { s.compress(runtime.GOMAXPROCS(0)) }

// CompressBehind is Compress on every core but one, which it leaves to
// the requests and rebuilds it runs behind: at 100,000 articles a
// first start compresses for a minute, and on two cores a change made
// meanwhile waited for it.
func (s *Snapshot) CompressBehind() { s.compress(max(1, runtime.GOMAXPROCS(0)-1)) }

func (s *Snapshot) compress(cores int) {
	workers := min(cores, len(s.pending))
	next := make(chan *Document)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			c := compressors.Get().(*compressor)
			defer compressors.Put(c)
			c.cache = s.gzipCache
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

// DropGzip stops d offering enc as its gzip variant, if it still does,
// and reports whether it did: the server found enc's file missing or
// damaged. Requests get the identity body until CompressAgain has made
// the variant again.
func (d *Document) DropGzip(enc *Encoded) bool { return d.gzip.CompareAndSwap(enc, nil) }

// CompressAgain makes the gzip variant of d, which has none (DropGzip),
// as Compress does: a file in the store that does not decompress to the
// body is replaced, never reused. Nothing is rendered again. A variant
// another snapshot's Compress made meanwhile is kept.
func (d *Document) CompressAgain() {
	var c compressor
	if d.stored != nil {
		// A stored page's variant is in the store of its body; a
		// body in memory has its variant in memory, never damaged.
		c.cache = d.stored.st
	}
	if enc := c.encode(d); enc != nil {
		d.gzip.CompareAndSwap(nil, enc)
	}
}

// CollectStore removes from the store (Builder.UseStore) the page bodies
// and gzip variants that belong to no document of s and that were last
// written or put before s's build began. Call it only for the snapshot
// being served. A build may run meanwhile: what it stores, or
// finds stored and puts again, is newer. (A file it puts again in the
// instant between the collection's look at it and its removal is
// removed; the server finds it missing and the site is rendered again.)
func (s *Snapshot) CollectStore() error {
	if s.gzipCache == nil || !s.Complete() {
		return nil
	}
	return s.gzipCache.KeepSince(s.gzipNames(), s.renderStart)
}

// gzipNames returns the names in the store of s's documents' stored
// bodies and gzip variants. A variant is named whether or not s has it:
// a snapshot left uncompressed (a build without gzip variants) keeps
// those a server made of the same bodies.
func (s *Snapshot) gzipNames() map[string]bool {
	names := map[string]bool{}
	add := func(d *Document) {
		names[cacheName(d)] = true
		if d.stored != nil {
			names[d.stored.name] = true
		}
	}
	add(s.NotFound)
	for _, d := range s.Documents() {
		add(d)
		if d.View != nil {
			add(d.View)
		}
	}
	return names
}

// cacheName is the name of d's gzip variant in a gzip cache: the hex
// digits of its ETag, which are half of the SHA-256 of the body.
func cacheName(d *Document) string { return d.ETag[1 : len(d.ETag)-1] }

// compressors hold the compressors of earlier snapshots: a gzip writer
// at gzipLevel allocates some 0.7 MB of tables, which each change made
// anew for the few documents it brings.
var compressors = sync.Pool{New: func() any { return new(compressor) }}

// compressor gzips bodies, reusing its writer and buffer, and keeps the
// variants in cache, if it is not nil.
type compressor struct {
	buf   bytes.Buffer
	gz    *kgzip.Writer
	cache *store.Store
	// unzipped and zr check variants read from the cache.
	unzipped bytes.Buffer
	zr       *gzip.Reader
	// body holds the stored body being compressed (read).
	body []byte
}

// encode returns the gzip variant of d, or nil when it would not be
// smaller than the body.
func (c *compressor) encode(d *Document) *Encoded {
	if d.Size() < minCompressSize || d.Kind == KindMedia {
		return nil
	}
	body, err := c.read(d)
	if err != nil {
		return nil // served as it is; the server finds the damage
	}
	gz, found := c.cached(d, body)
	made := gz == nil
	if made {
		gz = c.gzip(body)
		if len(gz) >= len(body) {
			return nil
		}
		if c.cache != nil {
			put := c.cache.PutAs
			if found {
				// A file of the wrong bytes is there: PutAs would
				// keep it when its size is right, and the server
				// would find it damaged again and again.
				put = c.cache.ReplaceAs
			}
			if err := put(cacheName(d), gz); err != nil {
				// Not stored, it stays in memory and is made
				// again next time; nothing else is lost.
				return &Encoded{Body: bytes.Clone(gz), of: d}
			}
		}
	}
	if d.stored != nil {
		// A stored page's variant is the cache's file.
		name := cacheName(d)
		return &Encoded{of: d, stored: &storedBody{
			size: int64(len(gz)), name: name, st: c.cache,
		}}
	}
	if made {
		gz = bytes.Clone(gz) // kept in memory: c's buffer is reused
	}
	return &Encoded{Body: gz, of: d}
}

// read returns d's body, reading a stored one into c's buffer: at
// 100,000 pages, a new buffer for each was most of the garbage a start's
// compression made, for collections the next change had to wait for.
func (c *compressor) read(d *Document) ([]byte, error) {
	if d.stored == nil {
		return d.Body, nil
	}
	body, err := d.stored.st.GetInto(d.stored.name, c.body)
	if err == nil {
		c.body = body
	}
	return body, err
}

// cached returns the gzip variant of d (whose body is body) from the
// cache, or nil when it is not there or does not decompress to the body,
// which is never served. found reports whether a file was there, right
// or wrong.
func (c *compressor) cached(d *Document, body []byte) (gz []byte, found bool) {
	if c.cache == nil {
		return nil, false
	}
	gz, err := c.cache.ReadAs(cacheName(d))
	if err != nil {
		return nil, false
	}
	if len(gz) >= len(body) {
		return nil, true
	}
	if c.zr == nil {
		if c.zr, err = gzip.NewReader(bytes.NewReader(gz)); err != nil {
			return nil, true
		}
	} else if err := c.zr.Reset(bytes.NewReader(gz)); err != nil {
		return nil, true
	}
	c.unzipped.Reset()
	c.unzipped.Grow(len(body))
	// A variant decompressing to more than the body is not it: read one
	// byte past the body's length at most.
	if _, err := c.unzipped.ReadFrom(io.LimitReader(c.zr, int64(len(body))+1)); err != nil || !bytes.Equal(c.unzipped.Bytes(), body) {
		return nil, true
	}
	return gz, true
}

// gzip compresses body at gzipLevel. The header carries no name and no
// modification time, so equal bodies give equal bytes on every machine
// and `feedpub build` writes the bytes the server sends.
func (c *compressor) gzip(body []byte) []byte {
	c.buf.Reset()
	if c.gz == nil {
		// gzipLevel is a valid level, so there is no error.
		c.gz, _ = kgzip.NewWriterLevel(&c.buf, gzipLevel)
	} else {
		c.gz.Reset(&c.buf)
	}
	// Writes to a bytes.Buffer do not fail.
	c.gz.Write(body)
	c.gz.Close()
	// Valid until the next call: the caller copies what it keeps.
	return c.buf.Bytes()
}
