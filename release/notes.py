#!/usr/bin/env python3
"""Prints a release's notes: each published crate's CHANGELOG.md section for VERSION, under
the crate's name (the npm and Python packages ship the same release and are named in
the mock's and the clients' sections).

usage: release/notes.py VERSION
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CRATES = {
    "sdk": "nixbuild",
    "openapi": "nixbuild-openapi",
    "mock-server": "nixbuild-mock",
    "cli": "nixbuild-cli",
}


def section(changelog: str, version: str) -> str | None:
    """The text under `## [VERSION]` up to the next `## ` heading, or None."""
    match = re.search(
        rf"^## \[{re.escape(version)}\][^\n]*\n(.*?)(?=^## |\Z)", changelog, re.MULTILINE | re.DOTALL
    )
    return match.group(1).strip() if match else None


def main(version: str) -> None:
    parts = []
    for folder, crate in CRATES.items():
        text = section((ROOT / folder / "CHANGELOG.md").read_text(), version)
        if text is None:
            sys.exit(f"notes.py: {folder}/CHANGELOG.md has no section for {version}")
        parts.append(f"## {crate}\n\n{text}")
    print("\n\n".join(parts))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
