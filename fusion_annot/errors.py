"""Errors that reach the user as one line: file, line and reason, never a traceback."""
from __future__ import annotations


class FusionAnnotError(Exception):
    """Base class for errors the CLI reports as a single line."""


class InputError(FusionAnnotError):
    """A problem with an input file: names the file, the line (1-based, 0 = whole file) and the reason."""

    def __init__(self, path: str, line: int, reason: str):
        self.path = str(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {reason}")

    def __reduce__(self):  # rebuilt from its parts when a worker process (--threads) hands it back
        return (type(self), (self.path, self.line, self.reason))


class ReferenceError_(FusionAnnotError):
    """The reference (GTF, pyensembl release, domain table) cannot be used."""


class BuildMismatchError(FusionAnnotError):
    """Input coordinates look like another genome build than the reference."""
