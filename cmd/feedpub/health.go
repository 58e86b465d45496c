package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/feedpub/feedpub/internal/config"
	"github.com/feedpub/feedpub/internal/server"
)

// healthTimeout bounds the whole health check.
const healthTimeout = 5 * time.Second

// healthCommand asks a running feedpub whether it is serving, for
// container HEALTHCHECKs and scripts: images without a shell or curl can
// run it.
func healthCommand() command {
	return command{
		name:     "health",
		summary:  "ask a running feedpub whether it serves (exit 0) or not (exit 1)",
		synopsis: "feedpub health [URL] [--config FILE]   (default URL: /healthz of [server] listen)",
		run: func(ctx context.Context, e *env) error {
			if len(e.args) > 1 {
				return usageError("health takes at most one URL, like http://127.0.0.1:8080/healthz")
			}
			url, insecure := "", false
			if len(e.args) == 1 {
				url = e.args[0]
			} else {
				cfg, err := e.loadConfig()
				if err != nil {
					return fmt.Errorf("%w\n(or give the URL: feedpub health http://127.0.0.1:8080/healthz)", err)
				}
				url, insecure = localHealthURL(cfg)
			}
			return checkHealth(ctx, url, insecure, e.stdout)
		},
	}
}

// localHealthURL is the /healthz URL of the server cfg describes, on this
// machine. Over TLS the certificate is not verified: it is made out to
// the site's name, not to the loopback address asked, and what is
// checked is this process's own server.
func localHealthURL(cfg config.Config) (url string, insecure bool) {
	host, port, _ := net.SplitHostPort(cfg.Server.Listen)
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	scheme := "http"
	if cfg.TLS.On() {
		scheme = "https"
	}
	return scheme + "://" + net.JoinHostPort(host, port) + server.HealthPath, cfg.TLS.On()
}

// checkHealth fetches url and succeeds when it answers 200 with status
// "ok", printing the answer to out.
func checkHealth(ctx context.Context, url string, insecure bool, out io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, healthTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return usageError("health: %v", err)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: insecure}}}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("unhealthy: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return fmt.Errorf("unhealthy: reading %s: %w", url, err)
	}
	var h struct {
		Status string `json:"status"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &h) != nil || h.Status != "ok" {
		return fmt.Errorf("unhealthy: %s answered %s: %.200s", url, resp.Status, body)
	}
	_, err = out.Write(body)
	return err
}
