#!/usr/bin/env bash
# Packs the npm packages as a user gets them: the nixbuild-mock binary built from this
# workspace and copied into its platform package, then `npm pack` of that package and of
# the main one, into npm/.work/packs. usage: npm/pack.sh [--release]
# (A debug build by default: it shares what `cargo test` compiled. A release to publish.)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
packs="$here/.work/packs"
platform="$here/nixbuild-mock-linux-x64-gnu"

profile=()
[ "${1:-}" = "--release" ] && profile=(--release)
binary=$("$root/.ci/built-binary" nixbuild-mock nixbuild-mock --features cli "${profile[@]}")
mkdir -p "$platform/bin"
cp "$binary" "$platform/bin/nixbuild-mock"
chmod 755 "$platform/bin/nixbuild-mock"

# The packages carry the workspace's version, and the main one requires exactly its
# platform package's: a mismatch would install a binary of another release.
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -1)
for package in "$here/nixbuild-mock" "$platform"; do
  grep -q "\"version\": \"$version\"" "$package/package.json" ||
    { echo "$package/package.json is not at the workspace's version $version" >&2; exit 1; }
done
grep -q "\"nixbuild-mock-linux-x64-gnu\": \"$version\"" "$here/nixbuild-mock/package.json" ||
  { echo "nixbuild-mock does not require its platform package at $version" >&2; exit 1; }

rm -rf "$packs" && mkdir -p "$packs"
for package in "$here/nixbuild-mock" "$platform"; do
  (cd "$package" && npm pack --silent --pack-destination "$packs" >/dev/null)
done
ls "$packs"
