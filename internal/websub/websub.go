// Package websub tells WebSub hubs when feeds change, as the publisher
// of the W3C WebSub Recommendation (https://www.w3.org/TR/websub/).
//
// Every subscription feed advertises its hubs and itself (WebSub §4, in
// the feed and in a Link header); after each snapshot swap, the feeds
// whose bytes changed are topics to publish. The Recommendation leaves
// how a publisher notifies its hubs to the hub (§6); the common form, the
// one PubSubHubbub 0.4 hubs accept, is a form-encoded POST of
// hub.mode=publish with the topic URL. Hubs disagree on the parameter's
// name, hub.url (Google's and Superfeedr's hubs) or hub.topic (newer
// WebSub hubs), so both are sent, as common publishers do.
//
// A Pinger works in the background and never delays a rebuild or a
// deploy: Notify only records the newest snapshot, Announce the topics a
// deploy put in place. One goroutine per hub sends the pings one at a
// time, keeping a set of pending topics, so a burst of changes to a feed
// costs one ping, not one per change. Failures that
// may pass (network errors, 5xx, 429) are retried with exponential
// backoff and jitter up to a bounded number of attempts; each failure is
// logged with the hub and the status.
package websub

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/feedpub/feedpub/internal/backoff"
	"github.com/feedpub/feedpub/internal/site"
)

// Options configure a Pinger. Zero values take the stated defaults.
type Options struct {
	// Client sends the pings. Default: a client without cookies whose
	// requests time out after Timeout.
	Client *http.Client
	// Timeout bounds each ping, so a hung hub holds up neither its
	// queue nor shutdown for longer. Default 10s.
	Timeout time.Duration
	// Backoff is the wait before the first retry; each further retry
	// waits twice as long, up to MaxBackoff, each wait jittered to
	// between half and all of it so many publishers do not retry in
	// step. Defaults 1s and 1m.
	Backoff, MaxBackoff time.Duration
	// Attempts bounds the pings of one change to one hub, the first
	// included. Default 5.
	Attempts int
	Logger   *slog.Logger
}

// Pinger notifies hubs of changed feeds. Create it with New, start Run,
// and call Notify after every swap.
type Pinger struct {
	opts Options

	// mu guards the fields below it.
	mu sync.Mutex
	// latest is the newest snapshot Notify was given, hubs the hubs
	// Notify or Announce was given last.
	latest *site.Snapshot
	hubs   []string
	// announced holds the topics Announce was given that Run has not
	// queued yet.
	announced []string
	// workers are the running hubs by URL.
	workers map[string]*hub
	// progress is closed, and replaced, whenever a hub finished a ping
	// or was stopped: Wait looks again then.
	progress chan struct{}
	// wake has room for one token: a Notify or Announce not yet seen
	// by Run.
	wake chan struct{}

	// processed, if set, is called by Run after it has queued the
	// changes of a snapshot (tests wait on it).
	processed func(*site.Snapshot)
}

// New returns a Pinger with opts.
func New(opts Options) *Pinger {
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: opts.Timeout}
	}
	if opts.Backoff <= 0 {
		opts.Backoff = time.Second
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = time.Minute
	}
	if opts.Attempts <= 0 {
		opts.Attempts = 5
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Pinger{opts: opts, wake: make(chan struct{}, 1), workers: map[string]*hub{}, progress: make(chan struct{})}
}

// Notify tells p that snap is being served and hubs are the configured
// hubs. It never blocks: Run compares snap with the snapshot it saw last
// and queues a ping for every topic (site.Document.Topic) whose ETag
// changed or that is new. Snapshots notified in quick succession may be
// compared as one change. The first snapshot is the baseline: feedpub
// does not know what hubs saw before it started, so nothing is pinged
// for it.
func (p *Pinger) Notify(snap *site.Snapshot, hubs []string) {
	p.mu.Lock()
	p.latest, p.hubs = snap, slices.Clone(hubs)
	p.mu.Unlock()
	p.signal()
}

// Announce tells p that the feeds of topics have just been put in place
// and hubs are the configured hubs: Run queues a ping of every topic to
// every hub, retried as a changed feed's is. It never blocks. It is for
// a publisher that knows which feeds it has put where hubs fetch them,
// such as a deploy to object storage, rather than one that swaps
// snapshots (Notify).
func (p *Pinger) Announce(hubs, topics []string) {
	p.mu.Lock()
	p.hubs = slices.Clone(hubs)
	p.announced = append(p.announced, topics...)
	p.mu.Unlock()
	p.signal()
}

