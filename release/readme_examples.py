#!/usr/bin/env python3
"""Writes out the README examples that the release rehearsal runs as a user would.

A README marks an example as runnable with a comment on the line before its fence,
`<!-- rehearsed: test_example.py -->`, naming the file it runs as (a test file: pytest runs
the .py ones, node --test the .mjs ones). Every marked block is written into OUT under that
name, so what the rehearsal runs is the README's text, not a copy that can drift from it.

usage: release/readme_examples.py OUT README…
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

MARKER = re.compile(r"^<!-- rehearsed: ([\w.-]+) -->$")


def examples(readme: Path) -> list[tuple[str, str]]:
    lines = readme.read_text().splitlines()
    found = []
    for index, line in enumerate(lines):
        marker = MARKER.match(line.strip())
        if not marker:
            continue
        if index + 1 >= len(lines) or not lines[index + 1].startswith("```"):
            raise SystemExit(f"{readme}:{index + 1}: a rehearsed marker must stand right before a fence")
        end = next((i for i in range(index + 2, len(lines)) if lines[i].startswith("```")), None)
        if end is None:
            raise SystemExit(f"{readme}:{index + 2}: the fence is never closed")
        found.append((marker.group(1), "\n".join(lines[index + 2 : end]) + "\n"))
    return found


def main(out: Path, readmes: list[Path]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    seen: dict[str, Path] = {}
    for readme in readmes:
        for name, code in examples(readme):
            if name in seen:
                raise SystemExit(f"{readme}: the example name {name} is taken by {seen[name]}")
            seen[name] = readme
            (out / name).write_text(code)
            print(f"{name} (from {readme})")
    if not seen:
        raise SystemExit("readme_examples.py: no README marks an example as rehearsed")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]), [Path(arg) for arg in sys.argv[2:]])
