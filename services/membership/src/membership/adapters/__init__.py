"""Adapters: the register file, the read model and its queries, and the gRPC servicer."""
