"""Reading a CycloneDX JSON document safely: UTF-8, JSON, a depth limit, the official schema.

:func:`parse_document` reads the file: it must be UTF-8 (a BOM is allowed) and well-formed
JSON, refused otherwise with the line and column of the fault; JSON nested deeper than
:data:`MAX_DEPTH` is refused with the line and column where it goes past it (before the
recursive validator could overflow). :func:`schema_problems` validates the document against the
official CycloneDX JSON schema of its ``specVersion`` (1.5, 1.6 or 1.7,
:data:`SCHEMA_VERSIONS`), as shipped by ``cyclonedx-python-lib``; the schema's references (SPDX
licence ids, JSF signatures, cryptography definitions) resolve to the shipped files, never to
the network. Each schema failure is reported with the JSON pointer of the failing element.
:func:`looks_like_json` tells a JSON file from a spreadsheet by its first bytes.

What the document means (services and models as dependencies) is
:mod:`exposure.ingest.adapters.cyclonedx`'s.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from exposure.core.errors import LoadError, Problem

__all__ = [
    "MAX_DEPTH",
    "MAX_ITEMS",
    "MAX_STRING",
    "SCHEMA_VERSIONS",
    "UNCHECKED_FORMATS",
    "looks_like_json",
    "parse_document",
    "schema_problems",
]

logger = logging.getLogger(__name__)

SCHEMA_VERSIONS = ("1.5", "1.6", "1.7")
_SCHEMA_PACKAGE = "cyclonedx.schema._res"
# Arrays and objects nested deeper are refused before validation: the schema validator
# recurses a few frames per level and would overflow Python's stack near 400; real SBOMs nest
# components a few levels (each level two JSON levels), so 128 is far beyond any of them.
MAX_DEPTH = 128
# No string of an SBOM needs more (a licence text is the longest); no SBOM this tool reads
# lists more entries in one array. Both bound what validation may cost, whatever the content.
MAX_STRING = 65_536
MAX_ITEMS = 100_000
# A JSON string (brackets inside it are text) or a bracket.
_STRUCTURE = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_MAX_PROBLEMS = 20


def looks_like_json(path: Path) -> bool:
    """Whether a file starts (after white space and a BOM) with ``{``."""
    with path.open("rb") as handle:
        head = handle.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{")


@functools.cache
def _validator(version: str) -> Any:
    """A Draft 7 validator for a CycloneDX version, with every reference resolved offline."""
    from jsonschema import Draft7Validator
    from referencing import Registry, Resource
    from referencing.exceptions import NoSuchResource

    folder = resources.files(_SCHEMA_PACKAGE)
    prefix = "http://cyclonedx.org/schema/"
    shipped = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".schema.json"):
            contents = json.loads(entry.read_text(encoding="utf-8"))
            # The bom schemas refer to "spdx.SNAPSHOT.schema.json" etc. relative to their own
            # $id; register each file under its file name and under its own $id.
            shipped[prefix + entry.name] = contents
            if isinstance(contents.get("$id"), str):
                shipped[contents["$id"]] = contents

    def offline(uri: str) -> Resource[Any]:
        raise NoSuchResource(ref=uri)  # type: ignore[call-arg]  # never fetched from the network

    registry: Registry[Any] = Registry(retrieve=offline).with_resources(  # type: ignore[call-arg]
        (uri, Resource.from_contents(contents)) for uri, contents in shipped.items()
    )
    schema = shipped.get(f"{prefix}bom-{version}.SNAPSHOT.schema.json")
    if schema is None:
        raise LoadError(
            [
                Problem(
                    "--kind cyclonedx",
                    f"the installed cyclonedx-python-lib has no {version} schema",
                )
            ]
        )
    from jsonschema.validators import extend

    validator = extend(Draft7Validator, {"uniqueItems": _unique_items})
    return validator(schema, registry=registry, format_checker=_format_checker())


def _unique_items(validator: Any, unique: Any, instance: Any, schema: Any) -> Iterator[Any]:
    """``uniqueItems`` in linear time: jsonschema compares every pair of unhashable items, 200
    million comparisons for 20,000 services. Items are compared by their canonical JSON (keys
    sorted), so 1 and 1.0 count as different, a difference no SBOM relies on."""
    from jsonschema.exceptions import ValidationError

    if not unique or not validator.is_type(instance, "array"):
        return
    seen: set[str] = set()
    for index, item in enumerate(instance):
        key = json.dumps(item, sort_keys=True, default=str)
        if key in seen:
            yield ValidationError(f"item {index} repeats an earlier item; items must be unique")
            return
        seen.add(key)


# Formats whose full checkers cost time in proportion to the text, per string: the IRI and
# URI grammars (rfc3987-syntax, a parser combinator) took 32 ms per service endpoint and 0.8 ms
# per character, 93 s for one 100,000-character endpoint. Nothing here follows these
# references, so only their shape is checked, by a regular expression in linear time: an
# absolute IRI has a scheme, a reference has no white space. (The shape still matters: the
# schema's oneOf branches, JSF signatures among them, are told apart by it.)
UNCHECKED_FORMATS = frozenset(
    {"iri", "iri-reference", "uri", "uri-reference", "uri-template", "idn-hostname"}
)
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S*")
_IRI_REFERENCE = re.compile(r"\S*")


def _format_checker() -> Any:
    """Draft 7's format checker, the formats of :data:`UNCHECKED_FORMATS` checked by shape."""
    from jsonschema import Draft7Validator, FormatChecker

    checker = FormatChecker(formats=())
    checker.checkers = {
        name: check
        for name, check in Draft7Validator.FORMAT_CHECKER.checkers.items()
        if name not in UNCHECKED_FORMATS
    }

    def absolute(value: object) -> bool:
        return not isinstance(value, str) or bool(_ABSOLUTE_IRI.fullmatch(value))

    def reference(value: object) -> bool:
        return not isinstance(value, str) or bool(_IRI_REFERENCE.fullmatch(value))

    for name in ("iri", "uri"):
        checker.checks(name)(absolute)
    for name in ("iri-reference", "uri-reference"):
        checker.checks(name)(reference)
    return checker


def _pointer(parts: Iterator[Any] | Any) -> str:
    """A JSON pointer (RFC 6901) for a path of keys and indexes.

    >>> _pointer(["services", 0, "provider", "a/b"])
    '/services/0/provider/a~1b'
    """
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts) or "/"


