// Package deploy uploads a rendered site to S3-compatible object storage
// (AWS S3, Cloudflare R2, Google Cloud Storage's interoperability mode,
// MinIO, Ceph and the like), incrementally and in an order that never
// shows a reader a feed item whose page is missing.
//
// The objects are the documents of a site.Snapshot, the very bytes
// `feedpub build` writes, under the same names, with the headers the
// server would send. An object is uploaded only when its MD5 differs
// from the store's ETag or its headers differ from what they should be.
package deploy

import (
	"cmp"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/site"
)

// Policy is how documents become objects.
type Policy struct {
	// Gzip stores the gzip variant of documents that have one, with
	// Content-Encoding: gzip.
	Gzip bool
	// DirectoryKeys also stores each directory index at its directory
	// key ("articles/x/" beside "articles/x/index.html").
	DirectoryKeys bool
	// FeedMaxAge, PageMaxAge and MediaMaxAge are the Cache-Control
	// max-age of feeds, of pages and stylesheets, and of media files.
	FeedMaxAge, PageMaxAge, MediaMaxAge time.Duration
}

// PolicyOf returns the policy cfg sets: [deploy] and feeds.max_age.
func PolicyOf(cfg config.Config) Policy {
	return Policy{
		Gzip:          cfg.Deploy.Gzip,
		DirectoryKeys: cfg.Deploy.DirectoryKeys,
		FeedMaxAge:    cfg.Feeds.MaxAge.Duration,
		PageMaxAge:    cfg.Deploy.PageMaxAge.Duration,
		MediaMaxAge:   cfg.Deploy.MediaMaxAge.Duration,
	}
}

// Stage orders uploads: every object of a stage is in the store before
// any object of the next is sent, so a feed never names a page that is
// not there yet.
type Stage int

const (
	// StageContent is media, stylesheets and article pages.
	StageContent Stage = iota
	// StageIndexes is the archive and tag documents.
	StageIndexes
	// StageFeeds is the main feeds, the home page and the rest.
	StageFeeds
	stages
)

// Object is one object to store.
type Object struct {
	Key string
	// Body is the object's bytes, or nil while they are in the
	// document store (site/stored.go): a plan reads those to hash them
	// the first time and drops them, and reads them again only to
	// upload them (Bytes).
	Body  []byte
	load  func() ([]byte, error)
	size  int64
	Stage Stage
	// Headers are the object's HTTP headers as the store keeps them.
	Headers Headers
	// Topic is the WebSub topic of a feed, or "".
	Topic string
	// MD5 is the hex MD5 of Body: the ETag S3 gives an object uploaded
	// in one part.
	MD5 string
}

// Headers are the stored headers of an object.
type Headers struct {
	ContentType, CacheControl, ContentEncoding string
}

// fingerprint is a short digest of h, recorded in the manifest so that a
// later deploy knows the headers without asking for each object.
func (h Headers) fingerprint() string {
	sum := sha256.Sum256([]byte(h.ContentType + "\n" + h.CacheControl + "\n" + h.ContentEncoding))
	return hex.EncodeToString(sum[:8])
}

// Plan returns the objects of snap under prefix, sorted by stage and then
// by key. A page whose body in the store is missing or damaged is an
// error: nothing is uploaded from it.
func Plan(snap *site.Snapshot, prefix string, p Policy) ([]Object, error) {
	return plan(snap, prefix, p, nil)
}

// plan is Plan taking the MD5 of bodies from memo, when not nil.
func plan(snap *site.Snapshot, prefix string, p Policy, memo *md5Memo) ([]Object, error) {
	var objs []Object
	add := func(name string, d *site.Document) error {
		o, err := p.object(d, memo)
		if err != nil {
			return err
		}
		o.Key = prefix + name
		objs = append(objs, o)
		if p.DirectoryKeys && strings.HasSuffix(name, "/index.html") {
			o.Key = prefix + strings.TrimSuffix(name, "index.html")
			objs = append(objs, o)
		}
		return nil
	}
	for _, path := range snap.Paths() {
		if err := add(site.FileName(path), snap.Lookup(path)); err != nil {
			return nil, err
		}
	}
	if err := add(site.NotFoundFile, snap.NotFound); err != nil {
		return nil, err
	}
	sortObjects(objs)
	return objs, nil
}

