#!/usr/bin/env bash
# A release, rehearsed on this machine: release/build.sh writes release/dist, then local
# registries (pypiserver for Python, verdaccio for npm, each on loopback, started and stopped
# here) take the packages as PyPI and npm would, and clean folders install them exactly as
# the READMEs say, from those registries only, and run the READMEs' rehearsed examples
# (release/readme_examples.py). Prints each install's time and the installed binary's glibc
# floor. usage: release/rehearse.sh [--no-build]   (--no-build: release/dist as it is)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
dist="$here/dist"
tools="$here/.tools"
work="$here/.work"
export NPM_CONFIG_UPDATE_NOTIFIER=false

step() { printf '\n--> %s\n' "$*"; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() { # URL NAME LOG
  for _ in $(seq 1 300); do
    curl -fs -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "$2 did not answer $1 in 30 s:" >&2
  tail -20 "$3" >&2
  exit 1
}
timed() { # LABEL COMMAND… : runs it, prints how long it took
  local started=$EPOCHREALTIME
  "${@:2}"
  awk -v label="$1" -v from="$started" -v to="$EPOCHREALTIME" 'BEGIN { printf "%s took %.1f s\n", label, to - from }'
}

[ "${1:-}" = "--no-build" ] || bash "$here/build.sh"
"$root/.ci/pinned-venv" "$tools" "$here/requirements-tools.txt"
version=$("$here/version.sh")
rm -rf "$work" && mkdir -p "$work"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT

step "the README examples the rehearsal runs"
python3 "$here/readme_examples.py" "$work/examples" "$root/README.md" "$root/mock-server/python/README.md" \
  "$root/npm/nixbuild-mock/README.md" "$root/clients/python/README.md" "$root/clients/typescript/README.md"

step "a local Python registry (pypiserver): the release's wheels uploaded, their dependencies mirrored"
mkdir -p "$work/pypi"
# What the client and the examples need from PyPI, fetched once into the registry's folder
# (as a company mirror holds them): the installs below reach no other index.
pip download --quiet --disable-pip-version-check --only-binary=:all: --dest "$work/pypi" \
  -r "$root/mock-server/python/requirements-test.txt"
pypi_port=$(free_port)
"$tools/bin/pypi-server" run --host 127.0.0.1 --port "$pypi_port" --disable-fallback \
  --authenticate . --passwords . "$work/pypi" > "$work/pypiserver.log" 2>&1 &
pids+=($!)
pypi="http://127.0.0.1:$pypi_port"
wait_for "$pypi/simple/" pypiserver "$work/pypiserver.log"
"$tools/bin/twine" upload --disable-progress-bar --non-interactive --repository-url "$pypi/" \
  --username rehearsal --password rehearsal "$dist"/wheels/*

ls "$dist"/npm/nixbuild-mock-[0-9]*.tgz "$dist"/npm/nixbuild-client-*.tgz >/dev/null ||
  { echo "release/build.sh made no npm packages (is node installed?)" >&2; exit 1; }

step "a local npm registry (verdaccio): the release's npm packages published"
(cd "$here/verdaccio" && npm ci --no-audit --no-fund --loglevel=error)
npm_port=$(free_port)
mkdir -p "$work/verdaccio"
"$here/verdaccio/node_modules/.bin/verdaccio" --config "$here/verdaccio/config.yaml" \
  --listen "127.0.0.1:$npm_port" > "$work/verdaccio.log" 2>&1 &
pids+=($!)
registry="http://127.0.0.1:$npm_port/"
wait_for "${registry}-/ping" verdaccio "$work/verdaccio.log"
token=$(curl -fs -X PUT -H 'Content-Type: application/json' \
  -d '{"name": "rehearsal", "password": "rehearsal-only"}' \
  "${registry}-/user/org.couchdb.user:rehearsal" | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
npmrc="$work/publisher.npmrc"
printf '//127.0.0.1:%s/:_authToken=%s\n' "$npm_port" "$token" > "$npmrc"
for tarball in "$dist"/npm/*.tgz; do
  npm publish --userconfig "$npmrc" --registry "$registry" --loglevel=error "$tarball" >/dev/null
  echo "published $(basename "$tarball")"
done

step "Python, as the README says: pip install nixbuild-mock nixbuild-client"
python3 -m venv "$work/python"
export PIP_INDEX_URL="$pypi/simple/" PIP_DISABLE_PIP_VERSION_CHECK=1
# Nothing but that registry: no wheel folder or second index from the environment.
unset PIP_FIND_LINKS PIP_EXTRA_INDEX_URL PIP_NO_INDEX
# Only wheels: a source distribution would mean a compiler, which no user should need.
timed "pip install nixbuild-mock nixbuild-client" \
  env PIP_ONLY_BINARY=:all: "$work/python/bin/pip" install --quiet nixbuild-mock nixbuild-client
"$work/python/bin/pip" install --quiet pytest
"$work/python/bin/pip" list --format=freeze | grep -i '^nixbuild'
binary="$work/python/bin/nixbuild-mock"
"$binary" --version
echo "the installed binary's highest glibc symbol: $(objdump -T "$binary" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)"

step "npm, as the README says: npm install --save-dev nixbuild-mock nixbuild-client"
project="$work/npm"
mkdir -p "$project"
# A project as `npm init -y` makes it (no "type": "module"): the READMEs' examples say to
# save a test as .mjs, and must run as saved there.
(cd "$project" && npm init -y >/dev/null)
echo "registry=$registry" > "$project/.npmrc"
# The environment's npm settings outrank a project's .npmrc: none may name another registry.
unset NPM_CONFIG_REGISTRY npm_config_registry
(cd "$project" && timed "npm install --save-dev nixbuild-mock nixbuild-client" \
  npm install --save-dev --no-audit --no-fund --loglevel=error nixbuild-mock nixbuild-client)
(cd "$project" && npm ls --all | grep nixbuild)
"$project/node_modules/.bin/nixbuild-mock" --version

step "the READMEs' examples, in those clean folders"
mkdir -p "$work/python-tests"
cp "$work"/examples/*.py "$work/python-tests/"
(cd "$work/python-tests" && env -u NIXBUILD_MOCK_BIN "$work/python/bin/python" -m pytest -p no:cacheprovider -q .)
cp "$work"/examples/*.mjs "$project/"
(cd "$project" && env -u NIXBUILD_MOCK_BIN node --test ./*.test.mjs)
echo "rehearsed release $version: every package installed from the local registries and its examples passed"
