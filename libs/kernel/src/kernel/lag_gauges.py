"""The ``clwstwr.relay.lag`` and ``clwstwr.consumer.lag`` gauges of a process.

Gauge callbacks cannot await the database, so each running service keeps its figures fresh in
a plain dict (``kernel.runtime``'s lag watcher) and the callbacks read those.
"""

from __future__ import annotations

from opentelemetry import metrics


class LagGauges:
    """The process's ``clwstwr.relay.lag`` and ``clwstwr.consumer.lag`` gauges.

    Instruments are process-wide (a second registration under the same name is ignored), so they
    are registered once and every service running in the process reports into them.
    """

    def __init__(self) -> None:
        self._by_service: dict[str, dict[str, int]] = {}
        self._registered = False

    def report_for(self, service: str) -> dict[str, int]:
        if not self._registered:
            meter = metrics.get_meter("kernel.runtime")
            meter.create_observable_gauge("clwstwr.relay.lag", [self._relay], unit="{event}")
            meter.create_observable_gauge("clwstwr.consumer.lag", [self._consumer], unit="{event}")
            self._registered = True
        return self._by_service.setdefault(service, {})

    def forget(self, service: str) -> None:
        self._by_service.pop(service, None)

    def _relay(self, _: metrics.CallbackOptions) -> list[metrics.Observation]:
        return [
            metrics.Observation(lags["relay"], {"service": service})
            for service, lags in self._by_service.items()
            if "relay" in lags
        ]

    def _consumer(self, _: metrics.CallbackOptions) -> list[metrics.Observation]:
        return [
            metrics.Observation(lag, {"service": service, "consumer": key})
            for service, lags in self._by_service.items()
            for key, lag in lags.items()
            if key != "relay"
        ]


#: The process's gauges, shared by every service running in it.
LAG_GAUGES = LagGauges()
