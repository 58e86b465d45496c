package deploy

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"
)

// deleteStale deletes the objects of remote that objs no longer has,
// unless there are more than MaxDeletes. It deletes one object per
// request: DeleteObjects needs a checksum that not every S3-compatible
// store computes alike.
func (d *Deployer) deleteStale(ctx context.Context, objs []Object, remote map[string]remoteObject) (int, error) {
	want := make(map[string]bool, len(objs)+1)
	for _, o := range objs {
		want[o.Key] = true
	}
	want[d.manifestKey()] = true
	var stale []string
	d.mu.Lock()
	for key := range remote {
		if !want[key] {
			stale = append(stale, key)
		}
	}
	d.mu.Unlock()
	slices.Sort(stale)
	if len(stale) == 0 {
		return 0, nil
	}
	if len(stale) > max(d.opts.MaxDeletes, 0) {
		return 0, fmt.Errorf("%w: %d objects under %s are no longer in the site, more than --max-deletes %d allows; none was deleted (check the target and the articles directory, then raise --max-deletes)",
			ErrTooManyDeletes, len(stale), d.opts.Target, max(d.opts.MaxDeletes, 0))
	}
	if d.opts.DryRun {
		for _, key := range stale {
			fmt.Fprintf(d.opts.Out, "delete %s\n", key)
		}
		return len(stale), nil
	}
	var deleted atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(d.opts.Parallel)
	for _, key := range stale {
		g.Go(func() error {
			_, err := d.opts.Client.DeleteObject(gctx, &s3.DeleteObjectInput{
				Bucket: aws.String(d.opts.Target.Bucket),
				Key:    aws.String(key),
			})
			if err != nil {
				return fmt.Errorf("deleting %s: %w", key, err)
			}
			d.mu.Lock()
			delete(d.remote, key)
			d.mu.Unlock()
			deleted.Add(1)
			return nil
		})
	}
	err := g.Wait()
	return int(deleted.Load()), err
}

// progress counts the objects of a deploy as workers finish them.
type progress struct {
	total    int
	checked  atomic.Int64
	uploaded atomic.Int64
}

// reportProgress writes a progress line to Out every ProgressEvery until
// the returned stop is called, so a long deploy shows it is moving. A
// deploy shorter than ProgressEvery prints none.
func (d *Deployer) reportProgress(p *progress) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(d.opts.ProgressEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				fmt.Fprintf(d.opts.Out, "deploy: %d/%d objects checked, %d uploaded\n", p.checked.Load(), p.total, p.uploaded.Load())
			}
		}
	}()
	return func() { close(done); <-finished }
}
