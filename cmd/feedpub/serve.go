package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/publish"
	"github.com/feedpub/feedpub/internal/server"
	"github.com/feedpub/feedpub/internal/watch"
)

func serveCommand() command {
	var (
		listen string
		poll   time.Duration
	)
	return command{
		name: "serve",
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

// serve builds the first snapshot, then serves it until ctx is done.
func serve(ctx context.Context, e *env, cfg config.Config) error {
	p, err := publish.New(cfg, publish.Options{Logger: e.logger})
	if err != nil {
		return err
	}
	res, err := p.Rebuild()
	if err != nil {
		return err
	}
	watch.LogResult(e.logger, "start", res)
	ln, err := net.Listen("tcp", cfg.Server.Listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w (is another server using it? set --listen or [server] listen)", cfg.Server.Listen, err)
	}
	srv := newHTTPServer(cfg, server.New(p, server.Options{FeedMaxAge: cfg.Feeds.MaxAge.Duration, Logger: e.logger}))
	e.logger.Info("serving", "url", "http://"+ln.Addr().String()+"/", "rss", cfg.Site.BaseURL+cfg.Feeds.RSSPath[1:])

	reload := make(chan struct{}, 1)
	stopHangup := notifyHangup(reload)
	defer stopHangup()

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		return watch.Run(gctx, watch.Options{
			Publisher:  p,
			ConfigPath: e.configPath,
			LoadConfig: e.loadConfig,
			Reload:     reload,
			Logger:     e.logger,
			OnRebuild:  e.onRebuild,
		})
	})
	g.Go(func() error {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		return shutdown(e, srv, cfg.Server.ShutdownTimeout.Duration)
	})
	return g.Wait()
}

func newHTTPServer(cfg config.Config, h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: cfg.Server.ReadHeaderTimeout.Duration,
		ReadTimeout:       cfg.Server.ReadTimeout.Duration,
		WriteTimeout:      cfg.Server.WriteTimeout.Duration,
		IdleTimeout:       cfg.Server.IdleTimeout.Duration,
		MaxHeaderBytes:    cfg.Server.MaxHeaderBytes,
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
