"""The meetings adapters: read models, queries, gRPC."""
