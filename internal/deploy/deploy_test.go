package deploy

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/publish"
	"github.com/feedpub/feedpub/internal/site"
	"github.com/feedpub/feedpub/internal/testvgw"
)

// render renders the articles (name → content) as feedpub build does.
func render(t *testing.T, articles map[string]string) *site.Snapshot {
	t.Helper()
	return renderDir(t, func(dir string) error {
		for name, body := range articles {
			path := filepath.Join(dir, name)
			os.MkdirAll(filepath.Dir(path), 0o755)
			if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
				return err
			}
		}
		return nil
	})
}

// renderDir renders the articles write puts in the directory it is
// given, as feedpub build does, keeping pages in the document store.
func renderDir(tb testing.TB, write func(dir string) error) *site.Snapshot {
	tb.Helper()
	root := tb.TempDir()
	cfg := config.Default()
	cfg.Articles.Dir = filepath.Join(root, "articles")
	cfg.State.File = filepath.Join(root, "state.json")
	if err := write(cfg.Articles.Dir); err != nil {
		tb.Fatal(err)
	}
	p, err := publish.New(cfg, publish.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := p.Rebuild(); err != nil {
		tb.Fatal(err)
	}
	p.Wait()
	return p.Snapshot()
}

var articles = map[string]string{
	"a.txt":   "Title: A\nDate: 2024-01-01\nTags: red\n\n" + strings.Repeat("A long enough body to be worth compressing. ", 20) + "\n",
	"b.txt":   "Title: B\nDate: 2024-01-02\n\nSecond.\n",
	"pic.png": "\x89PNG\r\n\x1a\n" + strings.Repeat("not compressed, however compressible ", 20),
}

func newDeployer(t *testing.T, vgw *testvgw.Server, opts Options) *Deployer {
	t.Helper()
	target, err := ParseTarget(vgw.Target("site"))
	if err != nil {
		t.Fatal(err)
	}
	client, err := NewClient(context.Background(), target, ClientOptions{Attempts: 2, MaxBackoff: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	opts.Client, opts.Target = client, target
	if opts.Policy == (Policy{}) {
		opts.Policy = Policy{FeedMaxAge: 5 * time.Minute, PageMaxAge: time.Minute, MediaMaxAge: time.Hour}
	}
	return New(opts)
}

func get(t *testing.T, vgw *testvgw.Server, key string) (*s3.GetObjectOutput, []byte) {
	t.Helper()
	out, err := vgw.Client().GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(vgw.Bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("getting %s: %v", key, err)
	}
	defer out.Body.Close()
	body, _ := io.ReadAll(out.Body)
	return out, body
}

func keys(t *testing.T, vgw *testvgw.Server) []string {
	t.Helper()
	out, err := vgw.Client().ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(vgw.Bucket)})
	if err != nil {
		t.Fatal(err)
	}
	var ks []string
	for _, o := range out.Contents {
		ks = append(ks, aws.ToString(o.Key))
	}
	return ks
}

// announcer records the topics announced, each call's hubs first.
type announcer struct {
	mu    sync.Mutex
	calls [][]string
}

func (a *announcer) announce(hubs, topics []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = append(a.calls, append(slices.Clone(hubs), topics...))
}

func (a *announcer) take() [][]string {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.calls
	a.calls = nil
	return c
}

// TestStoreFailingMidDeploy stops the store when the first archive or tag
// document is about to go up: the deploy fails, no hub hears of a feed,
// no main feed names the new article yet, and the next deploy, with the
// store back, finishes the job and announces.
func TestStoreFailingMidDeploy(t *testing.T) {
	vgw := testvgw.Start(t, "feeds")
	ctx := context.Background()
	ann := &announcer{}
	var once sync.Once
	d := newDeployer(t, vgw, Options{Announce: ann.announce, Hubs: []string{"https://hub.example/"}, Parallel: 1})
	d.opts.beforePut = func(o Object) {
		if o.Stage == StageIndexes {
			once.Do(vgw.Stop)
		}
	}
	snap := render(t, articles)
	sum, err := d.Deploy(ctx, snap)
	if err == nil {
		t.Fatalf("deploy with the store stopped = %v, nil error", sum)
	}
	if calls := ann.take(); len(calls) != 0 {
		t.Errorf("hubs were told of %v though the deploy failed", calls)
	}
	vgw.Restart()
	stored := keys(t, vgw)
	if !slices.Contains(stored, "site/articles/a/index.html") || slices.Contains(stored, "site/rss.xml") {
		t.Errorf("after the failure the store holds %v; want the article pages and no main feed", stored)
	}

	d.opts.beforePut = nil
	sum, err = d.Deploy(ctx, snap)
	if err != nil {
		t.Fatalf("deploy after the store came back: %v", err)
	}
	if sum.Uploaded == 0 || sum.Unchanged == 0 {
		t.Errorf("retry = %v, want the rest uploaded and the stored pages unchanged", sum)
	}
	if calls := ann.take(); len(calls) != 1 || calls[0][0] != "https://hub.example/" || !slices.Contains(calls[0], "http://127.0.0.1:8080/rss.xml") {
		t.Errorf("retry announced %v, want one call naming the hub and the main feeds", calls)
	}
	if _, body := get(t, vgw, "site/rss.xml"); !bytes.Equal(body, snap.Lookup("/rss.xml").Body) {
		t.Error("rss.xml stored differs from the snapshot's")
	}
}

// TestGzip checks the gzip policy: one object per document, its gzip
// variant with Content-Encoding: gzip, and no .gz sibling.
func TestGzip(t *testing.T) {
	vgw := testvgw.Start(t, "feeds")
	snap := render(t, articles)
	// Progress lines come every ProgressEvery; at a nanosecond, a few
	// come during any deploy.
	var progress bytes.Buffer
	d := newDeployer(t, vgw, Options{Policy: Policy{Gzip: true, PageMaxAge: time.Minute}, Out: &progress, ProgressEvery: time.Nanosecond})
	if _, err := d.Deploy(context.Background(), snap); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(progress.String(), " objects checked, ") {
		t.Errorf("no progress line written: %q", progress.String())
	}
	stored := keys(t, vgw)
	for _, k := range stored {
		if strings.HasSuffix(k, ".gz") {
			t.Errorf("stored a .gz sibling %s", k)
		}
	}
	page := snap.Lookup("/articles/a/")
	o, body := get(t, vgw, "site/articles/a/index.html")
	if aws.ToString(o.ContentEncoding) != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", aws.ToString(o.ContentEncoding))
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	want, err := page.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if plain, _ := io.ReadAll(zr); !bytes.Equal(plain, want) {
		t.Error("the stored page does not decompress to the page")
	}
	if o, _ := get(t, vgw, "site/media/pic.png"); o.ContentEncoding != nil {
		t.Errorf("a media file is stored with Content-Encoding %q", aws.ToString(o.ContentEncoding))
	}
}

// TestPlanDirectoryKeys checks that directory pages are also planned at
// their directory keys, with the same bytes. (versitygw's POSIX backend
// cannot store a key ending in "/" with a body, so this is checked on
// the plan.)
func TestPlanDirectoryKeys(t *testing.T) {
	snap := render(t, articles)
	without := mustPlan(t, snap, "p/", Policy{})
	with := mustPlan(t, snap, "p/", Policy{DirectoryKeys: true})
	byKey := map[string]Object{}
	for _, o := range with {
		byKey[o.Key] = o
	}
	dirs := 0
	for _, o := range without {
		// The home page has no directory key: the store's root is
		// the bucket's listing, or its website endpoint's index.
		if !strings.HasSuffix(o.Key, "/index.html") || o.Key == "p/index.html" {
			continue
		}
		dirs++
		dir, ok := byKey[strings.TrimSuffix(o.Key, "index.html")]
		if !ok || dir.MD5 != o.MD5 || dir.Headers != o.Headers || dir.Stage != o.Stage {
			t.Errorf("%s: directory key %+v, want the same object", o.Key, dir)
		}
	}
	if dirs == 0 || len(with) != len(without)+dirs {
		t.Errorf("%d objects with directory keys, %d without, %d directories", len(with), len(without), dirs)
	}
}

// TestHeadersChangeUploads checks that an object whose bytes are stored
// but whose headers should now differ is uploaded again, whether the
// manifest records its headers or not, and that --force uploads all.
func TestHeadersChangeUploads(t *testing.T) {
	vgw := testvgw.Start(t, "feeds")
	ctx := context.Background()
	snap := render(t, articles)
	if _, err := newDeployer(t, vgw, Options{}).Deploy(ctx, snap); err != nil {
		t.Fatal(err)
	}
	deleteManifest := func() {
		if _, err := vgw.Client().DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(vgw.Bucket), Key: aws.String("site/" + manifestName)}); err != nil {
			t.Fatal(err)
		}
	}
	// Without a manifest the headers are checked by HEAD: all agree.
	deleteManifest()
	sum, err := newDeployer(t, vgw, Options{}).Deploy(ctx, snap)
	if err != nil || sum.Uploaded != 0 {
		t.Errorf("deploy without manifest = %v, %v; want nothing uploaded", sum, err)
	}
	feeds := 0
	for _, p := range snap.Paths() {
		if snap.Lookup(p).Kind == site.KindFeed {
			feeds++
		}
	}
	longer := Policy{FeedMaxAge: time.Hour, PageMaxAge: time.Minute, MediaMaxAge: time.Hour}
	for _, manifest := range []bool{true, false} {
		if !manifest {
			longer.FeedMaxAge *= 2
			deleteManifest()
		}
		sum, err := newDeployer(t, vgw, Options{Policy: longer}).Deploy(ctx, snap)
		if err != nil || sum.Uploaded != feeds {
			t.Errorf("manifest %v: deploy with a new feed max-age = %v, %v; want the %d feeds uploaded", manifest, sum, err, feeds)
		}
		if o, _ := get(t, vgw, "site/tags/red/atom.xml"); aws.ToString(o.CacheControl) != "public, max-age="+itoa(longer.FeedMaxAge) {
			t.Errorf("manifest %v: Cache-Control %q", manifest, aws.ToString(o.CacheControl))
		}
	}
	sum, err = newDeployer(t, vgw, Options{Policy: longer, Force: true}).Deploy(ctx, snap)
	if err != nil || sum.Unchanged != 0 || sum.Uploaded != len(mustPlan(t, snap, "", longer)) {
		t.Errorf("--force = %v, %v; want every object uploaded", sum, err)
	}
}

