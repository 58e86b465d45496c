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
	"github.com/feedpub/feedpub/internal/publish"
	"github.com/feedpub/feedpub/internal/server"
	"github.com/feedpub/feedpub/internal/site"
	"github.com/feedpub/feedpub/internal/watch"
	"github.com/feedpub/feedpub/internal/websub"
)

func serveCommand() command {
	var (
		listen string
		poll   time.Duration
	)
	return command{
		name:        "serve",
		baseURLFlag: true,
		summary:     "serve the feeds and pages, rebuilding on every change (the default command)",
		synopsis:    "feedpub [serve] [--listen ADDR] [--base-url URL] [--poll INTERVAL] [--config FILE] [--articles DIR]",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&listen, "listen", "", "`address` to listen on (overrides [server] listen)")
			fs.DurationVar(&poll, "poll", 0, "also rescan every `interval`, for file systems without change events (overrides [articles] poll)")
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
			return serve(ctx, e, cfg)
		},
	}
}

// serve binds its ports, builds the first snapshot while answering 503
// (and /healthz with the progress), then serves until ctx is done. It
// then stops accepting connections and waits for the requests in flight,
// at most [server] shutdown_timeout, and returns nil. Binding first makes
// a port in use fail at once, not after a long first build.
func serve(ctx context.Context, e *env, cfg config.Config) error {
	ln, err := listen(cfg.Server.Listen, "--listen or [server] listen")
	if err != nil {
		return err
	}
	var mln net.Listener
	if cfg.Server.Metrics && cfg.Server.MetricsListen != "" {
		if mln, err = listen(cfg.Server.MetricsListen, "[server] metrics_listen"); err != nil {
			ln.Close()
			return err
		}
	}
	// The pinger tells the WebSub hubs about every swap, including those
	// after a config reload changed the hubs.
	pinger := websub.New(websub.Options{Logger: e.logger})
	p, err := publish.New(cfg, publish.Options{Logger: e.logger, OnSwap: func(snap *site.Snapshot, cfg config.Config) {
		pinger.Notify(snap, cfg.WebSub.Hubs)
	}})
	if err != nil {
		closeAll(ln, mln)
		return err
	}
	var metrics *server.Metrics
	if cfg.Server.Metrics {
		metrics = server.NewMetrics(p)
	}
	handler := server.New(p, server.Options{
		FeedMaxAge:   cfg.Feeds.MaxAge.Duration,
		Logger:       e.logger,
		AccessLog:    cfg.Server.AccessLog,
		Metrics:      metrics,
		ServeMetrics: cfg.Server.MetricsListen == "",
	})
	site := server.NewServer(handler, newHTTPServer(cfg, handler, e.logger))
	servers := []listening{{site, ln}}
	e.logger.Info("listening; building the site", "url", "http://"+ln.Addr().String()+"/", "articles", cfg.Articles.Dir)
	if mln != nil {
		mux := http.NewServeMux()
		mux.Handle("GET "+server.MetricsPath, metrics.Handler())
		servers = append(servers, listening{newHTTPServer(cfg, mux, e.logger), mln})
		e.logger.Info("serving metrics", "url", "http://"+mln.Addr().String()+server.MetricsPath)
	}

	g, gctx := errgroup.WithContext(ctx)
	for _, s := range servers {
		g.Go(func() error {
			if err := s.srv.Serve(s.ln); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		})
		g.Go(func() error {
			<-gctx.Done()
			return shutdown(e, s.srv, cfg.Server.ShutdownTimeout.Duration)
		})
	}
	g.Go(func() error { return pinger.Run(gctx) })
	g.Go(func() error {
		return watchArticles(gctx, e, p, cfg, metrics, func() error {
			res, err := p.Rebuild()
			if err != nil {
				return err
			}
			watch.LogResult(e.logger, "start", res)
			if metrics != nil {
				metrics.ObserveRebuild(res, nil)
			}
			e.logger.Info("serving", "url", "http://"+ln.Addr().String()+"/", "rss", cfg.Site.BaseURL+cfg.Feeds.RSSPath[1:])
			warnBaseURL(e, cfg, ln.Addr())
			return nil
		})
	})
	err = g.Wait()
	p.Wait() // the last rebuild's compression and state save
	return err
}

// watchArticles puts the watches in place, runs the first build, then
// runs the watcher, with SIGHUP as a reload, until ctx is done. Watching
// before the first build means every change after the build's scan makes
// an event, so no rescan is needed to catch up with what changed while
// it ran.
func watchArticles(ctx context.Context, e *env, p *publish.Publisher, cfg config.Config, metrics *server.Metrics, build func() error) error {
	reload := make(chan struct{}, 1)
	stopHangup := notifyHangup(reload)
	defer stopHangup()
	w, err := watch.Watch(watch.Options{
		Publisher:  p,
		ConfigPath: cfg.AbsPath,
		LoadConfig: e.loadConfig,
		Reload:     reload,
		Logger:     e.logger,
		OnRebuild:  onRebuild(metrics, e.onRebuild),
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

func closeAll(lns ...net.Listener) {
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
	srv httpServer
	ln  net.Listener
}

// httpServer is what serve needs of a server: an *http.Server or the
// site's *server.Server.
type httpServer interface {
	Serve(net.Listener) error
	Shutdown(context.Context) error
	Close() error
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
func shutdown(e *env, srv httpServer, timeout time.Duration) error {
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
// dropping a signal while one is already pending.
func notifyHangup(reload chan<- struct{}) (stop func()) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-sig:
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
