"""The meetings domain: pure rules, no I/O."""
