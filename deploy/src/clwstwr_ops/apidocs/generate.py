"""Write or check ``docs/``: ``asyncapi/<service>.json`` and ``grpc.md``."""

from __future__ import annotations

from pathlib import Path

from clwstwr_ops.apidocs import asyncapi, grpc_reference


def expected(root: Path) -> dict[Path, str]:
    """Every generated file, by path under ``root``, with its content."""
    files: dict[Path, str] = {}
    for service in asyncapi.SERVICES:
        events = asyncapi.service_events(service)
        if events:
            files[Path("docs/asyncapi") / f"{service}.json"] = asyncapi.render(service, events)
    protos = sorted((root / "proto").rglob("*.proto"))
    files[Path("docs/grpc.md")] = grpc_reference.render(grpc_reference.descriptor_set(root, protos))
    return files


def write(root: Path) -> list[Path]:
    written = []
    for path, text in expected(root).items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_text() != text:
            target.write_text(text)
            written.append(path)
    return written


def stale(root: Path) -> list[Path]:
    """Generated files that are missing or differ from what the sources give."""
    return [
        path
        for path, text in expected(root).items()
        if not (root / path).exists() or (root / path).read_text() != text
    ]
