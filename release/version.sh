#!/usr/bin/env bash
# Prints the release's version: the workspace's, which every crate, wheel and npm package
# carries (release/set-version.sh changes them all at once).
set -euo pipefail
sed -n 's/^version = "\(.*\)"/\1/p' "$(dirname "$0")/../Cargo.toml" | head -1
