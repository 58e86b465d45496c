package deploy

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Collectors returns the Prometheus metrics of c: the generation the
// store holds, how far it lags the served one, the failures and when the
// store last caught up.
func (c *Continuous) Collectors() []prometheus.Collector {
	gauge := func(name, help string, value func(Status) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 { return value(c.Status()) })
	}
	return []prometheus.Collector{
		gauge("feedpub_deploy_generation", "Snapshot generation the object store holds (0 before the first deploy).",
			func(s Status) float64 { return float64(s.Generation) }),
		gauge("feedpub_deploy_lag_generations", "Generations the object store is behind the snapshot served.",
			func(s Status) float64 { return float64(s.Lag) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "feedpub_deploy_failures_total", Help: "Deploys to the object store that failed."},
			func() float64 { return float64(c.Status().Failures) }),
		gauge("feedpub_deploy_last_success_timestamp_seconds", "When the object store last caught up, in Unix seconds (0: never).",
			func(s Status) float64 {
				if s.LastDeploy.IsZero() {
					return 0
				}
				return float64(s.LastDeploy.UnixNano()) / 1e9
			}),
	}
}
