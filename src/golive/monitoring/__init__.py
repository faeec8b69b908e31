"""The same SLOs before and after go-live: a run's SLIs in Prometheus' text format, and
golive.toml's targets as Prometheus recording and alert rules and a Grafana dashboard."""
