#!/usr/bin/env bash
# Regenerates nixbuild_client/generated from openapi/openapi.json (check.sh installs the
# pinned generator into .tools first).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
[ -x "$here/.tools/bin/openapi-python-client" ] || { echo "run clients/python/check.sh once first" >&2; exit 1; }
rm -rf "$here/nixbuild_client/generated"
"$here/.tools/bin/openapi-python-client" generate --path "$here/../../openapi/openapi.json" \
  --config "$here/generate.yaml" --meta none --output-path "$here/nixbuild_client/generated" --fail-on-warning
