#!/usr/bin/env python3
"""Writes a release archive: FILES under one folder named after the archive, as a .tar.gz or
a .zip (Windows), with fixed times and owners so that the same files give the same bytes.
Python's own tarfile and zipfile, so every runner (Windows' too) writes it the same way.

usage: release/archive.py ARCHIVE FILE…   (ARCHIVE ends in .tar.gz or .zip)
"""

from __future__ import annotations

import gzip
import io
import os
import sys
import tarfile
import zipfile
from pathlib import Path


def executable(path: Path) -> bool:
    return path.suffix == ".exe" or os.access(path, os.X_OK)


def write(archive: Path, files: list[Path]) -> None:
    name = archive.name
    for suffix in (".tar.gz", ".zip"):
        if name.endswith(suffix):
            folder = name[: -len(suffix)]
            break
    else:
        raise SystemExit(f"archive.py: {archive} ends in neither .tar.gz nor .zip")
    if name.endswith(".zip"):
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as out:
            for path in files:
                info = zipfile.ZipInfo(f"{folder}/{path.name}", date_time=(1980, 1, 1, 0, 0, 0))
                info.external_attr = (0o100755 if executable(path) else 0o100644) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                out.writestr(info, path.read_bytes())
        return
    # gzip's own header holds a time too: zero, as the entries'.
    with (
        gzip.GzipFile(archive, "wb", mtime=0) as stream,
        tarfile.open(fileobj=stream, mode="w", format=tarfile.PAX_FORMAT) as out,
    ):
        for path in files:
            data = path.read_bytes()
            info = tarfile.TarInfo(f"{folder}/{path.name}")
            info.size = len(data)
            info.mode = 0o755 if executable(path) else 0o644
            info.mtime = 0
            out.addfile(info, io.BytesIO(data))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    write(Path(sys.argv[1]), [Path(file) for file in sys.argv[2:]])