func itoa(d time.Duration) string { return strconv.Itoa(int(d / time.Second)) }

// TestPlanReusesMD5s checks that a Deployer's plans hash each body once:
// the MD5s of one plan are taken from the memo by ETag, not recomputed.
func TestPlanReusesMD5s(t *testing.T) {
	snap := render(t, articles)
	want := mustPlan(t, snap, "", Policy{})
	var memo md5Memo
	memo.start()
	first := must(t)(plan(snap, "", Policy{}, &memo))
	for i := range want {
		if first[i].MD5 != want[i].MD5 {
			t.Fatalf("%s: memo MD5 %s, want %s", want[i].Key, first[i].MD5, want[i].MD5)
		}
	}
	for etag := range memo.next {
		memo.next[etag] = "remembered"
	}
	memo.start()
	for _, o := range must(t)(plan(snap, "", Policy{}, &memo)) {
		if o.MD5 != "remembered" {
			t.Errorf("%s: MD5 computed again", o.Key)
		}
	}
	if len(memo.prev) != len(memo.next) {
		t.Errorf("memo keeps %d entries from before and %d now; want only what the plan used", len(memo.prev), len(memo.next))
	}
}

func mustPlan(t *testing.T, snap *site.Snapshot, prefix string, p Policy) []Object {
	t.Helper()
	return must(t)(Plan(snap, prefix, p))
}

