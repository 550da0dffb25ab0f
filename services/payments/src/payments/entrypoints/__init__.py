"""Clwstwr payments."""
