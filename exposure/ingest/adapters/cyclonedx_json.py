"""Reading a CycloneDX JSON document safely: UTF-8, JSON, no key twice, bounded size and depth.

:func:`parse_document` reads the file: it must be UTF-8 (a BOM is allowed) and well-formed
JSON, refused otherwise with the line and column of the fault; an object that gives a key
twice is refused with the key and its line (JSON readers disagree on which one counts); JSON
nested deeper than :data:`MAX_DEPTH` is refused with the line and column where it goes past
it; a string longer than :data:`MAX_STRING` (attachment ``content``, base64 images and licence
texts, up to :data:`MAX_CONTENT`) or an array longer than :data:`MAX_ITEMS` is refused with its
JSON pointer (:func:`limit_problems`, shared with the XML reader). These checks cost one pass
over the parsed document; nothing here depends on the content's meaning, and no text is parsed
by a grammar (no IRI or URI parser: a URL is checked by its shape only, in
:mod:`exposure.ingest.adapters.cyclonedx_check`). :func:`looks_like_json` tells a JSON file
from a spreadsheet by its first bytes.

What the document means (services and models as dependencies) is
:mod:`exposure.ingest.adapters.cyclonedx`'s; what of its structure is checked,
:mod:`exposure.ingest.adapters.cyclonedx_check`'s.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from exposure.core.errors import LoadError, Problem

__all__ = [
    "MAX_CONTENT",
    "MAX_DEPTH",
    "MAX_ITEMS",
    "MAX_STRING",
    "limit_problems",
    "looks_like_json",
    "parse_document",
    "read_json",
]

logger = logging.getLogger(__name__)

# Arrays and objects nested deeper are refused before anything reads the document: real SBOMs
# nest components a few levels (each level two JSON levels), so 128 is far beyond any of them,
# and every later pass stays far from Python's recursion limit.
MAX_DEPTH = 128
# No name, URL or description of an SBOM needs more; no SBOM this tool reads lists more
# entries in one array. An attachment's ``content`` (a base64 image of a model card, a licence
# text) may be longer, up to MAX_CONTENT. All bound what reading may cost, whatever the content.
MAX_STRING = 65_536
MAX_CONTENT = 16 * 1024 * 1024
MAX_ITEMS = 100_000
# A JSON string (brackets inside it are text) or a bracket.
_STRUCTURE = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def looks_like_json(path: Path) -> bool:
    """Whether a file starts (after white space and a BOM) with ``{``."""
    with path.open("rb") as handle:
        head = handle.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{")


def _pointer(parts: Iterator[Any] | Any) -> str:
    """A JSON pointer (RFC 6901) for a path of keys and indexes.

    >>> _pointer(["services", 0, "provider", "a/b"])
    '/services/0/provider/a~1b'
    """
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts) or "/"


def parse_document(path: Path, name: str) -> Any:
    """The JSON document of a file (:func:`read_json` without its note of nulls)."""
    return read_json(path, name)[0]


def read_json(path: Path, name: str) -> tuple[Any, bool]:
    """The JSON document of a file, and whether an object in it has a ``null`` value (the
    CycloneDX schema allows none; where is found only when there is one).

    Raises:
        LoadError: not UTF-8, empty, malformed JSON (with its line and column), JSON Python
            will not read, or nested deeper than :data:`MAX_DEPTH`.
    """
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(
            [Problem(name, f"a CycloneDX JSON file must be UTF-8 (byte {exc.start} is not)")]
        ) from exc
    if not text or text.isspace():
        raise LoadError([Problem(name, "the file is empty")])
    nulls: list[bool] = []

    def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        found = _unique_keys(pairs)
        if not nulls and None in found.values():
            nulls.append(True)
        return found

    try:
        document = json.loads(text, object_pairs_hook=unique_keys)
    except _DuplicateKey as exc:
        raise _duplicate(text, name, exc.key) from None
    except json.JSONDecodeError as exc:
        raise LoadError(
            [
                Problem(
                    name,
                    f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                    row=exc.lineno,
                )
            ]
        ) from exc
    except RecursionError:
        # Deeper than Python's parser goes (thousands of levels): refused like any too deep.
        raise _too_deep(text, name) from None
    except ValueError as exc:
        # Valid JSON Python will not read, such as an integer of more than 4,300 digits.
        raise LoadError([Problem(name, f"the JSON cannot be read: {exc}")]) from exc
    if _over_limits(document, data):
        if _depth(document) > MAX_DEPTH:
            raise _too_deep(text, name)
        raise LoadError(limit_problems(document, name))
    return document, bool(nulls)


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object's pairs as a dict; a key given twice raises (json keeps the last silently)."""
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return found


_TOKEN = re.compile(r'("(?:[^"\\]|\\.)*")(\s*:)?|[\[\]{}]')


def _duplicate(text: str, name: str, key: str) -> LoadError:
    """The refusal of a document where an object gives ``key`` twice, located by the line of
    the second time (a scan of the objects' keys, strings skipped)."""
    stack: list[set[str] | None] = []
    line = None
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token == "{":
            stack.append(set())
        elif token == "[":
            stack.append(None)
        elif token in "]}":
            if stack:
                stack.pop()
        elif match.group(2) and stack and stack[-1] is not None:
            seen = stack[-1]
            current = json.loads(match.group(1))
            if current in seen and current == key:
                line = text.count("\n", 0, match.start()) + 1
                break
            seen.add(current)
    at = f" (line {line})" if line is not None else ""
    return LoadError(
        [
            Problem(
                name,
                f"the key {key!r} is given twice in one object{at}; JSON readers disagree on "
                "which one counts, so the document is refused",
                row=line,
                value=key,
            )
        ]
    )


def _over_limits(document: Any, data: bytes | None = None) -> bool:
    """Whether anything in the document is nested deeper than :data:`MAX_DEPTH`, or is a
    string or array over its limit; the common case (nothing is) costs one pass over the
    containers, level by level. With the document's JSON bytes, strings are ruled out at once
    when no two quotes are more than :data:`MAX_STRING` bytes apart (and none is escaped),
    else looked at one by one."""
    strings = data is None or not _short_strings(data)
    level: list[Any] = [document]
    depth = 0
    while level:
        depth += 1
        if depth > MAX_DEPTH:
            return True
        below: list[Any] = []
        for item in level:
            if type(item) is dict:
                values: Any = item.values()
                if strings and _long_strings(item):
                    return True
            else:
                values = item
                if len(item) > MAX_ITEMS or (strings and _long_strings(item)):
                    return True
            below += [value for value in values if type(value) in _CONTAINERS]
        level = below
    return False


_CONTAINERS = (dict, list)


def _short_strings(data: bytes) -> bool:
    """Whether every JSON string of ``data`` is surely within :data:`MAX_STRING` characters:
    no escaped quote, and no two quotes further apart (a character is at least a byte)."""
    import numpy as np

    if b'\\"' in data:
        return False
    quotes = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == ord('"'))
    gaps = np.diff(quotes, prepend=-1, append=len(data))
    return bool(gaps.max() <= MAX_STRING + 1)


