#!/usr/bin/env bash
# The public API of each published library, one item a line (cargo-public-api, on rustdoc's
# JSON, which the stable toolchain writes with RUSTC_BOOTSTRAP=1), committed beside each
# crate as public-api.txt so that every change to the surface shows in review.
#   bash .ci/public-api.sh           rewrites the snapshots
#   bash .ci/public-api.sh --check   fails, showing the difference, when one is stale
set -euo pipefail
cd "$(dirname "$0")/.."
# A debug build of the tool (as .ci/run builds its others): it does seconds of work here.
command -v cargo-public-api >/dev/null || cargo install cargo-public-api --version 0.52.0 --locked --debug

check=false
[ "${1:-}" = "--check" ] && check=true
stale=0
# crate, its folder, the features whose items users can reach
for entry in "nixbuild sdk experimental" "nixbuild-mock mock-server cli,openapi" "nixbuild-openapi openapi -"; do
  read -r crate dir features <<<"$entry"
  args=(-p "$crate" -sss --color never)
  [ "$features" != "-" ] && args+=(--features "$features")
  listing=$(RUSTC_BOOTSTRAP=1 cargo public-api "${args[@]}")
  if $check; then
    if ! diff -u "$dir/public-api.txt" <(printf '%s\n' "$listing"); then
      echo "the public API of $crate changed: run bash .ci/public-api.sh and commit $dir/public-api.txt" >&2
      stale=1
    fi
  else
    printf '%s\n' "$listing" > "$dir/public-api.txt"
    echo "wrote $dir/public-api.txt ($(wc -l < "$dir/public-api.txt") items)"
  fi
done
exit $stale
