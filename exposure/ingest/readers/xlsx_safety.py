"""Safety checks on zip-based workbooks (.xlsx, .xlsm, .xlsb, .ods), before any parser sees them.

The zip container is checked for size and compression ratio (zip bombs), and every XML part is
refused if its prolog declares a DTD or entities, which is how "billion laughs"
entity-expansion payloads work. For .xlsx, the worksheet XML is also scanned (with defusedxml,
streaming) for where each sheet's data starts and which cells hold formulas.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import IO

from exposure.core.errors import LoadError, Problem
from exposure.ingest.readers.sheets import ReadLimits, human_size

__all__ = [
    "PASSWORD_PROTECTED",
    "check_zip",
    "first_cell",
    "formula_cells",
    "iter_cells",
    "prolog_declares_dtd",
    "sheet_parts",
]

PASSWORD_PROTECTED = (
    "the workbook is password-protected: save a copy without a password (File > Info > "
    "Protect Workbook > Encrypt with Password, then clear it) and load that"
)

_XML_DANGER = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_PROLOG_ITEM = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)
_PROLOG_LIMIT = 2**20
_CHUNK = 65536


def check_zip(
    archive: zipfile.ZipFile,
    name: str,
    limits: ReadLimits,
    *,
    kind: str = ".xlsx",
    required_part: str | None = "xl/workbook.xml",
) -> None:
    """Refuse a corrupt container, a zip bomb, or an XML part that declares a DTD or entities.

    ``kind`` names the format in messages; ``required_part`` must be present when given.
    """
    try:
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise LoadError(
            [
                Problem(
                    name,
                    f"not a readable {kind} workbook: the file is truncated or corrupt ({exc})",
                )
            ]
        ) from exc
    # Everything below reads the zip's headers only: nothing is inflated before the sizes,
    # ratios and flags they declare are known to be safe. (zipfile never inflates a part past
    # its declared size, and checks its CRC as it reads it.)
    if any(info.flag_bits & 0x1 for info in infos):
        raise LoadError([Problem(name, PASSWORD_PROTECTED)])
    total = sum(info.file_size for info in infos)
    if total > limits.max_uncompressed_bytes:
        raise LoadError(
            [
                Problem(
                    name,
                    f"the workbook expands to {human_size(total)}, over the size limit of "
                    f"{human_size(limits.max_uncompressed_bytes)} "
                    "(set EXPOSURE_MAX_UNCOMPRESSED_MB to raise it)",
                )
            ]
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 2**26 and ratio > limits.max_compression_ratio:
            # (small parts compress well by nature; their total is bounded above)
            raise LoadError(
                [
                    Problem(
                        name,
                        f"part '{info.filename}' expands {ratio:.0f}x (a zip bomb?); refused",
                    )
                ]
            )
        if info.filename.lower().endswith((".xml", ".rels", ".vml")):
            with archive.open(info) as member:
                dangerous = prolog_declares_dtd(member)
            if dangerous:
                raise LoadError(
                    [
                        Problem(
                            name,
                            f"part '{info.filename}' declares a DTD or XML entities, as entity-expansion "
                            "('billion laughs') attacks do; workbooks never need them, so it was refused",
                        )
                    ]
                )
    if required_part is not None and required_part not in {info.filename for info in infos}:
        raise LoadError(
            [Problem(name, f"not a valid {kind} workbook: it has no {required_part} part")]
        )


class _Recoded:
    """A UTF-16 byte stream read as UTF-8, so that the prolog scan sees one encoding."""

    def __init__(self, stream: IO[bytes], head: bytes, encoding: str) -> None:
        self._stream = stream
        self._pending = head
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")

    def read(self, size: int) -> bytes:
        while True:
            raw = self._pending + self._stream.read(size)
            self._pending = b""
            text = self._decoder.decode(raw, final=not raw)
            if text or not raw:
                return text.encode("utf-8")


def prolog_declares_dtd(stream: IO[bytes] | _Recoded) -> bool:
    """Whether an XML part declares a DTD or entities before its root element.

    A DTD can only sit in the prolog, so the scan skips a byte order mark, the XML declaration,
    processing instructions and comments, and stops at the first element. UTF-16 parts are
    decoded first. A prolog longer than 1 MB counts as dangerous: no workbook needs one.
    """
    head = stream.read(4)
    encoding = None
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif head.startswith(b"<\x00"):  # UTF-16 without a byte order mark
        encoding = "utf-16-le"
    elif head.startswith(b"\x00<"):
        encoding = "utf-16-be"
    if encoding is not None:
        if isinstance(stream, _Recoded):
            return True  # UTF-16 inside UTF-16: no workbook does that
        return prolog_declares_dtd(_Recoded(stream, head, encoding))
    if head.startswith(codecs.BOM_UTF8):
        head = head[3:]
    buffer = head
    position = 0  # in buffer
    consumed = 0  # bytes dropped from the front of buffer so far
    at_end = False
    while True:
        if not at_end and len(buffer) - position < _CHUNK:
            chunk = stream.read(_CHUNK)
            at_end = not chunk
            consumed += position
            buffer = buffer[position:] + chunk
            position = 0
            continue
        if consumed + position > _PROLOG_LIMIT:
            return True
        match = _PROLOG_ITEM.match(buffer, position)
        if match and match.end() > position and (match.end() < len(buffer) or at_end):
            # (whitespace running to the end of the buffer may go on in the next chunk)
            position = match.end()
            continue
        rest = buffer[position:]
        if rest.startswith((b"<?", b"<!--")) or (match and match.end() > position):
            # An item not finished in the buffer: read on, up to the limit.
            if at_end:
                return False  # unterminated: malformed, and the parser will say so
            if consumed + len(buffer) > _PROLOG_LIMIT:
                return True
            chunk = stream.read(_CHUNK)
            at_end = not chunk
            buffer += chunk
            continue
        return bool(_XML_DANGER.match(rest))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def sheet_parts(archive: zipfile.ZipFile, name: str) -> dict[str, str]:
    """Map sheet names to their worksheet part paths inside an .xlsx zip."""
    from defusedxml import ElementTree as SafeET

    try:
        workbook = SafeET.fromstring(archive.read("xl/workbook.xml"))
        rels = SafeET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except Exception as exc:  # malformed XML of any kind: report, never crash
        raise LoadError([Problem(name, f"not a valid .xlsx workbook: {exc}")]) from exc
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        targets[rel.get("Id")] = path
    parts = {}
    for element in workbook.iter():
        if _local(element.tag) == "sheet":
            rel_id = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
            if rel_id in targets:
                parts[element.get("name", "")] = targets[rel_id]
    return parts


def _cell_position(ref: str) -> tuple[int, int]:
    match = re.match(r"([A-Z]+)(\d+)", ref)
    if not match:
        return (1, 0)
    column = 0
    for char in match.group(1):
        column = column * 26 + ord(char) - 64
    return int(match.group(2)), column - 1


def iter_cells(archive: zipfile.ZipFile, part: str) -> Iterator[tuple[str, dict[str, str]]]:
    """Yield (cell ref, {child tag: text}) for every cell of a worksheet part, streaming.

    The text of a child is all the text inside it (an inline string's ``<is><t>`` runs).
    """
    from defusedxml.ElementTree import iterparse

    with archive.open(part) as stream:
        for _, element in iterparse(stream, events=("end",)):
            if _local(element.tag) == "c":
                children = {_local(child.tag): "".join(child.itertext()) for child in element}
                yield element.get("r", ""), children
                element.clear()


def first_cell(archive: zipfile.ZipFile, part: str) -> tuple[int, int]:
    """Row number and column index where calamine's range starts (its first valued cell).

    A cell whose value is empty (``<v/>``, as a formula never calculated leaves it) holds
    nothing for calamine, so it does not count.
    """
    rows: list[tuple[int, int]] = []
    try:
        for ref, children in iter_cells(archive, part):
            if children.get("v") or children.get("is"):
                rows.append(_cell_position(ref))
                if len({row for row, _ in rows}) > 50 or len(rows) > 2000:
                    break
    except Exception:  # the workbook reader reports malformed sheets itself
        return (1, 0)
    if not rows:
        return (1, 0)
    return min(row for row, _ in rows), min(column for _, column in rows)


def formula_cells(archive: zipfile.ZipFile, part: str) -> dict[tuple[int, int], tuple[str, bool]]:
    """Cells holding formulas: {(row, column): (formula, has a saved value)}."""
    with archive.open(part) as stream:
        found = False
        tail = b""
        while chunk := stream.read(2**20):
            if _FORMULA_TAG.search(tail + chunk):
                found = True
                break
            tail = chunk[-16:]
    if not found:
        return {}
    cells = {}
    for ref, children in iter_cells(archive, part):
        if "f" in children:
            cells[_cell_position(ref)] = ("=" + children["f"], bool(children.get("v")))
    return cells
