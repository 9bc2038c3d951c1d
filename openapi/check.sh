#!/usr/bin/env bash
# Proves openapi.json, and the mock's control API document (mock-server/openapi.json), with
# tools nobody here wrote: a spec validator, a linter, and two client generators whose output
# must work, the Python one against the standalone nixbuild-mock, and a property-based tester
# generating requests from each document against that mock. (mock-server/python/check.sh
# generates a Python client from the control document and drives the mock with it.) Installs its pinned tools on first use into
# openapi/check/.venv and openapi/check/node_modules (both git-ignored).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
check="$here/check"
spec="$here/openapi.json"
control_spec="$here/../mock-server/openapi.json"
seed="$here/../sdk/src/examples/seed-builds.json"
work="$check/.work"

step() { printf '\n--> %s\n' "$*"; }

step "installing the pinned tools"
"$here/../.ci/pinned-venv" "$check/.venv" "$check/requirements.txt"
if [ ! -x "$check/node_modules/.bin/redocly" ] || ! cmp -s "$check/package.json" "$check/node_modules/.package.json"; then
  (cd "$check" && npm install --no-package-lock --no-audit --no-fund --loglevel=error)
  cp "$check/package.json" "$check/node_modules/.package.json"
fi
rm -rf "$work" && mkdir -p "$work"

step "openapi-spec-validator"
"$check/.venv/bin/openapi-spec-validator" "$spec" "$control_spec"

for document in "$spec" "$control_spec"; do
  step "redocly lint $(basename "$(dirname "$document")")/$(basename "$document") (recommended rules, warnings are failures)"
  # Exceptions, each with its reason, are in check/.redocly.lint-ignore.yaml.
  (cd "$check" && NO_UPDATE_NOTIFIER=1 REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
    node_modules/.bin/redocly lint --config redocly.yaml --max-problems 50 "$document" 2>&1 \
    | grep -v -e '^ *║' -e '^ *╔' -e '^ *╚' \
    | tee "$work/redocly.log")
  grep -q "Your API description is valid" "$work/redocly.log"
  if grep -qE "You have [0-9]+ warning" "$work/redocly.log"; then
    echo "redocly reported warnings" >&2
    exit 1
  fi
done

step "openapi-python-client: generate, import, parse the seed builds and a newer status"
"$check/.venv/bin/openapi-python-client" generate --path "$spec" --config "$check/python-client.yaml" \
  --meta none --output-path "$work/nixbuild_client" --fail-on-warning
PYTHONPATH="$work" "$check/.venv/bin/python" "$check/python_client_check.py" "$seed"

step "the generated Python client against the standalone nixbuild-mock"
# Wherever the target directory is (CARGO_TARGET_DIR): cargo names the file it built.
mock_bin=$("$here/../.ci/built-binary" nixbuild-mock nixbuild-mock --features cli)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
start_mock() { # NAME ARGS...: starts a mock, waits for its variables, exports NAME_URL and NAME_TOKEN
  local name=$1; shift
  "$mock_bin" "$@" > "$work/$name.env" 2> "$work/$name.log" &
  pids+=($!)
  for _ in $(seq 100); do grep -q '^export' "$work/$name.env" && break; sleep 0.1; done
  grep -q '^export' "$work/$name.env" || { cat "$work/$name.log" >&2; echo "nixbuild-mock did not start" >&2; exit 1; }
  export "${name}_URL=$(sed -n 's/^NIXBUILD_API_URL=//p' "$work/$name.env")"
  export "${name}_TOKEN=$(sed -n 's/^NIXBUILD_TOKEN=//p' "$work/$name.env")"
  export "${name}_ROOT=$(sed -n 's/^NIXBUILD_MOCK_URL=//p' "$work/$name.env")"
  export "${name}_ADMIN=$(sed -n 's/^NIXBUILD_MOCK_ADMIN_TOKEN=//p' "$work/$name.env")"
}
start_mock SEED
export GEN_COUNT=400
start_mock GEN --generate "$GEN_COUNT" --seed 5
PYTHONPATH="$work" "$check/.venv/bin/python" "$check/python_client_against_mock.py" "$seed"

step "schemathesis: requests generated from the document, every answer checked against it"
# A fixed seed keeps CI reproducible; every check is on (status and schema conformance, no
# 5xx, auth not ignored, bad input refused, good input accepted).
# Run from the work folder: schemathesis keeps a cache in its working directory.
(cd "$work" && "$check/.venv/bin/st" run "$spec" --url "$GEN_URL" -H "Authorization: Bearer $GEN_TOKEN" \
  --checks all --max-examples 60 --seed 20261125 --no-color)

step "schemathesis: the control API, from its own document"
# Every check, schema-valid bodies accepted included: the rules that tie one field to another
# are in the document (openapi/src/body_rules.rs). check/schemathesis-control.toml turns that
# one check off for the four operations whose answer depends on more than one request's
# shape can say, each with its reason. (No --checks here: it would override the file.)
(cd "$work" && "$check/.venv/bin/st" --config-file "$check/schemathesis-control.toml" run "$control_spec" \
  --url "$GEN_ROOT" -H "Authorization: Bearer $GEN_ADMIN" --max-examples 60 --seed 20261126 --no-color)
kill "${pids[@]}" && wait "${pids[@]}" 2>/dev/null || true
pids=()

step "openapi-typescript: generate types; tsc --noEmit on a consumer"
"$check/node_modules/.bin/openapi-typescript" "$spec" --output "$work/nixbuild.ts"
(cd "$check" && node_modules/.bin/tsc --project tsconfig.json)
echo "typescript: usage.ts type-checks against the generated types"

step "openapi check passed"