// must returns a function returning the objects of a plan, failing t on
// its error.
func must(t *testing.T) func([]Object, error) []Object {
	return func(objs []Object, err error) []Object {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return objs
	}
}

// TestPlanReadsStoredBodiesOnlyWhenNeeded holds that a plan whose MD5s
// the memo knows reads no body from the document store (a deploy after a
// one-file change reads only what it uploads), and that a body damaged
// in the store is an error when it is read, never uploaded.
func TestPlanReadsStoredBodiesOnlyWhenNeeded(t *testing.T) {
	snap := render(t, articles)
	page := snap.Lookup("/articles/a/")
	file, _ := page.File()
	if file == "" {
		t.Fatal("the article page is not kept in the store")
	}
	var memo md5Memo
	memo.start()
	must(t)(plan(snap, "", Policy{}, &memo))
	if err := os.WriteFile(file, []byte("damaged"), 0o644); err != nil {
		t.Fatal(err)
	}
	memo.start()
	for _, o := range must(t)(plan(snap, "", Policy{}, &memo)) {
		if o.Key != "articles/a/index.html" {
			continue
		}
		if body, err := o.Bytes(); err == nil {
			t.Errorf("the damaged page reads as %q; want an error", body)
		}
	}
	if _, err := Plan(snap, "", Policy{}); err == nil {
		t.Error("a plan without a memo, which reads every body, took the damaged page")
	}
}

// TestPlanKeepsNoStoredBody holds that a plan which hashed the bodies
// kept in the document store (a first deploy) does not hold them: a
// deploy of 100,000 pages would otherwise keep every page in memory
// until it ends. The object reads its body from the store again, the
// same bytes as hashed.
func TestPlanKeepsNoStoredBody(t *testing.T) {
	snap := render(t, articles)
	for _, p := range []Policy{{}, {Gzip: true}} {
		stored := 0
		for _, o := range mustPlan(t, snap, "", p) {
			if !inStore(snap, o) {
				continue
			}
			stored++
			if o.Body != nil {
				t.Errorf("gzip %v: %s holds its %d bytes after planning", p.Gzip, o.Key, len(o.Body))
			}
			if body, err := o.Bytes(); err != nil || md5Hex(body) != o.MD5 || int64(len(body)) != o.Size() {
				t.Errorf("gzip %v: %s reads %d bytes, %v, MD5 %s; want %d bytes, MD5 %s", p.Gzip, o.Key, len(body), err, md5Hex(body), o.Size(), o.MD5)
			}
		}
		if stored == 0 {
			t.Errorf("gzip %v: no object of the plan comes from the document store", p.Gzip)
		}
	}
}

// inStore reports whether o's bytes are kept in the document store of
// snap rather than in memory.
func inStore(snap *site.Snapshot, o Object) bool {
	for _, path := range snap.Paths() {
		d := snap.Lookup(path)
		if site.FileName(path) != o.Key {
			continue
		}
		if o.Headers.ContentEncoding == "gzip" {
			file, _ := d.Gzip().File()
			return file != ""
		}
		file, _ := d.File()
		return file != ""
	}
	return false
}
