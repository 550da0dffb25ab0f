"""Generated API references: AsyncAPI for every event stream, Markdown for every gRPC API.

Written to ``docs/`` by ``./dev docs`` and checked for staleness by ``./dev test``, like the
generated gRPC code: the references are derived from ``libs/contracts`` and ``proto/``, never
edited by hand.
"""
