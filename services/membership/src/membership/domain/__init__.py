"""The pure domain: aggregates, events and rules; no I/O, only pydantic and the pure kernel."""