// signal wakes Run.
func (p *Pinger) signal() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Wait returns nil once every ping announced so far (Announce) has been
// sent or given up, or ctx's error when ctx is done first. Run must be
// running: a command that exits once it deployed waits with it so that
// the hubs have heard when it returns.
func (p *Pinger) Wait(ctx context.Context) error {
	for {
		p.mu.Lock()
		done := len(p.announced) == 0 && p.idleLocked()
		progress := p.progress
		p.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-progress:
		}
	}
}

// pinged wakes the callers of Wait: a hub has finished a ping.
func (p *Pinger) pinged() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.progressedLocked()
}

// progressedLocked wakes the callers of Wait to look again.
func (p *Pinger) progressedLocked() {
	close(p.progress)
	p.progress = make(chan struct{})
}

// Run sends pings until ctx is done, then cancels the pings in flight,
// waits for every goroutine it started and returns nil.
func (p *Pinger) Run(ctx context.Context) error {
	var seen *site.Snapshot
	var wg sync.WaitGroup
	defer func() {
		p.mu.Lock()
		for _, h := range p.workers {
			h.stop()
		}
		p.mu.Unlock()
		wg.Wait()
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-p.wake:
		}
		p.mu.Lock()
		snap := p.latest
		p.startHubsLocked(ctx, &wg)
		workers := slices.Collect(maps.Values(p.workers))
		// Queued under mu, so that Wait never sees them neither
		// announced nor pending.
		for _, h := range workers {
			h.add(p.announced)
		}
		p.announced = nil
		p.mu.Unlock()
		if seen != nil && len(workers) > 0 {
			topics := changedTopics(seen, snap)
			for _, h := range workers {
				h.add(topics)
			}
		}
		seen = snap
		if p.processed != nil {
			p.processed(snap)
		}
	}
}

// startHubsLocked starts a worker for each hub added to the config and
// stops those of the hubs removed, dropping their pending pings.
func (p *Pinger) startHubsLocked(ctx context.Context, wg *sync.WaitGroup) {
	for url, h := range p.workers {
		if !slices.Contains(p.hubs, url) {
			h.stop()
			delete(p.workers, url)
			p.progressedLocked() // its pings are dropped
		}
	}
	for _, url := range p.hubs {
		if p.workers[url] == nil {
			h := newHub(url, p.opts, p.pinged)
			p.workers[url] = h
			wg.Go(func() { h.run(ctx) })
		}
	}
}

// idle reports whether every hub has nothing pending or in flight.
func (p *Pinger) idle() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.idleLocked()
}

func (p *Pinger) idleLocked() bool {
	for _, h := range p.workers {
		if !h.idle() {
			return false
		}
	}
	return true
}

// changedTopics returns the topics of new whose documents are not in old
// with the same bytes and topic, sorted. A topic that disappeared (a tag
// whose last article went) is not pinged: there is nothing to fetch.
// Only the documents other than article pages are looked at, since no
// article page is a topic: sorting every path of a site of 10,000
// articles took some 10 ms of each change.
func changedTopics(old, new *site.Snapshot) []string {
	var topics []string
	for path, d := range new.Others() {
		if d.Topic == "" {
			continue
		}
		if o := old.Lookup(path); o == nil || o.ETag != d.ETag || o.Topic != d.Topic {
			topics = append(topics, d.Topic)
		}
	}
	slices.Sort(topics)
	return topics
}

// hub sends the pings to one hub, one at a time.
type hub struct {
	url  string
	opts Options
	// pinged is called after each ping, without mu held.
	pinged func()
	wake   chan struct{}
	cancel context.CancelFunc // stops run; set by run
	ready  chan struct{}      // closed once cancel is set

	// mu guards pending and inflight.
	mu sync.Mutex
	// pending holds the topics waiting for a ping and their retries. A
	// topic is in it at most once, which is what coalesces a burst of
	// changes into one ping.
	pending map[string]*retry
	// inflight is the topic being pinged, or "", and inflightRetry its
	// state.
	inflight      string
	inflightRetry *retry
}

// retry is the state of one pending topic.
type retry struct {
	failures  int       // pings that failed so far
	notBefore time.Time // when the next ping may go
}

func newHub(url string, opts Options, pinged func()) *hub {
	return &hub{url: url, opts: opts, pinged: pinged, wake: make(chan struct{}, 1), ready: make(chan struct{}), pending: map[string]*retry{}}
}

