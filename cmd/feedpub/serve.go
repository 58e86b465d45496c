package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/deploy"
	"github.com/feedpub/feedpub/internal/publish"
	"github.com/feedpub/feedpub/internal/server"
	"github.com/feedpub/feedpub/internal/site"
	"github.com/feedpub/feedpub/internal/watch"
	"github.com/feedpub/feedpub/internal/websub"
)

func serveCommand() command {
	var (
		listen, deployTo string
		poll             time.Duration
	)
	return command{
		name:        "serve",
		baseURLFlag: true,
		summary:     "serve the feeds and pages, rebuilding on every change (the default command)",
		synopsis:    "feedpub [serve] [--listen ADDR] [--base-url URL] [--poll INTERVAL] [--deploy TARGET] [--config FILE] [--articles DIR]",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&listen, "listen", "", "`address` to listen on (overrides [server] listen)")
			fs.DurationVar(&poll, "poll", 0, "also rescan every `interval`, for file systems without change events (overrides [articles] poll)")
			fs.StringVar(&deployTo, "deploy", "", "also deploy every change to object storage at `TARGET` (s3://BUCKET[/PREFIX]?...)")
		},
		run: func(ctx context.Context, e *env) error {
			e.overrides = func(cfg *config.Config) {
				if listen != "" {
					cfg.Server.Listen = listen
				}
				if e.flagsVisited["poll"] {
					cfg.Articles.Poll.Duration = poll
				}
			}
			cfg, err := e.loadConfig()
			if err != nil {
				return err
			}
			if deployTo != "" {
				if e.continuous, err = newContinuous(ctx, e, cfg, deployTo, deployFlags{maxDeletes: deploy.DefaultMaxDeletes}); err != nil {
					return err
				}
			}
			return serve(ctx, e, cfg)
		},
	}
}

// serve binds its ports, builds the first snapshot while answering 503
// (and /healthz with the progress), then serves until ctx is done. It
// then stops accepting connections and waits for the requests in flight,
// at most [server] shutdown_timeout, and returns nil. Binding first makes
// a port in use fail at once, not after a long first build. With
// e.continuous, every snapshot is also deployed to object storage.
func serve(ctx context.Context, e *env, cfg config.Config) error {
	cont := e.continuous
	var tlsm *server.TLS
	if cfg.TLS.On() {
		var err error
		if tlsm, err = server.NewTLS(cfg, e.logger); err != nil {
			return err
		}
		defer tlsm.Stop()
	}
	ln, hln, mln, err := listenAll(cfg, tlsm != nil)
	if err != nil {
		return err
	}
	// The pinger tells the WebSub hubs about every swap, including those
	// after a config reload changed the hubs. When the site is deployed,
	// the deploy tells them instead, through its own pinger, once the
	// feeds are in the store that base_url names.
	pinger := websub.New(websub.Options{Logger: e.logger})
	p, err := publish.New(cfg, publish.Options{Logger: e.logger, Resident: true, OnSwap: func(snap *site.Snapshot, cfg config.Config) {
		if cont != nil {
			cont.Notify(snap, cfg)
			return
		}
		pinger.Notify(snap, cfg.WebSub.Hubs)
	}})
	if err != nil {
		closeListeners(ln, hln, mln)
		return err
	}
	// A restart serves the feeds the last run saved until the articles
	// are read again, which takes seconds in a large directory.
	p.Restore()
	var metrics *server.Metrics
	if cfg.Server.Metrics {
		metrics = server.NewMetrics(p)
		if cont != nil {
			metrics.Registry().MustRegister(cont.Collectors()...)
		}
	}
	var deployStatus func() deploy.Status
	if cont != nil {
		deployStatus = cont.Status
	}
	handler := server.New(p, server.Options{
		FeedMaxAge:     cfg.Feeds.MaxAge.Duration,
		Logger:         e.logger,
		AccessLog:      cfg.Server.AccessLog,
		Metrics:        metrics,
		ServeMetrics:   cfg.Server.MetricsListen == "",
		HSTS:           cfg.TLS.HSTS,
		BasePath:       cfg.Site.BasePath(),
		TrustedProxies: cfg.Server.Proxies(),
		Deploy:         deployStatus,
	})
	servers, siteURL := newServers(e, cfg, handler, tlsm, metrics, ln, hln, mln)

	reload := make(chan struct{}, 1)
	stopHangup := notifyHangup(reload, func() {
		if tlsm == nil {
			return
		}
		if err := tlsm.Reload(); err != nil {
			e.logger.Error("reloading the certificate; serving the one loaded before", "err", err)
		}
	})
	defer stopHangup()
	if tlsm != nil {
		// Loads or obtains the certificate in the background, renewing
		// it until ctx ends.
		if err := tlsm.Start(ctx); err != nil {
			closeAll(servers)
			return err
		}
	}

	hook := onRebuild(metrics, e.onRebuild)
	g, gctx := errgroup.WithContext(ctx)
	if cont != nil {
		g.Go(func() error { return cont.run(gctx) })
		hook = cont.afterRebuild(p, hook)
	} else {
		g.Go(func() error { return pinger.Run(gctx) })
	}
	for _, s := range servers {
		s.run(gctx, g, e, cfg.Server.ShutdownTimeout.Duration)
	}
	g.Go(func() error {
		return watchArticles(gctx, e, p, reload, hook, func() error {
			res, err := p.Rebuild()
			if err != nil {
				return err
			}
			watch.LogResult(e.logger, "start", res)
			if metrics != nil {
				metrics.ObserveRebuild(res, nil)
			}
			e.logger.Info("serving", "url", siteURL, "rss", cfg.Site.BaseURL+cfg.Feeds.RSSPath[1:])
			warnBaseURL(e, cfg, ln.Addr())
			return nil
		})
	})
	err = g.Wait()
	p.Wait() // the last rebuild's compression and state save
	return err
}

