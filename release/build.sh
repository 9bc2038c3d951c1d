#!/usr/bin/env bash
# Writes into release/dist everything of a release that this machine can build: its target's
# binaries (Linux x86_64, glibc 2.17, by release/build-target.sh), their archive and the mock's
# wheel, SHA256SUMS, every npm package (the mock's main and platform packages from
# release/targets.json, and nixbuild-client), the Python client's wheel and sdist, and the
# crate packages. The release workflow makes the same files on each target's runner.
# usage: release/build.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
dist="$here/dist"
tools="$here/.tools"

step() { printf '\n--> %s\n' "$*"; }

"$root/.ci/pinned-venv" "$tools" "$here/requirements-tools.txt"
export PATH="$tools/bin:$PATH"
version=$("$here/version.sh")
host=$(rustc -vV | sed -n 's/^host: //p')
rm -rf "$dist" && mkdir -p "$dist"

step "the binaries for $host, once: archive and wheel from them"
"$here/build-target.sh" "$host" "$dist"
(cd "$dist/archives" && sha256sum -- * > SHA256SUMS && cat SHA256SUMS)

step "npm: the mock's packages from the target table, and nixbuild-client"
# A Python user building the wheels from a clone may have no Node.js: the npm packages are
# then left out, and said so. A rehearsal (CI) has it, and checks they were made.
if command -v node >/dev/null && command -v npm >/dev/null; then
  mkdir -p "$dist/npm"
  node "$here/npm-packages.mjs" --version "$version" --binaries "$dist/binaries" \
    --out "$dist/npm-packages" --available-only |
    while read -r package; do
      (cd "$package" && npm pack --silent --pack-destination "$dist/npm" >/dev/null)
    done
  (cd "$root/clients/typescript" && npm ci --no-audit --no-fund --loglevel=error &&
    npm pack --silent --pack-destination "$dist/npm" >/dev/null)
  ls "$dist/npm"
else
  echo "node and npm are not installed: the npm packages are left out (the wheels are built)"
fi

step "Python: the client's wheel and sdist (the mock's wheel came with its binary)"
# Quiet unless it fails: setuptools' warnings about byte-compiling are noise here.
log=$(mktemp)
"$tools/bin/python" -m build --no-isolation --outdir "$dist/wheels" "$root/clients/python" > "$log" 2>&1 ||
  { cat "$log" >&2; exit 1; }
"$tools/bin/twine" check --strict "$dist"/wheels/*
ls "$dist/wheels"

step "the crates, packed (CI's cargo package step builds each from its package)"
CARGO_TARGET_DIR="$root/target/dist" cargo package --quiet --locked --no-verify --allow-dirty \
  --workspace --exclude nixbuild-rs
mkdir -p "$dist/crates"
cp "$root"/target/dist/package/*-"$version".crate "$dist/crates/"
ls "$dist/crates"
