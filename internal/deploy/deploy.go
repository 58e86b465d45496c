package deploy

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"

	"github.com/feedpub/feedpub/internal/site"
)

// Options configure a Deployer.
type Options struct {
	// Client talks to the store (see NewClient). Required.
	Client *s3.Client
	Target Target
	Policy Policy
	// Hubs are the WebSub hubs Announce is given.
	Hubs []string
	// DryRun lists what would be uploaded and deleted on Out and changes
	// nothing.
	DryRun bool
	// Force uploads every object, changed or not.
	Force bool
	// MaxDeletes bounds the stale objects one deploy deletes: when more
	// are stale, none is deleted and Deploy returns an error saying so,
	// since a mass delete is more often a wrong target or articles
	// directory than an intent. Zero means DefaultMaxDeletes; negative
	// means none.
	MaxDeletes int
	// Parallel bounds the requests in flight. Default 8.
	Parallel int
	// Announce, if set, is called once the feeds are stored with the
	// hubs and the WebSub topics whose feeds were uploaded, before stale
	// objects are deleted; never when a feed failed to upload. It must
	// not block (hand the pings to a websub.Pinger): a deploy waits for
	// the store alone, so a hub that is down holds up no deletion and
	// no next deploy.
	Announce func(hubs, topics []string)
	// Out receives the dry run's listing and, every ProgressEvery while
	// a deploy runs, a progress line. Default: discarded.
	Out           io.Writer
	ProgressEvery time.Duration
	Logger        *slog.Logger

	// beforePut, if set, is called before each upload (tests stop the
	// store from it).
	beforePut func(Object)
}

// Summary counts what one deploy did.
type Summary struct {
	Uploaded, Deleted, Unchanged int
	// Bytes is the size of the bodies uploaded.
	Bytes int64
	// Topics are the WebSub topics whose feeds were uploaded.
	Topics []string
}

// String is the summary line: "uploaded 3, deleted 1, unchanged 120, 48213 bytes".
func (s Summary) String() string {
	return fmt.Sprintf("uploaded %d, deleted %d, unchanged %d, %d bytes", s.Uploaded, s.Deleted, s.Unchanged, s.Bytes)
}

// Deployer deploys snapshots to one target. It remembers what the store
// holds after a deploy, so the next one (continuous deploy) compares with
// that and lists nothing; after a failure it lists the store again.
// Deploy calls must not overlap.
type Deployer struct {
	opts Options

	// mu guards remote: key → what the store holds, or nil when
	// unknown. Workers of one deploy update it as objects are stored.
	mu     sync.Mutex
	remote map[string]remoteObject
	// memo keeps the MD5s of the last deploy's bodies; only deploy,
	// one at a time, uses it.
	memo md5Memo
}

