#!/usr/bin/env bash
# The mock as a Python user gets it: builds the wheel with maturin (the binary and the
# nixbuild_mock package with its pytest plugin), installs it into a fresh venv, generates
# Python clients from openapi/openapi.json and mock-server/openapi.json, and runs the pytest
# suite in tests/ against the installed wheel. Installs its pinned tools on first use into
# mock-server/python/.tools (git-ignored); the wheel and venv go to .work (git-ignored).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tools="$here/.tools"
work="$here/.work"

step() { printf '\n--> %s\n' "$*"; }

step "installing the pinned tools"
"$root/.ci/pinned-venv" "$tools" "$here/requirements-tools.txt"
rm -rf "$work" && mkdir -p "$work/clients"

step "maturin build: the wheel (a debug build, sharing the workspace's target directory)"
# --profile dev reuses what `cargo test` compiled; a release wheel is `maturin build --release`.
"$tools/bin/maturin" build --quiet --profile dev --manifest-path "$root/mock-server/Cargo.toml" \
  --out "$work/wheels" --compatibility linux 2>&1 | grep -v '^📦\|^🔗\|^🐍\|^💻' || true
wheel=$(ls "$work"/wheels/nixbuild_mock-*.whl)
echo "built $(basename "$wheel")"

step "a fresh venv with the wheel"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "$wheel" -r "$here/requirements-test.txt"
test -x "$work/venv/bin/nixbuild-mock" || { echo "the wheel installed no nixbuild-mock binary" >&2; exit 1; }

step "clients generated from the API's and the control API's OpenAPI documents"
generate() { # SPEC PACKAGE
  "$tools/bin/openapi-python-client" generate --path "$1" --meta none --fail-on-warning \
    --config <(printf 'project_name_override: %s\npackage_name_override: %s\npost_hooks: []\n' "${2//_/-}" "$2") \
    --output-path "$work/clients/$2" >/dev/null
}
generate "$root/openapi/openapi.json" nixbuild_client
generate "$root/mock-server/openapi.json" nixbuild_mock_client

step "pytest, with the plugin the wheel registered"
# From the work folder, with no path to the sources: the suite sees only what was installed.
(cd "$work" && env -u NIXBUILD_MOCK_BIN PYTHONPATH="$work/clients" "$work/venv/bin/python" -m pytest \
  -p no:cacheprovider -q "$here/tests")
