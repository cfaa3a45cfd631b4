"""Read one stream out of an OLE2 compound file (.xls, encrypted Office files), bounded.

Just enough of [MS-CFB] to find the ``Workbook`` (BIFF8) or ``Book`` (BIFF5) stream of an .xls
file, so that its cell records can be scanned before calamine reads it, and to tell an
encrypted Office document (an ``EncryptedPackage`` stream) from a broken one. Every chain is
followed at most once per sector, so a looping or out-of-range table ends the read with
:class:`OleError` instead of hanging.
"""

from __future__ import annotations

import struct

__all__ = ["OLE_MAGIC", "OleError", "is_encrypted_package", "read_stream"]

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END = 0xFFFFFFFE
_FREE = 0xFFFFFFFF
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


class OleError(ValueError):
    """The compound file is malformed."""


def is_encrypted_package(data: bytes) -> bool:
    """Whether an OLE2 file holds an ``EncryptedPackage`` stream: a password-protected
    .xlsx, .xlsm or .docx (Office encrypts the whole zip into one).
    """
    return data.startswith(OLE_MAGIC) and _ENCRYPTED in data


def _chain(table: list[int], start: int, limit: int) -> list[int]:
    sectors: list[int] = []
    seen: set[int] = set()
    sector = start
    while sector != _END:
        if sector in seen or sector >= len(table) or sector >= limit or len(sectors) > limit:
            raise OleError("a sector chain loops or leaves the file")
        seen.add(sector)
        sectors.append(sector)
        sector = table[sector]
    return sectors


def read_stream(data: bytes, names: tuple[str, ...]) -> bytes | None:
    """The contents of the first stream named one of ``names``, or None when there is none.

    Raises:
        OleError: the file is not a well-formed compound file.
    """
    if len(data) < 512 or not data.startswith(OLE_MAGIC):
        raise OleError("not a compound file")
    sector_shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if sector_shift not in (9, 12) or mini_shift != 6:
        raise OleError("unknown sector size")
    size = 1 << sector_shift
    count = (len(data) - size) // size  # sectors in the file
    fat_sectors, first_directory = struct.unpack_from("<II", data, 0x2C)
    cutoff, first_mini_fat, _mini_fat_count, first_difat, difat_count = struct.unpack_from(
        "<IIIII", data, 0x38
    )

    def sector_bytes(sector: int) -> bytes:
        offset = (sector + 1) * size
        if sector >= count:
            raise OleError("a sector lies past the end of the file")
        return data[offset : offset + size]

    difat = [s for s in struct.unpack_from("<109I", data, 0x4C) if s not in (_FREE, _END)]
    sector = first_difat
    for _ in range(min(difat_count, count)):
        if sector in (_FREE, _END):
            break
        pointers = struct.unpack(f"<{size // 4}I", sector_bytes(sector))
        difat.extend(s for s in pointers[:-1] if s not in (_FREE, _END))
        sector = pointers[-1]
    fat: list[int] = []
    for sector in difat[: max(fat_sectors, 0) or len(difat)]:
        fat.extend(struct.unpack(f"<{size // 4}I", sector_bytes(sector)))

    def read_chain(start: int) -> bytes:
        return b"".join(sector_bytes(s) for s in _chain(fat, start, count))

    directory = read_chain(first_directory)
    entries = []
    for offset in range(0, len(directory) - 127, 128):
        name_length = struct.unpack_from("<H", directory, offset + 64)[0]
        name = directory[offset : offset + max(0, min(name_length, 64) - 2)].decode(
            "utf-16-le", "replace"
        )
        kind = directory[offset + 66]
        start, stream_size = struct.unpack_from("<IQ", directory, offset + 116)
        if size == 512:
            stream_size &= 0xFFFFFFFF
        entries.append((name, kind, start, stream_size))
    if not entries:
        raise OleError("no directory")
    wanted = next((e for e in entries if e[1] == 2 and e[0] in names), None)
    if wanted is None:
        return None
    _, _, start, stream_size = wanted
    if stream_size > len(data):
        raise OleError("a stream is larger than the file")
    if stream_size >= cutoff:
        return read_chain(start)[:stream_size]
    # A small stream lives in the mini stream (the root entry's data), in 64-byte sectors.
    root = read_chain(entries[0][2])
    mini_fat_bytes = read_chain(first_mini_fat) if first_mini_fat not in (_END, _FREE) else b""
    mini_fat = list(struct.unpack(f"<{len(mini_fat_bytes) // 4}I", mini_fat_bytes))
    mini_count = len(root) // 64
    return b"".join(root[s * 64 : s * 64 + 64] for s in _chain(mini_fat, start, mini_count))[
        :stream_size
    ]
