"""ZIP archives as published (SAM.gov extracts, USAspending downloads): one data file inside.

SAM.gov publishes its extracts as ZIP files holding one CSV or pipe-delimited ``.dat`` file;
such an archive is read as the file it holds. Before anything is inflated its headers are
checked against the limits of any other file (:class:`~exposure.ingest.readers.sheets.ReadLimits`):
the member may be no larger than a file may be (``EXPOSURE_MAX_FILE_MB``), nor larger than what
a compressed file may expand to (``EXPOSURE_MAX_UNCOMPRESSED_MB``), and a large member that
expands more than ``max_compression_ratio`` times is refused as a zip bomb. An archive holding
several files, a folder tree, another archive or a workbook is refused with what it holds, and
so is one that is encrypted or corrupt: unzip it and give the file itself.

:func:`is_zip` tells an archive from its first bytes, :func:`data_member` picks and checks its
member, :func:`open_member` streams it, :func:`extract_member` copies it to a temporary file
(which the caller deletes) and :func:`member_bytes` reads it whole.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO

from exposure.core.errors import LoadError, Problem
from exposure.ingest.readers.sheets import ReadLimits, human_size

__all__ = [
    "MEMBER_SUFFIXES",
    "data_member",
    "extract_member",
    "is_workbook_zip",
    "is_zip",
    "member_bytes",
    "open_member",
]

# What a ZIP may hold to be read as that file: delimited text.
MEMBER_SUFFIXES = (".csv", ".tsv", ".txt", ".dat")
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header; an empty archive's end record
# Entries that archivers add beside the data: macOS resource forks and folder settings.
_JUNK = ("__MACOSX/", ".DS_Store", "Thumbs.db", "desktop.ini")
_CHUNK = 2**20


def is_zip(path: Path) -> bool:
    """Whether the file starts as a ZIP archive does (whatever its name says)."""
    with path.open("rb") as handle:
        return handle.read(4) in _ZIP_MAGIC


def is_workbook_zip(path: Path) -> bool:
    """Whether a ZIP file is an Office Open XML or OpenDocument package (a workbook)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return False
    return bool(names & {"[Content_Types].xml", "xl/workbook.xml", "mimetype", "content.xml"})


def _junk(info: zipfile.ZipInfo) -> bool:
    name = info.filename
    return info.is_dir() or any(
        name.startswith(prefix) or PurePosixPath(name).name == prefix for prefix in _JUNK
    )


