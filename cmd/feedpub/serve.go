package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
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
		name: "serve",
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
				if e.continuous, err = newContinuous(ctx, e, cfg, deployTo, deployFlags{maxDeletes: 256}); err != nil {
					return err
				}
			}
			return serve(ctx, e, cfg)
		},
	}
}

// serve builds the first snapshot, then serves it until ctx is done. It
// then stops accepting connections and waits for the requests in flight,
// at most [server] shutdown_timeout, and returns nil. With e.continuous,
// every snapshot is also deployed to object storage.
func serve(ctx context.Context, e *env, cfg config.Config) error {
	cont := e.continuous
	// The pinger tells the WebSub hubs about every swap, including those
	// after a config reload changed the hubs. When the site is deployed,
	// the deploy tells them instead, once the feeds are in the store
	// that base_url names.
	pinger := websub.New(websub.Options{Logger: e.logger})
	p, err := publish.New(cfg, publish.Options{Logger: e.logger, OnSwap: func(snap *site.Snapshot, cfg config.Config) {
		if cont != nil {
			cont.Notify(snap)
			return
		}
		pinger.Notify(snap, cfg.WebSub.Hubs)
	}})
	if err != nil {
		return err
	}
	res, err := p.Rebuild()
	if err != nil {
		return err
	}
	watch.LogResult(e.logger, "start", res)
	var metrics *server.Metrics
	if cfg.Server.Metrics {
		metrics = server.NewMetrics(p)
		metrics.ObserveRebuild(res, nil)
		if cont != nil {
			metrics.Registry().MustRegister(cont.Collectors()...)
		}
	}
	var deployStatus func() deploy.Status
	if cont != nil {
		deployStatus = cont.Status
	}
	ln, err := net.Listen("tcp", cfg.Server.Listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w (is another server using it? set --listen or [server] listen)", cfg.Server.Listen, err)
	}
	handler := server.New(p, server.Options{
		FeedMaxAge:   cfg.Feeds.MaxAge.Duration,
		Logger:       e.logger,
		AccessLog:    cfg.Server.AccessLog,
		Metrics:      metrics,
		ServeMetrics: cfg.Server.MetricsListen == "",
		Deploy:       deployStatus,
	})
	site := server.NewServer(handler, newHTTPServer(cfg, handler, e.logger))
	servers := []listening{{site, ln}}
	e.logger.Info("serving", "url", "http://"+ln.Addr().String()+"/", "rss", cfg.Site.BaseURL+cfg.Feeds.RSSPath[1:])
	if metrics != nil && cfg.Server.MetricsListen != "" {
		mln, err := net.Listen("tcp", cfg.Server.MetricsListen)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listening on %s for metrics: %w (set [server] metrics_listen)", cfg.Server.MetricsListen, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET "+server.MetricsPath, metrics.Handler())
		servers = append(servers, listening{newHTTPServer(cfg, mux, e.logger), mln})
		e.logger.Info("serving metrics", "url", "http://"+mln.Addr().String()+server.MetricsPath)
	}

	reload := make(chan struct{}, 1)
	stopHangup := notifyHangup(reload)
	defer stopHangup()

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return pinger.Run(gctx) })
	if cont != nil {
		g.Go(func() error { return cont.Run(gctx) })
	}
	g.Go(func() error { return watchArticles(gctx, e, p, reload, onRebuild(metrics, e.onRebuild)) })
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
	err = g.Wait()
	p.Wait() // the last rebuild's compression and state save
	return err
}

// watchArticles rebuilds p on every change to the articles or the config
// file, and on reload, until ctx is done.
func watchArticles(ctx context.Context, e *env, p *publish.Publisher, reload <-chan struct{}, hook func(publish.Result, error)) error {
	return watch.Run(ctx, watch.Options{
		Publisher:  p,
		ConfigPath: e.configPath,
		LoadConfig: e.loadConfig,
		Reload:     reload,
		Logger:     e.logger,
		OnRebuild:  hook,
	})
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
