#!/usr/bin/env bash
# The dashboard in a real browser: Debian's chromium (installed with apt-get when missing),
# playwright-core and axe-core from the npm registry (locked in package-lock.json) into a
# work folder, and the built nixbuild-mock binary. Screenshots of the views are written to
# mock-server/ui/browser/.work/screenshots (docs/ holds the committed ones).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
work="$here/.work"

if ! command -v chromium >/dev/null; then
  echo "--> chromium: Debian's package (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

echo "--> the test tools, locked (npm ci)"
rm -rf "$work" && mkdir -p "$work/screenshots"
cp "$here/package.json" "$here/package-lock.json" "$here/dashboard.test.mjs" "$work/"
(cd "$work" && npm ci --no-audit --no-fund --loglevel=error)

echo "--> the built binary"
NIXBUILD_MOCK_BIN="$("$root/.ci/built-binary" nixbuild-mock nixbuild-mock --features cli)"
export NIXBUILD_MOCK_BIN
export SCREENSHOTS="$work/screenshots"

echo "--> prettier: the page and these tests are formatted"
(cd "$root" && npx --yes prettier@3.10.1 --check "mock-server/ui/**/*.{js,mjs,css,html}")

echo "--> node:test in chromium"
(cd "$work" && node --test --test-concurrency=1 dashboard.test.mjs)
