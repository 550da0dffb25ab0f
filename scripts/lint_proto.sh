#!/usr/bin/env bash
# Lint the proto schema with the pinned buf (npm install first): STANDARD lint rules from
# buf.yaml, buf's canonical formatting, and no breaking change (FILE rules) against the
# published API, proto/api-baseline.binpb: health boards' systems are built against it.
#
#   scripts/lint_proto.sh                      lint, format, compatibility with the baseline
#   scripts/lint_proto.sh --accept-baseline    make the current schema the baseline (after a
#                                              deliberate break, i.e. a new major version, or
#                                              to hold new additions to the same promise)
#   scripts/lint_proto.sh --against REF        also check against a git ref, e.g. '.git#branch=main'
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
baseline=proto/api-baseline.binpb

if [ ! -x node_modules/.bin/buf ]; then
  echo "buf is not installed: run npm install (or npm ci) at the repository root" >&2
  exit 1
fi

npx --no-install buf lint
npx --no-install buf format --diff --exit-code
if [ "${1:-}" = "--accept-baseline" ]; then
  npx --no-install buf build --exclude-source-info -o "$baseline"
  echo "baseline written: $baseline"
  exit 0
fi
if ! npx --no-install buf breaking --against "$baseline"; then
  echo "a breaking change to the published gRPC API (above). Add, do not change: new fields," >&2
  echo "messages and RPCs are safe. If the break is deliberate (a new major version), accept" >&2
  echo "it with scripts/lint_proto.sh --accept-baseline and say so in the change." >&2
  exit 1
fi
if [ "${1:-}" = "--against" ]; then
  npx --no-install buf breaking --against "${2:?--against needs a git ref}"
fi
echo "proto lint ok"
