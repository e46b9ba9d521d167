"""Opening caller files: plain or gzip, any line ending, clear errors on unreadable input."""
from __future__ import annotations

import gzip
import io
import zlib
from pathlib import Path
from typing import Iterator

from .errors import InputError


def open_text(path: str | Path):
    """Open a text file, transparently gunzipping; universal newlines; a UTF-8 BOM dropped; undecodable bytes replaced."""
    p = Path(path)
    if not p.exists():
        raise InputError(str(path), 0, "file not found")
    if p.is_dir():
        raise InputError(str(path), 0, "is a directory, expected a file")
    with open(p, "rb") as fh:
        magic = fh.read(2)
    raw = gzip.open(p, "rb") if magic == b"\x1f\x8b" else open(p, "rb")
    # utf-8-sig: a byte-order mark (Excel, Windows editors) is not part of the first header name
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline=None)


def numbered_lines(path: str | Path) -> Iterator[tuple[int, str]]:
    """Yield (1-based line number, line without newline); errors name the file."""
    try:
        with open_text(path) as fh:
            for number, line in enumerate(fh, start=1):
                yield number, line.rstrip("\r\n")  # universal newlines: a line ends in at most one '\n'
    except (OSError, EOFError, zlib.error) as exc:  # truncated or corrupt gzip
        raise InputError(str(path), 0, f"cannot read file: {exc}") from None


def head_lines(path: str | Path, limit: int = 50) -> list[str]:
    """First lines of a file for format detection."""
    out = []
    for _, line in numbered_lines(path):
        out.append(line)
        if len(out) >= limit:
            break
    return out
