"""Clwstwr's shared kernel: the machinery every service uses, and no business concepts.

Pure modules (importable from any service's domain layer): ``events``, ``errors``, ``aggregate``,
``upcasting``. Everything else does I/O and belongs in adapters and entrypoints.
"""