def data_member(archive: zipfile.ZipFile, name: str, limits: ReadLimits) -> zipfile.ZipInfo:
    """The one data file of an archive, its size and compression checked from the headers.

    Raises:
        LoadError: the archive is corrupt, encrypted, empty, holds several files or a file
            that is not delimited text, or its file is over a size or expansion limit.
    """
    try:
        infos = [info for info in archive.infolist() if not _junk(info)]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise LoadError(
            [Problem(name, f"not a readable ZIP archive: it is truncated or corrupt ({exc})")]
        ) from exc
    if not infos:
        raise LoadError([Problem(name, "the ZIP archive holds no file")])
    if len(infos) > 1:
        listed = ", ".join(f"'{info.filename}'" for info in infos[:5])
        more = f" and {len(infos) - 5} more" if len(infos) > 5 else ""
        raise LoadError(
            [
                Problem(
                    name,
                    f"the ZIP archive holds {len(infos)} files ({listed}{more}); a ZIP is read "
                    "only when it holds one CSV, .txt or .dat file, as SAM.gov publishes its "
                    "extracts: unzip it and give the files you mean",
                )
            ]
        )
    [info] = infos
    member = info.filename
    suffix = PurePosixPath(member).suffix.lower()
    if info.flag_bits & 0x1:
        raise LoadError(
            [
                Problem(
                    name,
                    f"the ZIP archive is password-protected ('{member}' is encrypted): unzip it "
                    "with its password and give the file itself",
                )
            ]
        )
    if suffix not in MEMBER_SUFFIXES:
        raise LoadError(
            [
                Problem(
                    name,
                    f"the ZIP archive holds '{member}', which is not a CSV, .txt or .dat file; "
                    "unzip it and give that file itself",
                )
            ]
        )
    size = info.file_size
    if size > limits.max_file_bytes:
        raise LoadError(
            [
                Problem(
                    name,
                    f"'{member}' inside the ZIP archive is {human_size(size)}, over the size "
                    f"limit of {human_size(limits.max_file_bytes)} (set EXPOSURE_MAX_FILE_MB to "
                    "raise it)",
                )
            ]
        )
    if size > limits.max_uncompressed_bytes:
        raise LoadError(
            [
                Problem(
                    name,
                    f"the ZIP archive expands to {human_size(size)}, over the size limit of "
                    f"{human_size(limits.max_uncompressed_bytes)} (set "
                    "EXPOSURE_MAX_UNCOMPRESSED_MB to raise it)",
                )
            ]
        )
    ratio = size / max(info.compress_size, 1)
    if size > 2**26 and ratio > limits.max_compression_ratio:
        # (text compresses 5-20x; a small file may compress better, its size is bounded above)
        raise LoadError(
            [
                Problem(
                    name,
                    f"'{member}' inside the ZIP archive expands {ratio:.0f}x (a zip bomb?); refused",
                )
            ]
        )
    if size == 0:
        raise LoadError([Problem(name, f"'{member}' inside the ZIP archive is empty (0 bytes)")])
    return info


def _open_archive(path: Path, name: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise LoadError(
            [Problem(name, f"not a readable ZIP archive: it is truncated or corrupt ({exc})")]
        ) from exc


def _corrupt(name: str, member: str, exc: BaseException) -> LoadError:
    return LoadError(
        [
            Problem(
                name,
                f"'{member}' inside the ZIP archive cannot be read: the archive is truncated or "
                f"corrupt, or uses a compression method that is not supported ({exc})",
            )
        ]
    )


@contextlib.contextmanager
def open_member(path: Path, name: str, limits: ReadLimits) -> Iterator[tuple[str, IO[bytes]]]:
    """The archive's data file (its name, a binary stream), once :func:`data_member` allows it.

    zipfile never inflates a member past the size its header declares, and checks its CRC as
    it reads; a read error is a :class:`LoadError` naming the member.
    """
    with _open_archive(path, name) as archive:
        info = data_member(archive, name, limits)
        try:
            stream = archive.open(info)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise _corrupt(name, info.filename, exc) from exc
        with stream:
            try:
                yield info.filename, stream
            except (zipfile.BadZipFile, EOFError, NotImplementedError) as exc:
                raise _corrupt(name, info.filename, exc) from exc


def extract_member(path: Path, name: str, limits: ReadLimits) -> tuple[str, Path]:
    """Copy the archive's data file to a temporary file: its name, and the copy's path.

    The copy keeps the member's suffix; the caller deletes it.
    """
    with open_member(path, name, limits) as (member, stream):
        handle, target = tempfile.mkstemp(
            suffix=PurePosixPath(member).suffix.lower(), prefix="exposure-"
        )
        copy = Path(target)
        try:
            with os.fdopen(handle, "wb") as out:
                shutil.copyfileobj(stream, out, _CHUNK)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
            copy.unlink(missing_ok=True)
            raise _corrupt(name, member, exc) from exc
        except BaseException:
            copy.unlink(missing_ok=True)
            raise
    return member, copy


def member_bytes(path: Path, name: str, limits: ReadLimits) -> tuple[str, bytes]:
    """The archive's data file read whole: its name and its bytes."""
    with open_member(path, name, limits) as (member, stream):
        try:
            return member, stream.read()
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
            raise _corrupt(name, member, exc) from exc
