"""A cluster report as a file: JSON (the API's message, as proto3 JSON) or CSV (one tidy table).

The CSV is long rather than wide (``section, body_id, body, quarter, item, value``) so one
file holds every part of the report and a spreadsheet can pivot it any way.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from google.protobuf import json_format

from clwstwr.reporting.v1 import reporting_service_pb2 as pb
from kernel.errors import ValidationFailed

FORMATS = {"json": "application/json", "csv": "text/csv"}
COLUMNS = ("section", "body_id", "body", "quarter", "item", "value")
_QUARTER_ITEMS = (
    "held",
    "chaired_by_lead_or_deputy",
    "quorate",
    "with_declarations",
    "minutes_approved",
)


def content_type(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValidationFailed.single("format", f"must be one of {', '.join(sorted(FORMATS))}")
    return FORMATS[fmt]


def _rows(response: pb.GetClusterReportResponse) -> Iterator[tuple[object, ...]]:
    report = response.compliance
    labels = {b.body_id: b.label for b in report.bodies}
    for body in report.bodies:
        for q in body.quarters:
            for item in _QUARTER_ITEMS:
                yield ("compliance", body.body_id, body.label, q.quarter, item, getattr(q, item))
    for f in report.findings:
        yield ("finding", f.body_id, labels.get(f.body_id, ""), f.quarter or "", f.code, f.text)
    for part, counts in (
        ("attendance_by_profession", report.attendance_by_profession),
        ("attendance_by_organisation", report.attendance_by_organisation),
    ):
        for c in counts:
            yield (part, "", "", "", c.label or c.key or "none", c.attendances)
    for a in report.open_actions:
        state = "overdue" if a.overdue else a.status
        yield ("action", a.body_id, labels.get(a.body_id, ""), "", a.description, state)
    for p in response.payments:
        yield ("payments_accrued_pence", "", "", "", p.rule_id, p.accrued_pence)
        yield ("payments_scheduled_pence", "", "", "", p.rule_id, p.scheduled_pence)


def render(response: pb.GetClusterReportResponse, fmt: str) -> bytes:
    """The report in ``fmt`` (``json`` or ``csv``), UTF-8."""
    content_type(fmt)
    if fmt == "json":
        return json_format.MessageToJson(response, indent=2).encode()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(_rows(response))
    return out.getvalue().encode()
