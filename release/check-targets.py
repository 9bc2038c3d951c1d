#!/usr/bin/env python3
"""Checks that everything naming a release target agrees with release/targets.json:

- the table itself: one row per triple, npm package and platform key, and each row's zig
  target, glibc floor, wheel tag and archive kind fit its operating system and C library;
- the release workflow: its build matrix is the table (the plan job prints
  `release/targets.py matrix`, the build job runs on `matrix.runner`), on runners GitHub has;
- the npm packages: written by release/npm-packages.mjs for every target, each platform
  package's os/cpu/libc is its row's, the main package's optionalDependencies are every
  platform package at the release's version, and its binary resolver (binary.js, run in node)
  picks each row's package for that row's platform;
- cargo-binstall's metadata in nixbuild-cli's and nixbuild-mock's Cargo.toml: its URL and
  binary path render, for every target, to the archive release/build-target.sh writes.

usage: release/check-targets.py
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from targets import archive_name, targets

# GitHub-hosted runner labels a release may run on (docs: "GitHub-hosted runners").
GITHUB_RUNNERS = {
    "ubuntu-24.04",
    "ubuntu-22.04",
    "ubuntu-24.04-arm",
    "ubuntu-22.04-arm",
    "macos-15",
    "macos-14",
    "macos-15-intel",
    "macos-26",
    "windows-2025",
    "windows-2022",
    "windows-11-arm",
}
WHEEL_PLATFORM = {  # (npm os, npm libc) → what the wheel's platform tag must look like
    ("linux", "glibc"): r"manylinux_2_(\d+)_(x86_64|aarch64)\.manylinux2014_\2",
    ("linux", "musl"): r"musllinux_1_\d+_(x86_64|aarch64)",
    ("darwin", None): r"macosx_\d+_\d+_(x86_64|arm64)",
    ("win32", None): r"win_amd64|win_arm64",
}

problems: list[str] = []


def expect(condition: bool, problem: str) -> None:
    if not condition:
        problems.append(problem)


def platform_key(npm: dict) -> str:
    libc = {"glibc": "gnu", "musl": "musl"}.get(npm["libc"] or "", "")
    return "-".join(part for part in (npm["os"], npm["cpu"], libc) if part)


def check_table(rows: list[dict]) -> None:
    for key in ("triple", "npm.package", "platform key"):
        values = [
            row["triple"]
            if key == "triple"
            else row["npm"]["package"]
            if key == "npm.package"
            else platform_key(row["npm"])
            for row in rows
        ]
        expect(len(values) == len(set(values)), f"targets.json: a {key} appears twice: {values}")
    for row in rows:
        name, npm = row["triple"], row["npm"]
        expect(
            npm["package"] == f"nixbuild-mock-{platform_key(npm)}",
            f"{name}: its npm package should be nixbuild-mock-{platform_key(npm)}",
        )
        expect(row["runner"] in GITHUB_RUNNERS, f"{name}: runner {row['runner']} is not a GitHub-hosted one")
        pattern = WHEEL_PLATFORM.get((npm["os"], npm["libc"]))
        expect(
            pattern is not None and re.fullmatch(pattern, row["wheel_platform"]) is not None,
            f"{name}: wheel tag {row['wheel_platform']} does not fit {npm['os']}/{npm['libc']}",
        )
        wheel_arch = {"x64": ("x86_64", "amd64"), "arm64": ("aarch64", "arm64")}.get(npm["cpu"], ())
        expect(
            row["wheel_platform"].endswith(wheel_arch)
            and name.startswith(("x86_64", "aarch64")[npm["cpu"] == "arm64"]),
            f"{name}: its triple, npm cpu {npm['cpu']} and wheel tag {row['wheel_platform']} name different machines",
        )
        expect(
            row["archive"] == ("zip" if npm["os"] == "win32" else "tar.gz"),
            f"{name}: a {npm['os']} archive should be a {'zip' if npm['os'] == 'win32' else 'tar.gz'}",
        )
        linux = npm["os"] == "linux"
        expect(bool(row["zig"]) == linux, f"{name}: zig links the Linux targets, and only them")
        if npm["libc"] == "glibc":
            floor = row["glibc_floor"]
            expect(row["zig"] == f"{name}.{floor}", f"{name}: zig should link against glibc {floor}")
            match = re.match(r"manylinux_2_(\d+)_", row["wheel_platform"])
            expect(
                match is not None and f"2.{match.group(1)}" == floor,
                f"{name}: the wheel's manylinux tag should promise glibc {floor}",
            )
        else:
            expect(row["glibc_floor"] is None, f"{name}: only a glibc target has a glibc floor")
            expect(not linux or row["zig"] == name, f"{name}: zig's target should be the triple")


def check_workflow() -> None:
    text = (ROOT / ".github" / "workflows" / "release.yml").read_text()
    expect(
        "release/targets.py matrix" in text, "release.yml: the plan job must print release/targets.py matrix"
    )
    expect(
        re.search(r"include:\s*\$\{\{\s*fromJSON\(needs\.plan\.outputs\.targets\)\s*\}\}", text) is not None,
        "release.yml: the build matrix must include fromJSON(needs.plan.outputs.targets)",
    )
    expect(
        re.search(r"runs-on:\s*\$\{\{\s*matrix\.runner\s*\}\}", text) is not None,
        "release.yml: the build job must run on matrix.runner",
    )
    expect(
        "release/build-target.sh" in text, "release.yml: each target must be built by release/build-target.sh"
    )
    for key in sorted(set(re.findall(r"matrix\.(\w+)", text))):
        expect(
            all(key in row for row in targets()), f"release.yml: matrix.{key} is not a column of the table"
        )


def check_npm(rows: list[dict], version: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        scratch_path = Path(scratch)
        for row in rows:
            folder = scratch_path / "binaries" / row["triple"]
            folder.mkdir(parents=True)
            exe = ".exe" if row["npm"]["os"] == "win32" else ""
            (folder / f"nixbuild-mock{exe}").write_bytes(b"a stand-in binary")
        written = subprocess.run(
            [
                "node",
                str(HERE / "npm-packages.mjs"),
                "--version",
                version,
                "--binaries",
                str(scratch_path / "binaries"),
                "--out",
                str(scratch_path / "packages"),
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        main = json.loads((Path(written[-1]) / "package.json").read_text())
        expect(
            main["optionalDependencies"] == {row["npm"]["package"]: version for row in rows},
            f"nixbuild-mock's optionalDependencies are not every platform package at {version}",
        )
        for row in rows:
            npm = row["npm"]
            manifest = json.loads((scratch_path / "packages" / npm["package"] / "package.json").read_text())
            expected = {
                "os": [npm["os"]],
                "cpu": [npm["cpu"]],
                "libc": [npm["libc"]] if npm["libc"] else None,
            }
            actual = {key: manifest.get(key) for key in expected}
            expect(
                actual == expected and manifest["version"] == version,
                f"{npm['package']}: os/cpu/libc/version {actual}, {manifest['version']} are not the table's",
            )
        # The resolver as a user's node runs it, asked about every row's platform.
        probe = (
            "import { platformKey, platformPackage } from './binary.js';\n"
            "const rows = JSON.parse(process.argv[2]);\n"
            "console.log(JSON.stringify(rows.map(([os, cpu, libc]) =>"
            " platformPackage(platformKey(os, cpu, libc))?.package ?? null)));\n"
        )
        (Path(written[-1]) / "probe.mjs").write_text(probe)
        libc = {"glibc": "gnu", "musl": "musl", None: ""}
        asked = [[row["npm"]["os"], row["npm"]["cpu"], libc[row["npm"]["libc"]]] for row in rows]
        picked = json.loads(
            subprocess.run(
                ["node", "probe.mjs", json.dumps(asked)],
                cwd=written[-1],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        for row, package in zip(rows, picked):
            expect(
                package == row["npm"]["package"],
                f"binary.js picks {package} for {row['triple']}, not {row['npm']['package']}",
            )


def render(template: str, values: dict) -> str:
    return re.sub(r"\{ (\S+) \}", lambda match: values[match.group(1)], template)


def check_binstall(rows: list[dict], version: str) -> None:
    workspace = tomllib.loads((ROOT / "Cargo.toml").read_text())["workspace"]["package"]
    for crate, binary in (("cli", "nixbuild"), ("mock-server", "nixbuild-mock")):
        manifest = tomllib.loads((ROOT / crate / "Cargo.toml").read_text())
        meta = manifest["package"]["metadata"]["binstall"]
        for row in rows:
            windows = row["npm"]["os"] == "win32"
            merged = {**meta, **meta.get("overrides", {}).get(row["triple"], {})}
            values = {
                "repo": workspace["repository"],
                "version": version,
                "target": row["triple"],
                "bin": binary,
                "binary-ext": ".exe" if windows else "",
                "name": manifest["package"]["name"],
            }
            archive = archive_name(row["triple"], version)
            expected_url = f"{workspace['repository']}/releases/download/v{version}/{archive}"
            expect(
                render(merged["pkg-url"], values) == expected_url,
                f"{crate}/Cargo.toml: binstall's URL for {row['triple']} is not {expected_url}",
            )
            folder = archive.removesuffix("." + row["archive"])
            expect(
                render(merged["bin-dir"], values) == f"{folder}/{binary}{values['binary-ext']}",
                f"{crate}/Cargo.toml: binstall's bin-dir for {row['triple']} is not where archive.py puts it",
            )
            expect(
                merged["pkg-fmt"] == ("zip" if windows else "tgz"),
                f"{crate}/Cargo.toml: binstall's pkg-fmt for {row['triple']} does not match its archive",
            )


def main() -> None:
    rows = targets()
    version = subprocess.run(
        [str(HERE / "version.sh")], check=True, capture_output=True, text=True
    ).stdout.strip()
    check_table(rows)
    check_workflow()
    check_npm(rows, version)
    check_binstall(rows, version)
    if problems:
        sys.exit("release targets disagree:\n  " + "\n  ".join(problems))
    print(
        f"{len(rows)} targets: the table, the workflow's matrix, the npm packages, binary.js and "
        "cargo-binstall's metadata agree"
    )


if __name__ == "__main__":
    main()
