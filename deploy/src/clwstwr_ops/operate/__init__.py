"""Operating a running platform: every ``clwstwr-ops`` command but ``local``.

These talk to the platform's own PostgreSQL, Redis and gRPC endpoints (``CLWSTWR_*`` variables,
see ``settings.py``), not to the private instances ``./dev`` provisions; with ``./dev env`` they
point at the dev instance. A service is found by name (``<name>.bootstrap.definition()``), so a
new service needs nothing here.
"""
