"""OpenTelemetry for every service: providers, propagation through events and messages, metrics."""
