"""Python code generated from proto/ (do not edit: run ./dev proto)."""
