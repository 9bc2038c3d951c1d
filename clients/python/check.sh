#!/usr/bin/env bash
# nixbuild-client as a Python user gets it: the generated layer must be what
# openapi-python-client makes of openapi/openapi.json; the client's wheel and the
# nixbuild-mock wheel (mock-server/python/check.sh builds it) are installed into a fresh
# venv, where pytest runs the suite through the mock's fixture and mypy --strict checks it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tools="$here/.tools"
work="$here/.work"

step() { printf '\n--> %s\n' "$*"; }

step "the pinned generator"
"$root/.ci/pinned-venv" "$tools" "$here/requirements-tools.txt"
rm -rf "$work" && mkdir -p "$work"

step "nixbuild_client/generated is what openapi-python-client makes of openapi/openapi.json"
"$tools/bin/openapi-python-client" generate --path "$root/openapi/openapi.json" --config "$here/generate.yaml" \
  --meta none --output-path "$work/generated" --fail-on-warning >/dev/null
diff -r "$here/nixbuild_client/generated" "$work/generated" -x __pycache__ ||
  { echo "nixbuild_client/generated is stale: run clients/python/generate.sh" >&2; exit 1; }

step "ruff: the hand-written code is formatted and clean"
(cd "$here" && "$tools/bin/ruff" format --check . && "$tools/bin/ruff" check .)

step "the wheels: nixbuild-client, and nixbuild-mock's"
"$tools/bin/pip" wheel --quiet --disable-pip-version-check --no-deps --wheel-dir "$work/wheels" "$here"
mock_wheel=$(ls "$root"/mock-server/python/.work/wheels/nixbuild_mock-*.whl 2>/dev/null | head -1 || true)
[ -n "$mock_wheel" ] || { bash "$root/mock-server/python/check.sh" >/dev/null; mock_wheel=$(ls "$root"/mock-server/python/.work/wheels/nixbuild_mock-*.whl); }

step "a fresh venv with both wheels"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "$work"/wheels/nixbuild_client-*.whl "$mock_wheel" \
  -r "$here/requirements-test.txt"

step "pytest through the mock's fixture"
# From the work folder, with no path to the sources: the suite sees only what was installed.
cp -r "$here/tests" "$work/tests"
(cd "$work" && env -u NIXBUILD_MOCK_BIN "$work/venv/bin/python" -m pytest -p no:cacheprovider -q tests)

step "mypy --strict on the suite"
(cd "$work" && "$work/venv/bin/mypy" --strict --no-incremental tests)

step "mypy --strict on the READMEs' Python test examples, as written"
python3 "$root/release/readme_examples.py" "$work/readme" "$root/README.md" "$root/mock-server/python/README.md" \
  "$root/clients/python/README.md" >/dev/null
(cd "$work/readme" && "$work/venv/bin/mypy" --strict --no-incremental ./*.py)

step "mypy --strict refuses a status typo before any test runs, in the client and the mock"
mkdir -p "$work/typos"
cat > "$work/typos/client_typo.py" <<'PY'
from nixbuild_client import Nixbuild

def failed(nixbuild: Nixbuild) -> int:
    return len(nixbuild.list_builds(statuses=["failed"]))
PY
cat > "$work/typos/mock_typo.py" <<'PY'
from nixbuild_mock import NixbuildMock

def added(mock: NixbuildMock) -> int:
    mock.add_build("future-1.0", "quarantined", allow_unknown_status=True)  # on purpose: fine
    return mock.add_build("zlib-1.3", "biult")
PY
# Each file must be refused for its typo (the line and what mypy says of it), nothing else.
for typo in "client_typo.py:4: error: List item 0 has incompatible type \"Literal['failed']\"" \
  'mock_typo.py:5: error: No overload variant of "add_build"'; do
  file=${typo%%:*}
  if said=$(cd "$work/typos" && "$work/venv/bin/mypy" --strict --no-incremental "$file"); then
    echo "mypy took the typo in $file" >&2; exit 1
  fi
  grep -qF "$typo" <<<"$said" || { echo "mypy refused $file for another reason: $said" >&2; exit 1; }
  echo "refused: $typo"
done
