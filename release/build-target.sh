#!/usr/bin/env bash
# Builds the `nixbuild` and `nixbuild-mock` binaries for one target of release/targets.json,
# once, and packages those same bytes: the archive (with cargo-binstall's layout) and the
# mock's wheel. The release workflow runs it on each target's runner; release/build.sh runs it
# here for this machine's. Linux targets link with zig (cargo-zigbuild) against the table's
# glibc floor, which is then read back from the binaries and enforced.
#
# usage: release/build-target.sh TRIPLE OUT
#   RELEASE_PROFILE=dev builds with cargo's dev profile instead of release: CI's rehearsal does,
#   since what it checks is the packaging and the installs (from clean, the release build took
#   280 s on CI's 2-core machine, the dev build 166 s); the workflow always builds release.
# writes OUT/binaries/TRIPLE/{nixbuild,nixbuild-mock}[.exe], OUT/archives/nixbuild-VERSION-TRIPLE.*,
#        OUT/wheels/nixbuild_mock-VERSION-py3-none-PLATFORM.whl
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
python=${PYTHON:-python3}
triple=${1:?usage: release/build-target.sh TRIPLE OUT}
out=${2:?usage: release/build-target.sh TRIPLE OUT}
mkdir -p "$out" && out="$(cd "$out" && pwd)"

get() { "$python" "$here/targets.py" get "$triple" "$1"; }
version=$("$here/version.sh")
zig=$(get zig)
glibc_floor=$(get glibc_floor)
wheel_platform=$(get wheel_platform)
exe=$([ "$(get npm.os)" = win32 ] && echo .exe || true)

# macOS: the oldest release the wheel's tag promises (macosx_11_0_arm64: 11.0).
if [[ $wheel_platform =~ ^macosx_([0-9]+)_([0-9]+)_ ]]; then
  export MACOSX_DEPLOYMENT_TARGET="${BASH_REMATCH[1]}.${BASH_REMATCH[2]}"
fi

# One cargo invocation for both binaries: their dependencies are built once. The release
# target directory is kept apart from the workspace's debug one (rm -rf target/dist drops it).
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target/dist}
profile=${RELEASE_PROFILE:-release}
# cargo's folder for each profile: the dev profile's is debug.
case $profile in
  release) profile_dir=release ;;
  dev) profile_dir=debug ;;
  *) echo "RELEASE_PROFILE is release or dev, not '$profile'" >&2; exit 2 ;;
esac
build=(--profile "$profile" --locked -p nixbuild-cli -p nixbuild-mock --features nixbuild-mock/cli
  --bin nixbuild --bin nixbuild-mock)
started=$SECONDS
if [ -n "$zig" ]; then
  (cd "$root" && cargo zigbuild "${build[@]}" --target "$zig")
else
  (cd "$root" && cargo build "${build[@]}" --target "$triple")
fi
echo "built $triple ($profile profile) in $((SECONDS - started)) s"

binaries="$out/binaries/$triple"
mkdir -p "$binaries"
for bin in nixbuild nixbuild-mock; do
  cp "$CARGO_TARGET_DIR/$triple/$profile_dir/$bin$exe" "$binaries/"
done

if [ -n "$glibc_floor" ]; then
  for bin in nixbuild nixbuild-mock; do
    # The newest versioned glibc symbol a binary needs is the oldest glibc it runs on.
    needs=$(objdump -T "$binaries/$bin" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)
    echo "$bin needs glibc $needs (floor $glibc_floor): highest symbol GLIBC_$needs"
    if [ "$(printf '%s\n%s\n' "$needs" "$glibc_floor" | sort -V | tail -1)" != "$glibc_floor" ]; then
      echo "$bin needs glibc $needs, newer than the floor $glibc_floor of release/targets.json" >&2
      exit 1
    fi
  done
fi

mkdir -p "$out/archives"
archive="$out/archives/$("$python" "$here/targets.py" archive "$triple" "$version")"
"$python" "$here/archive.py" "$archive" "$binaries/nixbuild$exe" "$binaries/nixbuild-mock$exe" \
  "$root/README.md"
echo "wrote $archive"

"$python" "$here/wheel.py" --binary "$binaries/nixbuild-mock$exe" --version "$version" \
  --platform-tag "$wheel_platform" --out "$out/wheels"
