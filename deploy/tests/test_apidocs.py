"""The generated API references say what the contracts and protos say, and go stale visibly."""

import json
import shutil
from pathlib import Path

from clwstwr_ops.apidocs import asyncapi
from clwstwr_ops.apidocs.generate import expected, stale, write
from contracts import membership

ROOT = Path(__file__).resolve().parents[2]


def test_the_asyncapi_document_lists_every_published_event_on_the_stream() -> None:
    doc = asyncapi.document("membership", membership.EVENTS)
    assert doc["asyncapi"] == "3.0.0"
    assert doc["channels"]["membership.events.v1"]["address"] == "membership.events.v1"
    consts = {
        schema["properties"]["event_type"]["const"]
        for schema in doc["components"]["schemas"].values()
        if "event_type" in schema.get("properties", {})
    }
    assert consts == {event.event_type for event in membership.EVENTS}
    text = json.dumps(doc)
    assert "health_board_salaried" in text  # the events' own fields are documented too


def test_the_grpc_reference_carries_the_proto_comments() -> None:
    reference = expected(ROOT)[Path("docs/grpc.md")]
    assert "### MembershipService" in reference
    assert "| `ListMembers` |" in reference
    assert "gapless" in reference  # from a comment in event_feed.proto


def test_stale_references_are_reported_until_regenerated(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "proto", tmp_path / "proto")
    assert Path("docs/grpc.md") in stale(tmp_path)
    written = write(tmp_path)
    assert Path("docs/grpc.md") in written
    assert stale(tmp_path) == []
    (tmp_path / "docs/grpc.md").write_text("edited by hand\n")
    assert stale(tmp_path) == [Path("docs/grpc.md")]
