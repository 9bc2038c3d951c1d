#!/usr/bin/env python3
"""Packs an already built nixbuild-mock binary into the mock's Python wheel for one platform.

A release builds each target's binary once and ships those same bytes in the archive, the npm
platform package and the wheel. maturin (which `pip install ./mock-server` uses) can only
package a binary it compiles itself, so this writes the same `bin` wheel maturin would from
the binary the release built: the `nixbuild_mock` package from mock-server/python, the
binary as the wheel's script `nixbuild-mock`, and the metadata read from
mock-server/pyproject.toml (PEP 427 layout, PEP 621 fields, PEP 639 licence).

usage: release/wheel.py --binary PATH --version X.Y.Z --platform-tag TAG --out DIR
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import re
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "mock-server" / "pyproject.toml"
# A zip entry's time is fixed, so one binary gives one wheel, byte for byte.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def python_version(cargo_version: str) -> str:
    """A Cargo (SemVer) version as PEP 440 writes it: 1.2.0-rc.1 is 1.2.0rc1."""
    match = re.fullmatch(r"(\d+\.\d+\.\d+)(?:-(alpha|beta|rc)\.(\d+))?", cargo_version)
    if not match:
        raise SystemExit(f"wheel.py: {cargo_version!r} is not X.Y.Z or X.Y.Z-(alpha|beta|rc).N")
    release, stage, number = match.groups()
    return release + ({"alpha": "a", "beta": "b", "rc": "rc"}[stage] + number if stage else "")


def metadata(project: dict, version: str, readme: str) -> str:
    if not isinstance(project.get("license"), str):
        raise SystemExit("wheel.py: pyproject.toml's license must be an SPDX expression (PEP 639)")
    lines = [
        "Metadata-Version: 2.4",
        f"Name: {project['name']}",
        f"Version: {version}",
        f"Summary: {project['description']}",
        f"Keywords: {','.join(project.get('keywords', []))}",
        f"Requires-Python: {project['requires-python']}",
        f"License-Expression: {project['license']}",
    ]
    lines += [f"Classifier: {classifier}" for classifier in project.get("classifiers", [])]
    lines += [f"Project-URL: {name}, {url}" for name, url in project.get("urls", {}).items()]
    lines += [f"Requires-Dist: {requirement}" for requirement in project.get("dependencies", [])]
    lines += ["Description-Content-Type: text/markdown", "", readme]
    return "\n".join(lines)


def entry_points(project: dict) -> str:
    groups = project.get("entry-points", {})
    return "".join(
        f"[{group}]\n" + "".join(f"{name} = {target}\n" for name, target in entries.items()) + "\n"
        for group, entries in groups.items()
    )


def wheel_file(platform_tag: str) -> str:
    # A compound tag (manylinux_2_17_x86_64.manylinux2014_x86_64) is one Tag line per part.
    tags = "".join(f"Tag: py3-none-{tag}\n" for tag in platform_tag.split("."))
    return f"Wheel-Version: 1.0\nGenerator: nixbuild-rs release/wheel.py\nRoot-Is-Purelib: false\n{tags}"


def record_line(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def build(binary: Path, cargo_version: str, platform_tag: str, out: Path) -> Path:
    pyproject = tomllib.loads(PYPROJECT.read_text())
    project = pyproject["project"]
    maturin = pyproject["tool"]["maturin"]
    module = maturin["module-name"]
    source = PYPROJECT.parent / maturin["python-source"] / module
    version = python_version(cargo_version)
    distribution = project["name"].replace("-", "_")
    dist_info = f"{distribution}-{version}.dist-info"
    script = project["name"] + (".exe" if binary.suffix == ".exe" else "")

    files: list[tuple[str, bytes, int]] = []  # (path in the wheel, contents, unix mode)
    for path in sorted(source.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix in (".py", ".typed"):
            files.append((f"{module}/{path.relative_to(source).as_posix()}", path.read_bytes(), 0o644))
    files.append((f"{distribution}-{version}.data/scripts/{script}", binary.read_bytes(), 0o755))
    readme = (PYPROJECT.parent / project["readme"]).read_text()
    files.append((f"{dist_info}/METADATA", metadata(project, version, readme).encode(), 0o644))
    files.append((f"{dist_info}/WHEEL", wheel_file(platform_tag).encode(), 0o644))
    files.append((f"{dist_info}/entry_points.txt", entry_points(project).encode(), 0o644))
    record = "\n".join([record_line(path, data) for path, data, _ in files] + [f"{dist_info}/RECORD,,"])
    files.append((f"{dist_info}/RECORD", (record + "\n").encode(), 0o644))

    out.mkdir(parents=True, exist_ok=True)
    wheel = out / f"{distribution}-{version}-py3-none-{platform_tag}.whl"
    with zipfile.ZipFile(wheel, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, data, mode in files:
            info = zipfile.ZipInfo(path, date_time=ZIP_TIME)
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return wheel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", type=Path, required=True)
    parser.add_argument("--version", required=True, help="the workspace's Cargo version")
    parser.add_argument("--platform-tag", required=True, help="release/targets.json's wheel_platform")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if not args.binary.is_file():
        sys.exit(f"wheel.py: no binary at {args.binary}")
    print(build(args.binary, args.version, args.platform_tag, args.out))


if __name__ == "__main__":
    main()
