#!/usr/bin/env bash
# Generate the Python code for every .proto under proto/ into libs/apis/src (the clwstwr-apis
# package), or, with --check, fail if the committed code differs from what proto/ generates.
#
#   scripts/gen_proto.sh           regenerate libs/apis/src/clwstwr (replacing it whole)
#   scripts/gen_proto.sh --check   regenerate into a temporary directory and diff; exit 1 if stale
#
# Stubs come from mypy-protobuf (--mypy_out, --mypy_grpc_out) rather than protoc's --pyi_out:
# both write *_pb2.pyi, and mypy-protobuf's are the richer ones (typed servicers and stubs, for
# grpc.aio too). Nothing is formatted: the output is exactly what the pinned tools produce, so
# the check is a plain diff.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

check=false
case "${1:-}" in
  "") ;;
  --check) check=true ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

package=clwstwr
target=libs/apis/src
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

mapfile -t protos < <(find proto -name '*.proto' | LC_ALL=C sort)
if [ "${#protos[@]}" -eq 0 ]; then
  echo "no .proto files under proto/" >&2
  exit 1
fi

# The pinned grpcio-tools and mypy-protobuf of the dev group; protoc finds its plugins
# (protoc-gen-mypy, protoc-gen-mypy_grpc) on PATH, which uv run (or ./dev) puts .venv/bin on.
if [ -n "${VIRTUAL_ENV:-}" ] && python -c 'import grpc_tools, mypy_protobuf' 2>/dev/null; then
  protoc=(python -m grpc_tools.protoc)
else
  protoc=(uv run --frozen --quiet python -m grpc_tools.protoc)
fi
"${protoc[@]}" -I proto \
  --python_out="$out" \
  --grpc_python_out="$out" \
  --mypy_out=quiet:"$out" \
  --mypy_grpc_out=quiet:"$out" \
  "${protos[@]}"

# Every generated directory is a regular package, so imports such as
# `from clwstwr.eventfeed.v1 import event_feed_pb2` resolve in the installed clwstwr-apis.
while IFS= read -r dir; do
  if [ "$dir" = "$out/$package" ]; then
    printf '"""Python code generated from proto/ (do not edit: run ./dev proto)."""\n' \
      >"$dir/__init__.py"
  else
    : >"$dir/__init__.py"
  fi
done < <(find "$out/$package" -type d)
: >"$out/$package/py.typed"

if $check; then
  if ! difference="$(diff -r -x __pycache__ "$out/$package" "$target/$package" 2>&1)"; then
    printf '%s\n' "$difference" >&2
    echo "generated code is stale: run ./dev proto" >&2
    exit 1
  fi
  echo "generated code is up to date"
else
  rm -rf "${target:?}/$package"
  cp -R "$out/$package" "$target/$package"
  echo "generated $(find "$target/$package" -name '*.py' -o -name '*.pyi' | wc -l) files into $target/$package"
fi
