#!/usr/bin/env bash
# The npm packages as a JavaScript user gets them: packed (npm/pack.sh), installed from the
# tarballs into a fresh project beside its test tools from the registry, and exercised there
# by a node:test suite and a vitest suite with globalSetup. Never from the source folders.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
project="$here/.work/project"

step() { printf '\n--> %s\n' "$*"; }

step "prettier: the JavaScript, its declarations and the tests are formatted (.prettierrc.json)"
(cd "$here/.." && npx --yes prettier@3.10.1 --check "npm/**/*.{js,mjs,ts,json}")

step "npm pack: the platform package with the binary, and nixbuild-mock"
bash "$here/pack.sh"

step "a fresh project: its locked test tools (npm ci), then the packed packages"
rm -rf "$project" && mkdir -p "$project"
cp -r "$here/tests/." "$project/"
(cd "$project" && npm ci --no-audit --no-fund --loglevel=error &&
  npm install --no-save --no-audit --no-fund --loglevel=error \
    "$here"/.work/packs/*.tgz)
test -x "$project/node_modules/.bin/nixbuild-mock" || { echo "no nixbuild-mock bin shim" >&2; exit 1; }
"$project/node_modules/.bin/nixbuild-mock" --version

step "node:test"
(cd "$project" && node --test node/)

step "vitest, one mock for the run from globalSetup"
(cd "$project/vitest" && ../node_modules/.bin/vitest run --config vitest.config.mjs)

step "without its platform package (--omit=optional), the error names the platform, the package and NIXBUILD_MOCK_BIN"
bare="$here/.work/bare"
rm -rf "$bare" && mkdir -p "$bare"
echo '{ "name": "nixbuild-mock-bare", "private": true, "type": "module" }' > "$bare/package.json"
(cd "$bare" && npm install --no-audit --no-fund --loglevel=error --omit=optional \
  "$here"/.work/packs/nixbuild-mock-[0-9]*.tgz)
(cd "$bare" && env -u NIXBUILD_MOCK_BIN node --input-type=module -e '
  import { startMock, platformKey } from "nixbuild-mock";
  try {
    await startMock();
    console.error("startMock started a mock with no binary installed");
    process.exit(1);
  } catch (error) {
    const platform = `nixbuild-mock-${platformKey()}`;
    const says = [`(${platformKey()})`, `npm install --save-dev ${platform}@`, "NIXBUILD_MOCK_BIN"];
    if (!says.every((words) => error.message.includes(words))) throw error;
    console.log(`refused as it should be: ${error.message}`);
  }')