// add queues a ping for each topic not already pending. A topic being
// pinged right now is queued again: the hub may have fetched the feed
// before this change.
func (h *hub) add(topics []string) {
	if len(topics) == 0 {
		return
	}
	h.mu.Lock()
	for _, t := range topics {
		if h.pending[t] == nil {
			h.pending[t] = &retry{}
		}
	}
	h.mu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// stop makes run return, cancelling a ping in flight.
func (h *hub) stop() {
	<-h.ready
	h.cancel()
}

// run pings pending topics until ctx is done or stop is called.
func (h *hub) run(ctx context.Context) {
	ctx, h.cancel = context.WithCancel(ctx)
	close(h.ready)
	defer h.cancel()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		topic, wait, ok := h.next(time.Now())
		if ok && wait <= 0 {
			h.ping(ctx, topic)
			h.pinged()
			continue
		}
		var due <-chan time.Time
		if ok {
			timer.Reset(wait)
			due = timer.C
		}
		select {
		case <-ctx.Done():
			return
		case <-h.wake:
		case <-due:
		}
	}
}

// next returns the pending topic due first and how long until it is due.
// A topic that is due is taken out of pending and becomes inflight.
func (h *hub) next(now time.Time) (topic string, wait time.Duration, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var first *retry
	for t, r := range h.pending {
		if first == nil || r.notBefore.Before(first.notBefore) || (r.notBefore.Equal(first.notBefore) && t < topic) {
			topic, first = t, r
		}
	}
	if first == nil {
		return "", 0, false
	}
	if wait = first.notBefore.Sub(now); wait > 0 {
		return topic, wait, true
	}
	delete(h.pending, topic)
	h.inflight, h.inflightRetry = topic, first
	return topic, 0, true
}

// ping publishes topic to the hub and, on a failure that may pass,
// queues a retry, unless the attempts are spent or the topic changed
// again meanwhile and is queued already.
func (h *hub) ping(ctx context.Context, topic string) {
	err := h.publish(ctx, topic)
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.inflightRetry
	h.inflight, h.inflightRetry = "", nil
	log := h.opts.Logger.With("hub", h.url, "topic", topic)
	switch {
	case err == nil:
		log.Debug("websub: hub notified")
	case ctx.Err() != nil:
		// Shutting down, or the hub was removed: nothing to retry.
	case !retryable(err):
		log.Warn("websub: hub refused the ping; not retrying", "status", statusOf(err), "err", err)
	case r.failures+1 >= h.opts.Attempts:
		log.Error("websub: ping failed; giving up", "status", statusOf(err), "attempts", r.failures+1, "err", err)
	case h.pending[topic] != nil:
		log.Warn("websub: ping failed; a newer ping is queued", "status", statusOf(err), "err", err)
	default:
		r.failures++
		delay := backoff.Delay(h.opts.Backoff, h.opts.MaxBackoff, r.failures, rand.Float64())
		r.notBefore = time.Now().Add(delay)
		h.pending[topic] = r
		log.Warn("websub: ping failed; retrying", "status", statusOf(err), "attempt", r.failures, "retry_in", delay, "err", err)
	}
}

// idle reports whether the hub has nothing pending or in flight.
func (h *hub) idle() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.pending) == 0 && h.inflight == ""
}

// statusError is a hub's answer other than 2xx.
type statusError struct{ code int }

func (e *statusError) Error() string {
	return fmt.Sprintf("hub answered %d %s", e.code, http.StatusText(e.code))
}

// publish sends one publish request for topic (see the package comment).
// Any 2xx is success: hubs answer 202 Accepted or 204 No Content.
func (h *hub) publish(ctx context.Context, topic string) error {
	ctx, cancel := context.WithTimeout(ctx, h.opts.Timeout)
	defer cancel()
	form := url.Values{"hub.mode": {"publish"}, "hub.topic": {topic}, "hub.url": {topic}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "feedpub (WebSub publisher)")
	resp, err := h.opts.Client.Do(req)
	if err != nil {
		return err
	}
	// Drain a little so the connection can be reused; hubs say little.
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return &statusError{resp.StatusCode}
	}
	return nil
}

// retryable reports whether a failed ping may succeed later: a network
// error, a hub error (5xx) or a request to slow down (429). Other 4xx
// answers mean the hub will not take this ping, however often it comes.
func retryable(err error) bool {
	var se *statusError
	if errors.As(err, &se) {
		return se.code >= 500 || se.code == http.StatusTooManyRequests
	}
	return true
}

// statusOf returns the HTTP status of a failed ping, or 0 when there was
// no answer.
func statusOf(err error) int {
	var se *statusError
	if errors.As(err, &se) {
		return se.code
	}
	return 0
}
