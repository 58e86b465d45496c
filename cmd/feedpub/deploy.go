package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/deploy"
	"github.com/feedpub/feedpub/internal/publish"
	"github.com/feedpub/feedpub/internal/site"
	"github.com/feedpub/feedpub/internal/watch"
	"github.com/feedpub/feedpub/internal/websub"
)

// deployFlags are the flags of feedpub deploy.
type deployFlags struct {
	dryRun, force, watch bool
	maxDeletes           int
}

func deployCommand() command {
	var f deployFlags
	return command{
		name:     "deploy",
		summary:  "upload the site to S3-compatible object storage, only what changed",
		synopsis: "feedpub deploy [--dry-run] [--max-deletes N] [--force] [--watch] [s3://BUCKET[/PREFIX]?endpoint=URL&region=R&path_style=true]",
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&f.dryRun, "dry-run", false, "list what would be uploaded and deleted; change nothing")
			fs.BoolVar(&f.force, "force", false, "upload every object, changed or not")
			fs.IntVar(&f.maxDeletes, "max-deletes", deploy.DefaultMaxDeletes, "delete no stale object when more than `N` are stale")
			fs.BoolVar(&f.watch, "watch", false, "keep watching the articles and deploy every change")
		},
		run: func(ctx context.Context, e *env) error {
			if f.watch {
				if f.dryRun || f.force {
					return usageError("deploy --watch takes neither --dry-run nor --force: it deploys every change as it comes")
				}
				return runWatchDeploy(ctx, e, f)
			}
			return runDeploy(ctx, e, f)
		},
	}
}

// runDeploy renders the site as build does and deploys it once. The
// hubs are pinged in the background, as in continuous deploy, and the
// command then waits for them, at most e.hubWait, so that when it
// returns the hubs have heard of the new feeds, or the log says which
// could not be told.
func runDeploy(ctx context.Context, e *env, f deployFlags) error {
	// Without gzip variants: a deploy makes them itself when its target
	// takes them ([deploy] gzip).
	p, _, err := renderOnce(e)
	if err != nil {
		return err
	}
	p.Wait()
	cfg, snap := p.Config(), p.Snapshot()
	raw, err := targetArg(e, cfg)
	if err != nil {
		return err
	}
	pinger := websub.New(websub.Options{Logger: e.logger})
	d, target, err := newDeployer(ctx, e, cfg, f, raw, pinger)
	if err != nil {
		return err
	}
	pctx, stopPinging := context.WithCancel(ctx)
	var pinging errgroup.Group
	pinging.Go(func() error { return pinger.Run(pctx) })
	defer func() {
		stopPinging()
		pinging.Wait()
	}()
	sum, err := d.Deploy(ctx, snap)
	// As build does: a file of the store found damaged is removed, and
	// the site rendered again writes it back. A deploy stops at the
	// first it finds, so each is one more round; a file damaged again
	// is not mended twice.
	mended := map[string]bool{}
	var damaged *site.StoredFileError
	for errors.As(err, &damaged) && !mended[damaged.Path] {
		mended[damaged.Path] = true
		removeDamaged(e, damaged)
		if p, _, err = renderOnce(e); err == nil {
			p.Wait()
			sum, err = d.Deploy(ctx, p.Snapshot())
		}
	}
	switch {
	case err != nil:
		// Returned below, once the hubs are told.
	case f.dryRun:
		fmt.Fprintf(e.stdout, "dry run, nothing changed at %s; a deploy would have: %s\n", target, sum)
	default:
		fmt.Fprintf(e.stdout, "deployed to %s: %s\n", target, sum)
	}
	// The summary comes first: the store is done with. Feeds announced
	// before a failure (a refused mass delete) are in the store, so
	// their hubs are told all the same.
	waitForHubs(ctx, e, pinger)
	if err != nil {
		return fmt.Errorf("deploy to %s failed (%s so far): %w", target, sum, err)
	}
	return nil
}

// defaultHubWait bounds how long a one-shot deploy waits for the hubs:
// long enough for a hub that is briefly down to be retried (1s, 2s, 4s,
// 8s), short enough that one that hangs does not hold the command for
// the many minutes the pinger's retries of every feed would take.
const defaultHubWait = time.Minute

// waitForHubs waits until pinger has told the hubs of every feed
// announced, or gave up, at most e.hubWait (default defaultHubWait).
func waitForHubs(ctx context.Context, e *env, pinger *websub.Pinger) {
	wait := cmp.Or(e.hubWait, defaultHubWait)
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	if err := pinger.Wait(ctx); err != nil {
		e.logger.Warn("websub: stopped waiting for the hubs; some were not told of the new feeds", "waited", wait, "err", err)
	}
}

