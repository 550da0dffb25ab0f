"""Use cases: commands that load, decide and save aggregates, and the queries' ports and rules."""