// New returns a Deployer with opts.
func New(opts Options) *Deployer {
	if opts.MaxDeletes == 0 {
		opts.MaxDeletes = DefaultMaxDeletes
	}
	if opts.Parallel <= 0 {
		opts.Parallel = 8
	}
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	// Workers and the progress line write to Out concurrently.
	opts.Out = &lockedWriter{w: opts.Out}
	if opts.ProgressEvery <= 0 {
		opts.ProgressEvery = time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Deployer{opts: opts}
}

// DefaultMaxDeletes is the most stale objects a deploy deletes unless
// told otherwise (Options.MaxDeletes, --max-deletes).
const DefaultMaxDeletes = 256

// ErrTooManyDeletes is returned (wrapped) when more objects are stale
// than MaxDeletes allows; everything else was deployed.
var ErrTooManyDeletes = errors.New("too many stale objects")

// Deploy makes the store hold snap: it uploads the objects that are
// missing or differ, stage by stage (StageContent, StageIndexes,
// StageFeeds), announces the uploaded feeds, then deletes the objects
// under the prefix that snap no longer has. It stops at the first
// failure, after the SDK's retries, and returns it with what was done.
func (d *Deployer) Deploy(ctx context.Context, snap *site.Snapshot) (Summary, error) {
	return d.deployWith(ctx, snap, settings{policy: d.opts.Policy, hubs: d.opts.Hubs})
}

// settings are what a deploy takes from config.toml: Options.Policy and
// Hubs, or for continuous deploy, those of the config in effect.
type settings struct {
	policy Policy
	hubs   []string
}

// deployWith is Deploy with s in place of the options' policy and hubs.
func (d *Deployer) deployWith(ctx context.Context, snap *site.Snapshot, s settings) (Summary, error) {
	sum, err := d.deploy(ctx, snap, s)
	if err != nil && !errors.Is(err, ErrTooManyDeletes) {
		d.mu.Lock()
		d.remote = nil // what failed is unknown: list again next time
		d.mu.Unlock()
	}
	return sum, err
}

func (d *Deployer) deploy(ctx context.Context, snap *site.Snapshot, s settings) (Summary, error) {
	if s.policy.Gzip {
		// A snapshot just swapped in may be compressing still; this
		// waits for it, or does it, so the bucket gets the gzip bytes.
		snap.Compress()
	}
	d.memo.start()
	objs, err := plan(snap, d.opts.Target.Prefix, s.policy, &d.memo)
	if err != nil {
		return Summary{}, err
	}
	d.mu.Lock()
	remote := d.remote
	d.mu.Unlock()
	if remote == nil {
		var err error
		if remote, err = d.listRemote(ctx); err != nil {
			return Summary{}, err
		}
		if !d.opts.DryRun {
			d.mu.Lock()
			d.remote = remote
			d.mu.Unlock()
		}
	}
	p := &progress{total: len(objs)}
	stop := d.reportProgress(p)
	defer stop()

	var sum Summary
	manifestStale := false
	for stage := range stages {
		res, err := d.runStage(ctx, objs, stage, remote, p)
		sum.Uploaded += res.uploaded
		sum.Unchanged += res.unchanged
		sum.Bytes += res.bytes
		sum.Topics = append(sum.Topics, res.topics...)
		manifestStale = manifestStale || res.headersLearned
		if err != nil {
			return sum, err
		}
	}
	slices.Sort(sum.Topics)
	if len(sum.Topics) > 0 && d.opts.Announce != nil && !d.opts.DryRun {
		d.opts.Announce(s.hubs, sum.Topics)
	}
	deleted, err := d.deleteStale(ctx, objs, remote)
	sum.Deleted = deleted
	if deleted > 0 {
		manifestStale = true
	}
	if manifestStale && !d.opts.DryRun {
		if merr := d.writeManifest(ctx, objs); merr != nil {
			return sum, errors.Join(err, fmt.Errorf("storing %s: %w", manifestName, merr))
		}
	}
	return sum, err
}

// stageResult counts what one stage did.
type stageResult struct {
	uploaded, unchanged int
	bytes               int64
	topics              []string
	// planned lists the uploads, for a dry run.
	planned []string
	// headersLearned is set when the manifest must change: an object
	// is new or has new headers, or HeadObject found headers the
	// manifest did not record. Objects whose bytes alone changed leave
	// it as it is.
	headersLearned bool
}

// runStage brings every object of stage up to date, Parallel at a time.
func (d *Deployer) runStage(ctx context.Context, objs []Object, stage Stage, remote map[string]remoteObject, p *progress) (stageResult, error) {
	var (
		mu  sync.Mutex // guards res
		res stageResult
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(d.opts.Parallel)
	for _, o := range objs {
		if o.Stage != stage {
			continue
		}
		d.mu.Lock()
		r, known := remote[o.Key]
		d.mu.Unlock()
		g.Go(func() error {
			defer p.checked.Add(1)
			reason, learned, err := d.reason(gctx, o, r, known)
			if err != nil {
				return err
			}
			if reason == "" {
				mu.Lock()
				res.unchanged++
				res.headersLearned = res.headersLearned || learned
				mu.Unlock()
				return nil
			}
			if !d.opts.DryRun {
				if err := d.put(gctx, o); err != nil {
					return err
				}
			}
			p.uploaded.Add(1)
			mu.Lock()
			defer mu.Unlock()
			if d.opts.DryRun {
				res.planned = append(res.planned, "upload "+o.Key+" ("+reason+")")
			}
			res.headersLearned = res.headersLearned || reason != "changed"
			res.uploaded++
			res.bytes += o.Size()
			if o.Topic != "" && !slices.Contains(res.topics, o.Topic) {
				res.topics = append(res.topics, o.Topic)
			}
			return nil
		})
	}
	err := g.Wait()
	if d.opts.DryRun {
		slices.Sort(res.planned)
		for _, line := range res.planned {
			fmt.Fprintln(d.opts.Out, line)
		}
	}
	return res, err
}

// reason says why o must be uploaded ("new", "changed", "headers",
// "forced"), or "" when the store holds it already. learned is set when
// it asked the store for the headers the manifest lacked.
func (d *Deployer) reason(ctx context.Context, o Object, r remoteObject, known bool) (reason string, learned bool, err error) {
	switch {
	case d.opts.Force:
		return "forced", false, nil
	case !known:
		return "new", false, nil
	case r.md5 != o.MD5:
		return "changed", false, nil
	case r.headers == o.Headers.fingerprint():
		return "", false, nil
	case r.headers != "":
		return "headers", false, nil
	}
	h, err := d.headersOf(ctx, o.Key)
	if err != nil {
		return "", false, err
	}
	if h != o.Headers {
		return "headers", false, nil
	}
	d.record(o)
	return "", true, nil
}

// record notes that the store holds o.
func (d *Deployer) record(o Object) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.remote != nil {
		d.remote[o.Key] = remoteObject{md5: o.MD5, headers: o.Headers.fingerprint()}
	}
}

// put uploads o with its headers and Content-MD5, which lets the store
// reject a body damaged on the way (RFC 1864).
func (d *Deployer) put(ctx context.Context, o Object) error {
	if d.opts.beforePut != nil {
		d.opts.beforePut(o)
	}
	body, err := o.Bytes()
	if err != nil {
		return err
	}
	sum, _ := hex.DecodeString(o.MD5)
	in := &s3.PutObjectInput{
		Bucket:        aws.String(d.opts.Target.Bucket),
		Key:           aws.String(o.Key),
		Body:          bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))),
		ContentMD5:    aws.String(base64.StdEncoding.EncodeToString(sum)),
		ContentType:   aws.String(o.Headers.ContentType),
		CacheControl:  aws.String(o.Headers.CacheControl),
	}
	if o.Headers.ContentEncoding != "" {
		in.ContentEncoding = aws.String(o.Headers.ContentEncoding)
	}
	if _, err := d.opts.Client.PutObject(ctx, in); err != nil {
		return fmt.Errorf("uploading %s: %w", o.Key, err)
	}
	d.record(o)
	return nil
}

// lockedWriter serializes writes to w.
type lockedWriter struct {
	mu sync.Mutex // guards w
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
