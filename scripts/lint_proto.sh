#!/usr/bin/env bash
# Lint the proto schema with the pinned buf (npm install first): STANDARD lint rules from
# buf.yaml, and buf's canonical formatting. With --against REF, also check for breaking changes
# against a git ref (FILE rules), e.g. `scripts/lint_proto.sh --against '.git#branch=main'`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [ ! -x node_modules/.bin/buf ]; then
  echo "buf is not installed: run npm install (or npm ci) at the repository root" >&2
  exit 1
fi

npx --no-install buf lint
npx --no-install buf format --diff --exit-code
if [ "${1:-}" = "--against" ]; then
  npx --no-install buf breaking --against "${2:?--against needs a git ref}"
fi
echo "proto lint ok"
