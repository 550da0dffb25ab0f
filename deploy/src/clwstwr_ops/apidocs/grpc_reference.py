"""A Markdown reference of the gRPC APIs, from ``proto/`` with its comments.

protoc (the pinned grpcio-tools) compiles the protos into a descriptor set with source info;
the comments are read from there, so the reference says exactly what the proto files say.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from google.protobuf import descriptor_pb2

_SERVICE, _METHOD, _MESSAGE, _FIELD, _ENUM = 6, 2, 4, 2, 5
_LABELS = {descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED: "repeated "}
_SCALARS = {
    value: name.removeprefix("TYPE_").lower()
    for name, value in descriptor_pb2.FieldDescriptorProto.Type.items()
}


def descriptor_set(root: Path, protos: Sequence[Path]) -> descriptor_pb2.FileDescriptorSet:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "api.pb"
        command = [sys.executable, "-m", "grpc_tools.protoc", f"-I{root / 'proto'}"]
        command += ["--include_source_info", f"--descriptor_set_out={out}"]
        command += [str(p.relative_to(root / "proto")) for p in protos]
        subprocess.run(command, check=True, cwd=root)  # noqa: S603 - the pinned protoc
        return descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())


def render(files: descriptor_pb2.FileDescriptorSet) -> str:
    lines = [
        "# gRPC API reference",
        "",
        "Generated from `proto/` by `./dev docs`; do not edit. Every call needs",
        "`authorization: Bearer <token>` (health and reflection excepted); commands accept an",
        "`idempotency-key` header.",
    ]
    for file in sorted(files.file, key=lambda f: f.name):
        lines += list(_file(file))
    return "\n".join(lines) + "\n"


def _file(file: descriptor_pb2.FileDescriptorProto) -> Iterator[str]:
    comments = {tuple(loc.path): _comment(loc) for loc in file.source_code_info.location}
    yield from ("", f"## `{file.package}` ({file.name})")
    for s, service in enumerate(file.service):
        yield from ("", f"### {service.name}", "", comments.get((_SERVICE, s), ""), "")
        yield from ("| Method | Request | Response | Description |", "|---|---|---|---|")
        for m, method in enumerate(service.method):
            stream = "stream " if method.server_streaming else ""
            text = _cell(comments.get((_SERVICE, s, _METHOD, m), ""))
            request, response = _short(method.input_type), _short(method.output_type)
            yield f"| `{method.name}` | `{request}` | `{stream}{response}` | {text} |"
    for i, message in enumerate(file.message_type):
        yield from ("", f"#### {message.name}", "")
        if text := comments.get((_MESSAGE, i), ""):
            yield from (text, "")
        if message.field:
            yield from ("| Field | Type | Description |", "|---|---|---|")
        for f, field in enumerate(message.field):
            kind = _short(field.type_name) if field.type_name else _SCALARS[field.type]
            text = _cell(comments.get((_MESSAGE, i, _FIELD, f), ""))
            yield f"| `{field.name}` | `{_LABELS.get(field.label, '')}{kind}` | {text} |"
    for e, enum in enumerate(file.enum_type):
        yield from ("", f"#### enum {enum.name}", "", comments.get((_ENUM, e), ""))
        yield ", ".join(f"`{value.name}`" for value in enum.value)


def _comment(location: descriptor_pb2.SourceCodeInfo.Location) -> str:
    return " ".join(line.strip() for line in location.leading_comments.strip().splitlines())


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _short(type_name: str) -> str:
    return type_name.rsplit(".", 1)[-1]
