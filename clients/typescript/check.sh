#!/usr/bin/env bash
# nixbuild-client as a TypeScript user gets it: the types regenerated from
# openapi/openapi.json must be the committed ones; the package is built and packed, then
# installed from its tarball, beside the packed nixbuild-mock (npm/pack.sh), into a fresh
# project, where tsc checks a consumer and a node:test suite runs against the mock.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$here/.work"
project="$work/project"

step() { printf '\n--> %s\n' "$*"; }

step "the pinned tools (typescript, openapi-typescript) and openapi-fetch"
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

step "prettier: the wrapper and the tests are formatted (.prettierrc.json; schema.ts is generated)"
(cd "$root" && npx --yes prettier@3.10.1 --check "clients/typescript/**/*.{ts,mjs,json}")

step "src/schema.ts is what openapi-typescript makes of openapi/openapi.json"
rm -rf "$work" && mkdir -p "$work"
(cd "$here" && node_modules/.bin/openapi-typescript "$root/openapi/openapi.json" --output "$work/schema.ts" >/dev/null)
diff -u "$here/src/schema.ts" "$work/schema.ts" ||
  { echo "src/schema.ts is stale: run \`npm run generate\` in clients/typescript" >&2; exit 1; }
(cd "$here" && node scripts/shapes.mjs "$root/openapi/openapi.json" "$work/shapes.ts")
diff -u "$here/src/shapes.ts" "$work/shapes.ts" ||
  { echo "src/shapes.ts is stale: run \`npm run generate\` in clients/typescript" >&2; exit 1; }

step "npm pack (tsc builds dist/ on prepack)"
(cd "$here" && npm pack --silent --pack-destination "$work" >/dev/null)
[ -d "$root/npm/.work/packs" ] || bash "$root/npm/pack.sh"

step "a fresh project with the packed client and mock"
mkdir -p "$project"
cp "$here"/tests/* "$project/"
# Its locked tools first (npm ci), then the packed packages.
(cd "$project" && npm ci --no-audit --no-fund --loglevel=error &&
  npm install --no-save --no-audit --no-fund --loglevel=error "$work"/nixbuild-client-*.tgz \
    "$root"/npm/.work/packs/*.tgz)

step "tsc: a consumer type-checks, and what must not compile does not"
(cd "$project" && node_modules/.bin/tsc --noEmit --strict --module nodenext --moduleResolution nodenext \
  --target es2022 --types node typecheck.ts)

step "node:test against the mock"
(cd "$project" && node --test client.test.mjs)
