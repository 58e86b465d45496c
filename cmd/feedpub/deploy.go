package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/deploy"
	"github.com/feedpub/feedpub/internal/websub"
)

// deployFlags are the flags of feedpub deploy.
type deployFlags struct {
	dryRun, force bool
	maxDeletes    int
}

func deployCommand() command {
	var f deployFlags
	return command{
		name: "deploy",
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&f.dryRun, "dry-run", false, "list what would be uploaded and deleted; change nothing")
			fs.BoolVar(&f.force, "force", false, "upload every object, changed or not")
			fs.IntVar(&f.maxDeletes, "max-deletes", 256, "delete no stale object when more than `N` are stale")
		},
		run: func(ctx context.Context, e *env) error {
			return runDeploy(ctx, e, f)
		},
	}
}

// runDeploy renders the site as build does and deploys it once.
func runDeploy(ctx context.Context, e *env, f deployFlags) error {
	cfg, snap, _, err := renderOnce(e)
	if err != nil {
		return err
	}
	d, target, err := newDeployer(ctx, e, cfg, f)
	if err != nil {
		return err
	}
	sum, err := d.Deploy(ctx, snap)
	if f.dryRun {
		fmt.Fprintf(e.stdout, "dry run, nothing changed at %s; a deploy would have: %s\n", target, sum)
	} else {
		fmt.Fprintf(e.stdout, "deployed to %s: %s\n", target, sum)
	}
	if err != nil {
		return fmt.Errorf("deploy to %s failed: %w", target, err)
	}
	return nil
}

// newDeployer returns a deployer for the target named on the command line
// or in [deploy] target.
func newDeployer(ctx context.Context, e *env, cfg config.Config, f deployFlags) (*deploy.Deployer, deploy.Target, error) {
	raw := cfg.Deploy.Target
	switch len(e.args) {
	case 0:
	case 1:
		raw = e.args[0]
	default:
		return nil, deploy.Target{}, usageError("deploy takes one TARGET, not %d: feedpub deploy s3://BUCKET[/PREFIX]?endpoint=URL&region=R&path_style=true", len(e.args))
	}
	if raw == "" {
		return nil, deploy.Target{}, usageError("deploy needs a TARGET, like s3://BUCKET/PREFIX?region=us-east-1, on the command line or as [deploy] target in %s", cfg.Path)
	}
	target, err := deploy.ParseTarget(raw)
	if err != nil {
		return nil, target, err
	}
	client, err := deploy.NewClient(ctx, target, deploy.ClientOptions{})
	if err != nil {
		return nil, target, err
	}
	maxDeletes := f.maxDeletes
	if maxDeletes == 0 {
		maxDeletes = -1 // none, rather than the default
	}
	d := deploy.New(deploy.Options{
		Client: client,
		Target: target,
		Policy: deploy.Policy{
			Gzip:          cfg.Deploy.Gzip,
			DirectoryKeys: cfg.Deploy.DirectoryKeys,
			FeedMaxAge:    cfg.Feeds.MaxAge.Duration,
			PageMaxAge:    cfg.Deploy.PageMaxAge.Duration,
			MediaMaxAge:   cfg.Deploy.MediaMaxAge.Duration,
		},
		DryRun:     f.dryRun,
		Force:      f.force,
		MaxDeletes: maxDeletes,
		Announce: func(ctx context.Context, topics []string) {
			websub.Announce(ctx, cfg.WebSub.Hubs, topics, websub.Options{Logger: e.logger})
		},
		Out:    e.stdout,
		Logger: e.logger,
	})
	return d, target, nil
}
