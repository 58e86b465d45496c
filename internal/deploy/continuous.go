package deploy

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/feedpub/feedpub/internal/backoff"
	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/site"
)

// Continuous deploys every snapshot it is told of, one deploy at a time,
// in the background: the first deploy lists the store, later ones upload
// only what changed since (see Deployer). A deploy that fails is retried
// with exponential backoff; a newer snapshot replaces the one waiting, so
// a burst of swaps costs one deploy. Nothing it does blocks the caller.
type Continuous struct {
	d      *Deployer
	logger *slog.Logger
	// backoff and maxBackoff bound the wait before retrying a failed
	// deploy: backoff, doubling, at most maxBackoff, jittered.
	backoff, maxBackoff time.Duration
	wake                chan struct{} // room for one token: a Notify not yet seen

	// mu guards the fields below: the newest snapshot and the settings
	// of the config it was built with, the policy of the last deploy
	// that succeeded, and the status.
	mu       sync.Mutex
	latest   *site.Snapshot
	settings settings
	deployed Policy
	status   Status

	// onDeployed, if set, is called after each deploy (tests wait on
	// it).
	onDeployed func(Summary, error)
}

// Status is the state of continuous deploy, for /healthz and logs.
type Status struct {
	Target string `json:"target"`
	// Generation is the snapshot generation the store holds, 0 before
	// the first deploy succeeded.
	Generation uint64 `json:"generation"`
	// Lag is how many generations the store is behind the snapshot
	// served locally.
	Lag uint64 `json:"lag"`
	// LastDeploy is when the store last caught up.
	LastDeploy time.Time `json:"last_deploy,omitzero"`
	// LastError is the last failure, "" once a deploy succeeds again.
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
	// Failures counts the failed deploys since start.
	Failures uint64 `json:"failures"`
}

// NewContinuous returns a Continuous deploying with d.
func NewContinuous(d *Deployer) *Continuous {
	return &Continuous{
		d: d, logger: d.opts.Logger,
		backoff: time.Second, maxBackoff: time.Minute,
		wake:   make(chan struct{}, 1),
		status: Status{Target: d.opts.Target.String()},
	}
}

// SetDeployed sets a function called after each deploy with its summary
// and error, for tests and commands that report. Call it before Run.
func (c *Continuous) SetDeployed(f func(Summary, error)) { c.onDeployed = f }

// Notify tells c that snap is being served, built with cfg. The next
// deploy takes its policy (PolicyOf) and its WebSub hubs from cfg, so
// that a reloaded config.toml applies without a restart. A snapshot of a
// new generation is deployed, and so is one built with a new policy,
// whose objects need new headers though no document changed; anything
// else only updates what the next deploy takes. It never blocks.
func (c *Continuous) Notify(snap *site.Snapshot, cfg config.Config) {
	s := settings{policy: PolicyOf(cfg), hubs: slices.Clone(cfg.WebSub.Hubs)}
	c.mu.Lock()
	changed := c.latest == nil || snap.Generation != c.latest.Generation || s.policy != c.settings.policy
	c.latest, c.settings = snap, s
	c.status.Lag = snap.Generation - c.status.Generation
	c.mu.Unlock()
	if !changed {
		return
	}
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Status returns the current state.
func (c *Continuous) Status() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status
}

// Run deploys until ctx is done, then returns nil. A deploy in flight
// when ctx ends is cancelled.
func (c *Continuous) Run(ctx context.Context) error {
	retry := time.NewTimer(0)
	retry.Stop()
	defer retry.Stop()
	failures := 0
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-c.wake:
		case <-retry.C:
		}
		c.mu.Lock()
		snap, s := c.latest, c.settings
		done := snap == nil || (snap.Generation == c.status.Generation && s.policy == c.deployed && c.status.LastError == "")
		c.mu.Unlock()
		if done {
			continue
		}
		retry.Stop()
		sum, err := c.d.deployWith(ctx, snap, s)
		if ctx.Err() != nil {
			return nil
		}
		c.record(snap, s.policy, sum, err)
		if errors.Is(err, ErrTooManyDeletes) {
			// Trying again cannot help: the next change, or a person
			// raising --max-deletes, can.
			failures = 0
			c.logger.Error("deploy stopped before deleting; not retried", "target", c.status.Target, "generation", snap.Generation, "err", err)
		} else if err != nil {
			failures++
			wait := backoff.Delay(c.backoff, c.maxBackoff, failures, rand.Float64())
			c.logger.Error("deploy failed; retrying", "target", c.status.Target, "generation", snap.Generation, "retry_in", wait, "err", err)
			retry.Reset(wait)
		} else {
			failures = 0
			c.logger.Info("deployed", "target", c.status.Target, "generation", snap.Generation,
				"uploaded", sum.Uploaded, "deleted", sum.Deleted, "unchanged", sum.Unchanged, "bytes", sum.Bytes)
		}
		if c.onDeployed != nil {
			c.onDeployed(sum, err)
		}
	}
}

// record updates the status after a deploy of snap with policy.
func (c *Continuous) record(snap *site.Snapshot, policy Policy, sum Summary, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.status.LastError, c.status.LastErrorAt = err.Error(), time.Now().UTC()
		c.status.Failures++
		return
	}
	c.deployed = policy
	c.status.Generation, c.status.LastError, c.status.LastDeploy = snap.Generation, "", time.Now().UTC()
	c.status.Lag = c.latest.Generation - snap.Generation
}
