"""Temporary files of the readers: re-encoded CSV copies and links with plain names.

DuckDB treats ``*``, ``?`` and ``[...]`` in a path as a glob, so a file whose name holds them
is read through a link with a plain name in the temporary directory. Callers delete what these
functions create (``RawSheet.cleanup``, or at once for parquet).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
from pathlib import Path

__all__ = ["needs_alias", "plain_alias", "temporary_csv"]

# Characters that make DuckDB read a path as a glob pattern (braces are kept out for safety).
_GLOB_CHARS = re.compile(r"[*?\[\]{}]")


def temporary_csv() -> tuple[int, Path]:
    """A new empty temporary .csv file: its open OS handle and its path."""
    handle, name = tempfile.mkstemp(suffix=".csv", prefix="exposure-")
    return handle, Path(name)


def plain_alias(path: Path, suffix: str) -> Path:
    """A link to ``path`` whose name DuckDB reads literally (no glob characters).

    A symbolic link in the temporary directory; where links cannot be made, a copy.
    """
    target = path.resolve()
    directory = Path(tempfile.gettempdir())
    for _ in range(16):
        alias = directory / f"exposure-{secrets.token_hex(8)}{suffix}"
        try:
            alias.symlink_to(target)
        except FileExistsError:
            continue
        except OSError:
            break
        return alias
    handle, name = tempfile.mkstemp(suffix=suffix, prefix="exposure-")
    with os.fdopen(handle, "wb") as out, target.open("rb") as stream:
        shutil.copyfileobj(stream, out)
    return Path(name)


def needs_alias(path: Path) -> bool:
    """Whether DuckDB would read ``path`` as a glob pattern.

    >>> needs_alias(Path("/data/vendors [2026].csv")), needs_alias(Path("/data/vendors.csv"))
    (True, False)
    """
    return bool(_GLOB_CHARS.search(str(path.resolve())))