def _short(text: str, limit: int = 240) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def schema_problems(document: Any, file: str) -> list[Problem]:
    """Every place where a document fails the CycloneDX schema of its ``specVersion``."""
    version = document.get("specVersion") if isinstance(document, dict) else None
    if version not in SCHEMA_VERSIONS:
        return [
            Problem(
                file,
                f"unsupported CycloneDX specVersion {version!r}: expected one of "
                f"{', '.join(SCHEMA_VERSIONS)} (1.6 is the current one)",
                column="/specVersion",
            )
        ]
    errors = sorted(
        _validator(version).iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path]
    )
    problems = []
    for error in errors[:_MAX_PROBLEMS]:
        message = _short(error.message)
        if error.context:
            # "not valid under any of the given schemas": say what the deepest branch wanted.
            closest = error
            while closest.context:
                closest = max(closest.context, key=lambda e: len(e.absolute_path))
            message += f" (closest: {_pointer(closest.absolute_path)}: {_short(closest.message)})"
        problems.append(
            Problem(
                file,
                f"fails the CycloneDX {version} schema: {message}",
                column=_pointer(error.absolute_path),
            )
        )
    if len(errors) > _MAX_PROBLEMS:
        problems.append(Problem(file, f"{len(errors) - _MAX_PROBLEMS} more schema problem(s)"))
    return problems


def parse_document(path: Path, name: str) -> Any:
    """The JSON document of a file.

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
    if not text.strip():
        raise LoadError([Problem(name, "the file is empty")])
    try:
        document = json.loads(text, object_pairs_hook=_unique_keys)
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
    if _depth(document) > MAX_DEPTH:
        raise _too_deep(text, name)
    oversized = _oversized(document, name)
    if oversized:
        raise LoadError(oversized)
    return document


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object's pairs as a dict; a key given twice raises (json keeps the last silently)."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _DuplicateKey(key)
        found[key] = value
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


def _oversized(document: Any, name: str) -> list[Problem]:
    """A string longer than :data:`MAX_STRING` or an array longer than :data:`MAX_ITEMS`,
    with its JSON pointer (the first of each, found without recursion)."""
    problems: list[Problem] = []
    stack: list[tuple[Any, tuple[Any, ...]]] = [(document, ())]
    long_string = long_array = False
    while stack and not (long_string and long_array):
        item, path = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if isinstance(key, str) and len(key) > MAX_STRING and not long_string:
                    long_string = True
                    problems.append(_too_long(name, path, len(key), "a key"))
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
            stack.extend((value, (*path, index)) for index, value in enumerate(item))
        elif isinstance(item, str) and len(item) > MAX_STRING and not long_string:
            long_string = True
            problems.append(_too_long(name, path, len(item), "the string"))
    return problems


def _too_long(name: str, path: tuple[Any, ...], length: int, what: str) -> Problem:
    return Problem(
        name,
        f"{what} is {length:,} characters long, over the limit of {MAX_STRING:,} for any "
        "string of an SBOM",
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
