"""Check that everything a compose file names exists: ``python -m clwstwr_ops.composerefs FILE``.

The compose-spec JSON schema (``check-jsonschema --builtin-schema vendor.compose-spec``) checks
the shape of the file but not its references: a ``depends_on`` on a misspelt service, a named
volume never declared, an env file or Dockerfile that was moved. Without a Docker engine in CI
those would only show on an operator's machine, so this reads the file as Compose would and
reports each reference that does not resolve. Paths are relative to the file's directory (the
compose project directory). Values holding ``${...}`` are skipped: they resolve only at run time.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

BIND_PREFIXES = (".", "/", "~")
"""How Compose tells a bind mount's host path from a named volume in the short syntax."""


def check_file(compose_file: Path) -> list[str]:
    """Every unresolved reference in ``compose_file``, as messages naming where it is."""
    loaded: object = yaml.safe_load(compose_file.read_text())
    if not isinstance(loaded, dict):
        return ["the file is not a mapping"]
    return list(_problems(loaded, compose_file.parent))


def _problems(spec: Mapping[str, Any], base: Path) -> Iterator[str]:
    services: Mapping[str, Any] = spec.get("services") or {}
    declared = {kind: set(spec.get(kind) or {}) for kind in ("volumes", "configs", "secrets")}
    declared["networks"] = {*(spec.get("networks") or {}), "default"}
    for name, service in services.items():
        where = f"services.{name}"
        yield from _depends_on(where, name, service.get("depends_on"), services)
        yield from _build(where, service.get("build"), base)
        yield from _env_files(where, service.get("env_file"), base)
        yield from _volumes(where, service.get("volumes") or [], declared["volumes"], base)
        for kind in ("configs", "secrets", "networks"):
            for ref in _names(service.get(kind)):
                if ref not in declared[kind]:
                    yield f"{where}.{kind}: {ref!r} is not declared under top-level {kind}"
    yield from _cycles(services)
    for kind in ("configs", "secrets"):
        for name, definition in (spec.get(kind) or {}).items():
            source = (definition or {}).get("file")
            if isinstance(source, str) and not _exists(base, source):
                yield f"{kind}.{name}.file: {source} does not exist"


def _depends_on(
    where: str, name: str, depends_on: object, services: Mapping[str, Any]
) -> Iterator[str]:
    entries: Mapping[str, Any] = _as_mapping(depends_on)
    for target, options in entries.items():
        if target == name:
            yield f"{where}.depends_on: {name!r} depends on itself"
        elif target not in services:
            yield f"{where}.depends_on: no service {target!r}"
        elif (options or {}).get("condition") == "service_healthy" and not _has_healthcheck(
            services[target]
        ):
            # Compose would wait forever: a service without a healthcheck never turns healthy.
            yield f"{where}.depends_on: {target!r} has no healthcheck to become healthy"


def _cycles(services: Mapping[str, Any]) -> Iterator[str]:
    """A ``depends_on`` cycle, which Compose refuses to start; reported once, where it closes."""
    graph = {
        name: list(_as_mapping(service.get("depends_on"))) for name, service in services.items()
    }
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> Iterator[str]:
        if name in path:
            cycle = [*path[path.index(name) :], name]
            yield f"services.{name}.depends_on: cycle {' -> '.join(cycle)}"
            return
        if name in done or name not in graph:
            return
        for target in graph[name]:
            if target != name:  # a self-dependency is reported on its own
                yield from visit(target, [*path, name])
        done.add(name)

    for name in graph:
        yield from visit(name, [])


def _as_mapping(depends_on: object) -> Mapping[str, Any]:
    """``depends_on`` in either syntax: a list of names, or names mapped to options."""
    if isinstance(depends_on, list):
        return {str(name): {} for name in depends_on}
    return depends_on if isinstance(depends_on, dict) else {}


def _has_healthcheck(service: Mapping[str, Any]) -> bool:
    healthcheck = service.get("healthcheck") or {}
    return bool(healthcheck.get("test")) and not healthcheck.get("disable", False)


def _build(where: str, build: object, base: Path) -> Iterator[str]:
    if isinstance(build, str):
        options: Mapping[str, Any] = {"context": build}
    elif isinstance(build, dict):
        options = build
    else:
        return
    context = str(options.get("context", "."))
    if _unresolvable(context) or "://" in context or context.startswith("git@"):
        return  # a remote context (a Git URL) is fetched by the builder
    if not (base / context).is_dir():
        yield f"{where}.build.context: {context} is not a directory"
        return
    if "dockerfile_inline" in options:
        return
    dockerfile = str(options.get("dockerfile", "Dockerfile"))
    if not _unresolvable(dockerfile) and not (base / context / dockerfile).is_file():
        yield f"{where}.build.dockerfile: {dockerfile} not found in context {context}"


def _env_files(where: str, env_file: object, base: Path) -> Iterator[str]:
    entries: list[Any] = env_file if isinstance(env_file, list) else [env_file]
    for entry in entries:
        if entry is None:
            continue
        path, required = (str(entry), True) if not isinstance(entry, dict) else _env_entry(entry)
        if required and not _exists(base, path):
            yield f"{where}.env_file: {path} does not exist (mark it required: false if optional)"


def _env_entry(entry: Mapping[str, Any]) -> tuple[str, bool]:
    return str(entry.get("path", "")), bool(entry.get("required", True))


def _volumes(where: str, volumes: Sequence[Any], declared: set[str], base: Path) -> Iterator[str]:
    for volume in volumes:
        kind, source = _volume_source(volume)
        if source is None or _unresolvable(source):
            continue  # an anonymous volume, or a path known only at run time
        if kind == "bind" and not _exists(base, source):
            yield f"{where}.volumes: bind source {source} does not exist"
        elif kind == "volume" and source not in declared:
            yield f"{where}.volumes: {source!r} is not declared under top-level volumes"


def _volume_source(volume: object) -> tuple[str, str | None]:
    """The mount's type and source, from the short (``src:dst[:mode]``) or long syntax."""
    if isinstance(volume, dict):
        source = volume.get("source")
        return str(volume.get("type", "volume")), None if source is None else str(source)
    parts = str(volume).split(":")
    if len(parts) < 2:  # noqa: PLR2004 - "dst" alone: an anonymous volume
        return "volume", None
    kind = "bind" if parts[0].startswith(BIND_PREFIXES) else "volume"
    return kind, parts[0]


def _names(refs: object) -> list[str]:
    """Names from a list of strings or ``{source: ...}`` mappings, or a mapping's keys."""
    if isinstance(refs, dict):
        return [str(key) for key in refs]
    if not isinstance(refs, list):
        return []
    return [str(ref["source"] if isinstance(ref, dict) else ref) for ref in refs]


def _exists(base: Path, path: str) -> bool:
    return _unresolvable(path) or (base / Path(path).expanduser()).exists()


def _unresolvable(value: str) -> bool:
    return "${" in value or value.startswith("$")


def main(argv: Sequence[str] | None = None) -> int:
    files = [Path(arg) for arg in (sys.argv[1:] if argv is None else argv)]
    if not files:
        print("usage: python -m clwstwr_ops.composerefs COMPOSE_FILE...", file=sys.stderr)  # noqa: T201
        return 2
    failed = False
    for compose_file in files:
        problems = check_file(compose_file)
        for problem in problems:
            print(f"{compose_file}: {problem}", file=sys.stderr)  # noqa: T201
        failed = failed or bool(problems)
        if not problems:
            print(f"{compose_file}: every reference resolves")  # noqa: T201
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