// newServers makes the HTTP servers of the bound listeners: the site's
// (over TLS when tlsm is set), the plain HTTP one that redirects to https,
// and the metrics one, each where its listener is not nil. It returns them
// with the site's URL as bound.
func newServers(e *env, cfg config.Config, handler http.Handler, tlsm *server.TLS, metrics *server.Metrics, ln, hln, mln net.Listener) ([]listening, string) {
	site := listening{newHTTPServer(cfg, handler, e.logger), ln}
	scheme := "http://"
	if tlsm != nil {
		site.srv.TLSConfig = tlsm.Config()
		scheme = "https://"
	}
	siteURL := scheme + ln.Addr().String() + cfg.Site.BasePath()
	servers := []listening{site}
	e.logger.Info("listening; building the site", "url", siteURL, "articles", cfg.Articles.Dir)
	if hln != nil {
		servers = append(servers, listening{newHTTPServer(cfg, tlsm.HTTPHandler(), e.logger), hln})
		e.logger.Info("redirecting plain HTTP to https", "url", "http://"+hln.Addr().String()+"/")
	}
	if mln != nil {
		mux := http.NewServeMux()
		mux.Handle("GET "+server.MetricsPath, metrics.Handler())
		servers = append(servers, listening{newHTTPServer(cfg, mux, e.logger), mln})
		e.logger.Info("serving metrics", "url", "http://"+mln.Addr().String()+server.MetricsPath)
	}
	return servers, siteURL
}

// listenAll binds the site's address and, when configured, the plain HTTP
// address next to HTTPS and the metrics address. A failure closes what
// was bound.
func listenAll(cfg config.Config, tlsOn bool) (site, plain, metrics net.Listener, err error) {
	if site, err = listen(cfg.Server.Listen, "--listen or [server] listen"); err != nil {
		return nil, nil, nil, err
	}
	if tlsOn && cfg.TLS.HTTPListen != "" {
		if plain, err = listen(cfg.TLS.HTTPListen, `[tls] http_listen, or "" for none`); err != nil {
			closeListeners(site)
			return nil, nil, nil, err
		}
	}
	if cfg.Server.Metrics && cfg.Server.MetricsListen != "" {
		if metrics, err = listen(cfg.Server.MetricsListen, "[server] metrics_listen"); err != nil {
			closeListeners(site, plain)
			return nil, nil, nil, err
		}
	}
	return site, plain, metrics, nil
}

// watchArticles puts the watches in place, runs the first build, then
// rebuilds p on every change to the articles or the config file, and on
// reload, until ctx is done. Watching before the first build means every
// change after the build's scan makes an event, so no rescan is needed to
// catch up with what changed while it ran.
func watchArticles(ctx context.Context, e *env, p *publish.Publisher, reload <-chan struct{}, hook func(publish.Result, error), build func() error) error {
	w, err := watch.Watch(watch.Options{
		Publisher:  p,
		ConfigPath: p.Config().AbsPath,
		LoadConfig: e.loadConfig,
		Reload:     reload,
		Logger:     e.logger,
		OnRebuild:  hook,
	})
	if err != nil {
		return err
	}
	if err := build(); err != nil {
		w.Close()
		return err
	}
	return w.Run(ctx)
}

