#!/usr/bin/env python3
"""Reads release/targets.json, the release's one table of targets.

usage:
  release/targets.py matrix            the table as the release workflow's build matrix (JSON)
  release/targets.py get TRIPLE KEY    one field of one target (KEY: runner, zig, glibc_floor,
                                       wheel_platform, archive, npm.package, …); empty for null
  release/targets.py archive TRIPLE VERSION
                                       the name of that target's archive
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

TABLE = Path(__file__).resolve().parent / "targets.json"


def targets() -> list[dict]:
    return json.loads(TABLE.read_text())["targets"]


def target(triple: str) -> dict:
    for entry in targets():
        if entry["triple"] == triple:
            return entry
    known = ", ".join(entry["triple"] for entry in targets())
    raise SystemExit(f"targets.py: {triple!r} is not in release/targets.json ({known})")


def field(entry: dict, key: str):
    value = entry
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            raise SystemExit(f"targets.py: a target has no field {key!r}")
        value = value[part]
    return value


def archive_name(triple: str, version: str) -> str:
    """What the release calls a target's archive, and what cargo-binstall's metadata asks for."""
    return f"nixbuild-{version}-{triple}.{target(triple)['archive']}"


def main(argv: list[str]) -> None:
    match argv:
        case ["matrix"]:
            print(json.dumps(targets(), separators=(",", ":")))
        case ["get", triple, key]:
            value = field(target(triple), key)
            print("" if value is None else value)
        case ["archive", triple, version]:
            print(archive_name(triple, version))
        case _:
            raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
