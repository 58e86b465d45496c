package config

import "testing"

func TestMetricsKeys(t *testing.T) {
	if d := Default(); !d.Server.Metrics || d.Server.MetricsListen != "" {
		t.Errorf("Default() metrics = %t, metrics_listen = %q; want true and \"\"", d.Server.Metrics, d.Server.MetricsListen)
	}
	c, err := Load(writeConfig(t, "[server]\nmetrics = true\nmetrics_listen = \"127.0.0.1:9100\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Server.Metrics || c.Server.MetricsListen != "127.0.0.1:9100" {
		t.Errorf("Load: metrics = %t, metrics_listen = %q", c.Server.Metrics, c.Server.MetricsListen)
	}
}

func TestMetricsListenProblems(t *testing.T) {
	checkProblems(t, "[server]\nmetrics_listen = \"9100\"", want{2, "server.metrics_listen", "host:port"})
	checkProblems(t, "[server]\nlisten = \"127.0.0.1:8080\"\nmetrics_listen = \"127.0.0.1:8080\"", want{3, "server.metrics_listen", "must differ from server.listen"})
	checkProblems(t, "[server]\nmetrics = false\nmetrics_listen = \"127.0.0.1:9100\"", want{3, "server.metrics_listen", "server.metrics is false"})
}
