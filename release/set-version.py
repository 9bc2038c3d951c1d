#!/usr/bin/env python3
"""One version for every package of a release: the workspace's crates, the npm packages and
the Python packages.

  release/set-version.py VERSION          writes VERSION into every manifest below (and into
                                          Cargo.lock), and opens a `## [VERSION] - date`
                                          section under each crate changelog's Unreleased one
  release/set-version.py --check [VERSION]
                                          exits 1, naming each, when a manifest does not carry
                                          VERSION (by default the workspace's); CI runs it, and
                                          the release workflow with the tag's version

The mock's wheel takes its version from Cargo.toml (maturin, release/wheel.py) and the npm
platform packages theirs from release/npm-packages.mjs, so neither is listed here. A Python
package carries the PEP 440 spelling (1.0.0rc1 for 1.0.0-rc.1).
"""

from __future__ import annotations

import datetime
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "release"))
from wheel import python_version

CRATE_CHANGELOGS = ["sdk", "openapi", "mock-server", "cli"]
# The workspace's version, and the version each workspace crate is required at.
CARGO_PATTERNS = {
    "workspace.package": re.compile(r'(?m)(^\[workspace\.package\]\n(?:[^\[\n].*\n)*?version = ")([^"]*)(")'),
    **{
        f"workspace.dependencies.{name}": re.compile(
            rf'(?m)(^{name} = \{{ path = "[^"]*", version = ")([^"]*)(")'
        )
        for name in ("nixbuild", "nixbuild-mock", "nixbuild-openapi")
    },
}
PYPROJECT_PATTERN = re.compile(r'(?m)(^\[project\]\n(?:[^\[\n].*\n)*?version = ")([^"]*)(")')
NPM_MANIFESTS = ["npm/nixbuild-mock/package.json", "clients/typescript/package.json"]
NPM_LOCKS = ["clients/typescript/package-lock.json"]
PYPROJECTS = ["clients/python/pyproject.toml"]
VERSION_SHAPE = re.compile(r"\d+\.\d+\.\d+(-(alpha|beta|rc)\.\d+)?")


def versions() -> dict[str, str]:
    """What each manifest says now, by `file: where`."""
    found = {}
    cargo = (ROOT / "Cargo.toml").read_text()
    for label, pattern in CARGO_PATTERNS.items():
        match = pattern.search(cargo)
        found[f"Cargo.toml: {label}"] = match.group(2) if match else "(missing)"
    for path in NPM_MANIFESTS:
        found[path] = json.loads((ROOT / path).read_text())["version"]
    for path in NPM_LOCKS:
        lock = json.loads((ROOT / path).read_text())
        found[path] = lock["version"]
        found[f'{path}: packages[""]'] = lock["packages"][""]["version"]
    for path in PYPROJECTS:
        match = PYPROJECT_PATTERN.search((ROOT / path).read_text())
        found[path] = match.group(2) if match else "(missing)"
    return found


def expected(where: str, version: str) -> str:
    return python_version(version) if where in PYPROJECTS else version


def check(version: str) -> None:
    wrong = {where: found for where, found in versions().items() if found != expected(where, version)}
    if wrong:
        lines = "\n  ".join(f"{where}: {found}" for where, found in wrong.items())
        sys.exit(f"not at version {version} (release/set-version.py {version} writes them all):\n  {lines}")
    print(f"every package is at version {version}")


def write(version: str) -> None:
    path = ROOT / "Cargo.toml"
    text = path.read_text()
    for label, pattern in CARGO_PATTERNS.items():
        text, count = pattern.subn(lambda m: m.group(1) + version + m.group(3), text, count=1)
        if count != 1:
            sys.exit(f"set-version.py: Cargo.toml has no line for {label}")
    path.write_text(text)
    for name in NPM_MANIFESTS + NPM_LOCKS:
        path = ROOT / name
        manifest = json.loads(path.read_text())
        manifest["version"] = version
        if "packages" in manifest:
            manifest["packages"][""]["version"] = version
        path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    for name in PYPROJECTS:
        path = ROOT / name
        path.write_text(
            PYPROJECT_PATTERN.sub(
                lambda m: m.group(1) + python_version(version) + m.group(3), path.read_text(), count=1
            )
        )
    today = datetime.date.today().isoformat()
    for folder in CRATE_CHANGELOGS:
        path = ROOT / folder / "CHANGELOG.md"
        text = path.read_text()
        if f"## [{version}]" not in text:
            text = text.replace("## [Unreleased]\n", f"## [Unreleased]\n\n## [{version}] - {today}\n", 1)
            path.write_text(text)
    # Cargo.lock records the workspace's own versions too.
    subprocess.run(["cargo", "update", "--workspace", "--offline", "--quiet"], cwd=ROOT, check=True)
    check(version)


def main(argv: list[str]) -> None:
    match argv:
        case ["--check"]:
            check(
                subprocess.run(
                    [str(ROOT / "release" / "version.sh")], check=True, capture_output=True, text=True
                ).stdout.strip()
            )
        case ["--check", version] | [version] if not VERSION_SHAPE.fullmatch(version):
            sys.exit(f"set-version.py: {version!r} is not X.Y.Z or X.Y.Z-(alpha|beta|rc).N")
        case ["--check", version]:
            check(version)
        case [version] if not version.startswith("-"):
            write(version)
        case _:
            sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