// targetArg returns the deploy target named on the command line or, when
// none is, in [deploy] target.
func targetArg(e *env, cfg config.Config) (string, error) {
	switch len(e.args) {
	case 0:
	case 1:
		return e.args[0], nil
	default:
		return "", usageError("deploy takes one TARGET, not %d: feedpub deploy s3://BUCKET[/PREFIX]?endpoint=URL&region=R&path_style=true", len(e.args))
	}
	if cfg.Deploy.Target == "" {
		return "", usageError("deploy needs a TARGET, like s3://BUCKET/PREFIX?region=us-east-1, on the command line or as [deploy] target in %s", cfg.Path)
	}
	return cfg.Deploy.Target, nil
}

// newDeployer returns a deployer to the target raw names, which hands
// the feeds it uploads to pinger.
func newDeployer(ctx context.Context, e *env, cfg config.Config, f deployFlags, raw string, pinger *websub.Pinger) (*deploy.Deployer, deploy.Target, error) {
	target, err := deploy.ParseTarget(raw)
	if err != nil {
		return nil, target, err
	}
	client, err := deploy.NewClient(ctx, target, e.storeRetries)
	if err != nil {
		return nil, target, err
	}
	maxDeletes := f.maxDeletes
	if maxDeletes == 0 {
		maxDeletes = -1 // none, rather than the default
	}
	d := deploy.New(deploy.Options{
		Client:     client,
		Target:     target,
		Policy:     deploy.PolicyOf(cfg),
		Hubs:       cfg.WebSub.Hubs,
		DryRun:     f.dryRun,
		Force:      f.force,
		MaxDeletes: maxDeletes,
		Announce:   pinger.Announce,
		Out:        e.stdout,
		Logger:     e.logger,
	})
	return d, target, nil
}

// runWatchDeploy serves nothing but deploys every snapshot: the first in
// full, then each change as the watcher rebuilds, until ctx is done. A
// reloaded config.toml gives the next deploy its policy and hubs.
func runWatchDeploy(ctx context.Context, e *env, f deployFlags) error {
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	raw, err := targetArg(e, cfg)
	if err != nil {
		return err
	}
	cont, err := newContinuous(ctx, e, cfg, raw, f)
	if err != nil {
		return err
	}
	p, err := publish.New(cfg, publish.Options{Logger: e.logger, Resident: true, OnSwap: cont.Notify})
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return cont.run(gctx) })
	g.Go(func() error {
		return watchArticles(gctx, e, p, nil, cont.afterRebuild(p, e.onRebuild), func() error {
			res, err := p.Rebuild()
			if err == nil {
				watch.LogResult(e.logger, "start", res)
			}
			return err
		})
	})
	err = g.Wait()
	p.Wait()
	return err
}

// continuous is continuous deploy with the pinger its deploys hand the
// feeds they uploaded to, so that no hub holds a deploy up.
type continuous struct {
	*deploy.Continuous
	pinger *websub.Pinger
}

// newContinuous returns a continuous deploy to the target raw names,
// telling e.onDeployed, if set, of every deploy.
func newContinuous(ctx context.Context, e *env, cfg config.Config, raw string, f deployFlags) (*continuous, error) {
	pinger := websub.New(websub.Options{Logger: e.logger})
	d, _, err := newDeployer(ctx, e, cfg, f, raw, pinger)
	if err != nil {
		return nil, err
	}
	cont := deploy.NewContinuous(d)
	if e.onDeployed != nil {
		cont.SetDeployed(e.onDeployed)
	}
	return &continuous{Continuous: cont, pinger: pinger}, nil
}

// run deploys and pings until ctx is done.
func (c *continuous) run(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return c.pinger.Run(gctx) })
	g.Go(func() error { return c.Continuous.Run(gctx) })
	return g.Wait()
}

// afterRebuild returns a rebuild hook that tells c of the snapshot served
// and the config in effect after every rebuild, then calls next, if set.
// A swap tells c already (publish.Options.OnSwap); this is for a config
// reload that changed no document but the deploy's policy, which only
// new headers on the stored objects can apply.
func (c *continuous) afterRebuild(p *publish.Publisher, next func(publish.Result, error)) func(publish.Result, error) {
	return func(res publish.Result, err error) {
		if err == nil {
			c.Notify(p.Snapshot(), p.Config())
		}
		if next != nil {
			next(res, err)
		}
	}
}