// listen binds addr, explaining a failure by its cause: a port in use, a
// port that needs privileges, or a host that does not resolve. setting
// names where addr came from.
func listen(addr, setting string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		return ln, nil
	}
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, fmt.Errorf("listening on %s: %w (another server is using that port: stop it, or choose another port with %s)", addr, err, setting)
	case errors.Is(err, syscall.EACCES):
		return nil, fmt.Errorf("listening on %s: %w (ports below 1024 need privileges: choose a port above 1024 with %s, or grant CAP_NET_BIND_SERVICE)", addr, err, setting)
	case errors.As(err, &dnsErr), errors.Is(err, syscall.EADDRNOTAVAIL):
		return nil, fmt.Errorf("listening on %s: %w (the host is not an address of this machine: use an IP address such as 127.0.0.1, or leave the host out to listen on every interface, with %s)", addr, err, setting)
	}
	return nil, fmt.Errorf("listening on %s: %w (set %s)", addr, err, setting)
}

// closeListeners closes the listeners that were bound, skipping nil ones.
func closeListeners(lns ...net.Listener) {
	for _, ln := range lns {
		if ln != nil {
			ln.Close()
		}
	}
}

// warnBaseURL warns once when base_url points at this machine on another
// port than the one served, as when --listen changes the port of the
// sample config: every link and the stylesheet would then point elsewhere.
func warnBaseURL(e *env, cfg config.Config, addr net.Addr) {
	u, err := url.Parse(cfg.Site.BaseURL)
	tcp, ok := addr.(*net.TCPAddr)
	if err != nil || !ok || !isLoopbackHost(u.Hostname()) {
		return
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	if port == strconv.Itoa(tcp.Port) {
		return
	}
	want := *u
	want.Host = net.JoinHostPort(u.Hostname(), strconv.Itoa(tcp.Port))
	e.logger.Warn("site.base_url points at another port of this machine, so links and the stylesheet lead there; add the flag",
		"base_url", cfg.Site.BaseURL, "flag", "--base-url "+want.String())
}

// isLoopbackHost reports whether host names this machine's loopback.
func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// listening is an HTTP server with the listener it serves.
type listening struct {
	srv *http.Server
	ln  net.Listener
}

// run serves l in g until gctx is done, then shuts it down, waiting at
// most timeout for the requests in flight.
func (l listening) run(gctx context.Context, g *errgroup.Group, e *env, timeout time.Duration) {
	g.Go(func() error {
		if err := l.serve(); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		return shutdown(e, l.srv, timeout)
	})
}

// serve serves the listener, over TLS when the server has a TLSConfig
// (ServeTLS adds HTTP/2 to it).
func (l listening) serve() error {
	if l.srv.TLSConfig != nil {
		return l.srv.ServeTLS(l.ln, "", "")
	}
	return l.srv.Serve(l.ln)
}

// closeAll closes the listeners of servers that never started.
func closeAll(servers []listening) {
	for _, s := range servers {
		s.ln.Close()
	}
}

// onRebuild tells the metrics, if any, and then hook, if any, of every
// rebuild the watcher runs.
func onRebuild(metrics *server.Metrics, hook func(publish.Result, error)) func(publish.Result, error) {
	return func(res publish.Result, err error) {
		if metrics != nil {
			metrics.ObserveRebuild(res, err)
		}
		if hook != nil {
			hook(res, err)
		}
	}
}

// newHTTPServer returns a server for h with every phase of a connection
// bounded by [server]: a client that sends its headers slowly is cut off
// after read_header_timeout, one that reads slowly after write_timeout.
// net/http's own complaints (TLS handshakes, hijacked connections) go to
// logger as warnings.
func newHTTPServer(cfg config.Config, h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: cfg.Server.ReadHeaderTimeout.Duration,
		ReadTimeout:       cfg.Server.ReadTimeout.Duration,
		WriteTimeout:      cfg.Server.WriteTimeout.Duration,
		IdleTimeout:       cfg.Server.IdleTimeout.Duration,
		MaxHeaderBytes:    cfg.Server.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// shutdown stops accepting connections and waits, at most timeout, for
// requests in flight.
func shutdown(e *env, srv *http.Server, timeout time.Duration) error {
	e.logger.Info("shutting down", "timeout", timeout)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		srv.Close()
		return fmt.Errorf("shutting down: %w", err)
	}
	return nil
}

// notifyHangup delivers SIGHUP (reload the config and rescan) to reload,
// dropping a signal while one is already pending, and calls also, which
// reloads what the watcher does not (the certificate files).
func notifyHangup(reload chan<- struct{}, also func()) (stop func()) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-sig:
				also()
				select {
				case reload <- struct{}{}:
				default:
				}
			case <-done:
				return
			}
		}
	}()
	return func() { signal.Stop(sig); close(done) }
}
