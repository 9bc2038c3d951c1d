#!/usr/bin/env bash
# Packs the npm packages as a user gets them, from this workspace's debug build of the
# nixbuild-mock binary (it shares what `cargo test` compiled): release/npm-packages.mjs writes
# the main package and this machine's platform package from release/targets.json, and
# `npm pack` packs each into npm/.work/packs. A release packs every target's release build the
# same way (release/build.sh, .github/workflows/release.yml). usage: npm/pack.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
work="$here/.work"

binary=$("$root/.ci/built-binary" nixbuild-mock nixbuild-mock --features cli)
host=$(rustc -vV | sed -n 's/^host: //p')
rm -rf "$work/binaries" "$work/packages" "$work/packs"
mkdir -p "$work/binaries/$host" "$work/packs"
cp "$binary" "$work/binaries/$host/nixbuild-mock"

version=$("$root/release/version.sh")
node "$root/release/npm-packages.mjs" --version "$version" --binaries "$work/binaries" \
  --out "$work/packages" --available-only |
  while read -r package; do
    (cd "$package" && npm pack --silent --pack-destination "$work/packs" >/dev/null)
  done
ls "$work/packs"
