package main

import (
	"strings"
	"testing"
)

func TestHealth(t *testing.T) {
	cfg, _ := serveConfig(t, "", nil)
	out, _, err := runCLI(t, "health", "http://"+cfg.Server.Listen+"/healthz")
	if err != nil || !strings.Contains(out, `"status":"ok"`) {
		t.Errorf("health of a running server: %v, printed %q", err, out)
	}
	// Without a URL, the config's listen address.
	out, _, err = runCLI(t, "health", "--config", cfg.Path)
	if err != nil || !strings.Contains(out, `"status":"ok"`) {
		t.Errorf("health --config: %v, printed %q", err, out)
	}
	// Answering, but not /healthz.
	if _, _, err := runCLI(t, "health", "http://"+cfg.Server.Listen+"/nope"); err == nil || !strings.Contains(err.Error(), "unhealthy") || !strings.Contains(err.Error(), "404") {
		t.Errorf("health of a 404: %v, want unhealthy", err)
	}
	// Nothing listening.
	if _, _, err := runCLI(t, "health", "http://"+freeAddr(t)+"/healthz"); err == nil || !strings.Contains(err.Error(), "unhealthy") {
		t.Errorf("health of a closed port: %v, want unhealthy", err)
	}
}
