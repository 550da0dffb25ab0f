"""The meetings application: commands and the ports they need."""