// object returns d as an object, without its key.
func (p Policy) object(d *site.Document, memo *md5Memo) (Object, error) {
	o := Object{
		load:  d.Bytes,
		size:  d.Size(),
		Stage: stageOf(d),
		Topic: d.Topic,
		Headers: Headers{
			ContentType:  d.ContentType,
			CacheControl: "public, max-age=" + strconv.Itoa(int(p.maxAge(d.Kind)/time.Second)),
		},
	}
	etag := d.ETag
	if gz := d.Gzip(); p.Gzip && gz != nil {
		_, o.size = gz.File()
		o.load, etag = gz.Bytes, gz.ETag()
		o.Headers.ContentEncoding = "gzip"
	}
	if d.Body != nil && o.Headers.ContentEncoding == "" {
		o.Body = d.Body // in memory: nothing to read
	}
	if sum, ok := memo.known(etag); ok {
		o.MD5 = sum
		return o, nil
	}
	// A body read from the store is hashed and dropped: kept, a first
	// deploy of 100,000 pages held every one until it ended. Those
	// uploaded are read again as each goes (put), Parallel at a time.
	body, err := o.Bytes()
	if err != nil {
		return Object{}, err
	}
	o.MD5 = memo.sum(etag, body)
	return o, nil
}

// Bytes returns the object's bytes: Body, or those read from the store.
func (o Object) Bytes() ([]byte, error) {
	if o.Body != nil || o.load == nil {
		return o.Body, nil
	}
	return o.load()
}

// Size returns the length of the object's bytes.
func (o Object) Size() int64 {
	if o.Body != nil || o.load == nil {
		return int64(len(o.Body))
	}
	return o.size
}

// md5Memo remembers the MD5 of bodies by their ETag from one plan to the
// next, so continuous deploy hashes only the bytes a change made: the
// store's ETags are MD5s, the snapshot's are not. It keeps the entries
// the last plan used, so it never outgrows one snapshot.
type md5Memo struct {
	prev, next map[string]string // by the document's ETag
}

// sum returns the hex MD5 of body, whose ETag in the snapshot is etag.
// A nil memo computes it.
func (m *md5Memo) sum(etag string, body []byte) string {
	if m == nil {
		return md5Hex(body)
	}
	sum, ok := m.next[etag]
	if !ok {
		if sum, ok = m.prev[etag]; !ok {
			sum = md5Hex(body)
		}
		m.next[etag] = sum
	}
	return sum
}

// known returns the MD5 the memo holds for etag, if any, noting it as
// used by this plan.
func (m *md5Memo) known(etag string) (string, bool) {
	if m == nil {
		return "", false
	}
	sum, ok := m.next[etag]
	if !ok {
		if sum, ok = m.prev[etag]; ok {
			m.next[etag] = sum
		}
	}
	return sum, ok
}

// start begins a plan: what the last one used becomes what this one may reuse.
func (m *md5Memo) start() {
	m.prev, m.next = m.next, map[string]string{}
}

// newObject returns an object stored at key with body and headers.
func newObject(key string, body []byte, h Headers) Object {
	return Object{Key: key, Body: body, Headers: h, MD5: md5Hex(body)}
}

func md5Hex(body []byte) string {
	sum := md5.Sum(body)
	return hex.EncodeToString(sum[:])
}

func (p Policy) maxAge(k site.Kind) time.Duration {
	switch k {
	case site.KindFeed:
		return p.FeedMaxAge
	case site.KindMedia:
		return p.MediaMaxAge
	}
	return p.PageMaxAge
}

// stageOf returns the stage in which d is uploaded.
func stageOf(d *site.Document) Stage {
	switch {
	case d.Kind == site.KindMedia, d.Kind == site.KindAsset, strings.HasPrefix(d.Path, "/articles/"):
		return StageContent
	case strings.HasPrefix(d.Path, "/archive/"), strings.HasPrefix(d.Path, "/tags/"):
		return StageIndexes
	}
	return StageFeeds
}

func sortObjects(objs []Object) {
	slices.SortFunc(objs, func(a, b Object) int {
		return cmp.Or(cmp.Compare(a.Stage, b.Stage), strings.Compare(a.Key, b.Key))
	})
}