def _long_strings(item: Any) -> bool:
    """Whether a container holds a string (or, an object, a key) over its limit."""
    content: Any = None
    values: Any = item
    if type(item) is dict:
        if any(len(key) > MAX_STRING for key in item):
            return True
        content, values = item.get("content"), item.values()
    return any(
        type(value) is str
        and len(value) > MAX_STRING
        and (value is not content or len(value) > MAX_CONTENT)
        for value in values
    )


def limit_problems(document: Any, name: str) -> list[Problem]:
    """A string over its limit (:data:`MAX_STRING`, :data:`MAX_CONTENT` for an attachment's
    ``content``) or an array longer than :data:`MAX_ITEMS`, with its JSON pointer (the first
    of each, found without recursion)."""
    if not _over_limits(document):
        return []
    problems: list[Problem] = []
    stack: list[tuple[Any, tuple[Any, ...]]] = [(document, ())]
    long_string = long_array = False
    while stack and not (long_string and long_array):
        item, path = stack.pop()
        if len(path) >= MAX_DEPTH:
            continue
        if isinstance(item, dict):
            for key, value in item.items():
                if isinstance(key, str) and len(key) > MAX_STRING and not long_string:
                    long_string = True
                    problems.append(_too_long(name, path, len(key), "a key", MAX_STRING))
                limit = MAX_CONTENT if key == "content" else MAX_STRING
                if isinstance(value, str) and len(value) > limit and not long_string:
                    long_string = True
                    problems.append(_too_long(name, (*path, key), len(value), "the string", limit))
                elif isinstance(value, dict | list):
                    stack.append((value, (*path, key)))
        elif isinstance(item, list):
            if len(item) > MAX_ITEMS and not long_array:
                long_array = True
                problems.append(
                    Problem(
                        name,
                        f"the array holds {len(item):,} entries, over the limit of "
                        f"{MAX_ITEMS:,} an SBOM may list in one array",
                        column=_pointer(path),
                    )
                )
            for index, value in enumerate(item):
                if isinstance(value, str) and len(value) > MAX_STRING and not long_string:
                    long_string = True
                    problems.append(
                        _too_long(name, (*path, index), len(value), "the string", MAX_STRING)
                    )
                elif isinstance(value, dict | list):
                    stack.append((value, (*path, index)))
    return problems


def _too_long(name: str, path: tuple[Any, ...], length: int, what: str, limit: int) -> Problem:
    which = "an attachment's content" if limit == MAX_CONTENT else "any string of an SBOM"
    return Problem(
        name,
        f"{what} is {length:,} characters long, over the limit of {limit:,} for {which}",
        column=_pointer(path),
    )


def _depth(value: Any) -> int:
    """How deeply arrays and objects nest (a scalar is 0), counted without recursion and
    only up to one level past :data:`MAX_DEPTH`.

    >>> _depth({"a": [1, {"b": []}]}), _depth("x")
    (4, 0)
    """
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if not isinstance(item, dict | list):
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            break
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def _too_deep(text: str, name: str) -> LoadError:
    """The refusal of a document nested deeper than :data:`MAX_DEPTH`, located by line and
    column of the first bracket past it (brackets inside strings do not count)."""
    depth = 0
    where = None
    for match in _STRUCTURE.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                where = match.start()
                break
        elif token in "]}":
            depth -= 1
    line = text.count("\n", 0, where) + 1 if where is not None else None
    column = where - text.rfind("\n", 0, where) if where is not None else None
    at = f" at line {line}, column {column}" if where is not None else ""
    return LoadError(
        [
            Problem(
                name,
                f"the JSON nests more than {MAX_DEPTH} arrays and objects deep{at}; a CycloneDX "
                "SBOM never needs that many levels",
                row=line,
            )
        ]
    )
