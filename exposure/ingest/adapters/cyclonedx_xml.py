"""Reading a CycloneDX XML document safely, into the shape of the JSON one.

CycloneDX XML (``<bom xmlns="http://cyclonedx.org/schema/bom/1.x">``) carries what the JSON
format carries, spelled the XML way: lists as a container of repeated elements
(``<components><component>``), scalars of an element as attributes (``type``, ``bom-ref``),
repeated elements for arrays (``<url>`` of an organization), ``<dependency ref>`` nesting for
``dependsOn``. :func:`parse_xml_document` turns the document into the dictionary the JSON
document would give (``specVersion`` read from the namespace, ``bomFormat`` added), so that one
interpretation and one check (:mod:`exposure.ingest.adapters.cyclonedx_check`) serve both.
Elements of other namespaces (extensions the XML schema allows) are left out.

Safety: the file is parsed with ``defusedxml`` with document type declarations forbidden, so
entity expansion ("billion laughs"), external entities and DTD retrieval are refused before
anything is built; elements nested deeper than :data:`~exposure.ingest.adapters.cyclonedx_json.MAX_DEPTH`
are refused with their line, and the strings and arrays of the result are held to the limits
of the JSON reader.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from exposure.core.errors import LoadError, Problem
from exposure.ingest.adapters.cyclonedx_json import MAX_DEPTH, limit_problems

__all__ = ["NAMESPACE_PREFIX", "looks_like_cyclonedx_xml", "parse_xml_document", "xml_spec_version"]

NAMESPACE_PREFIX = "http://cyclonedx.org/schema/bom/"
_NAMESPACE = re.compile(rb"http://cyclonedx\.org/schema/bom/(\d+\.\d+)")

# Containers whose children are the items of a JSON array, beyond the plural rule
# ("components" holds "component"s, "dependencies" "dependency"s).
_ITEMS = {
    "externalReferences": {"reference"},
    "collection": {"graphic"},
    "data": {"classification", "dataflow"},
}
# Organizational entities, whose repeated <url> and <contact> are arrays in JSON.
_ENTITIES = frozenset(
    {"supplier", "manufacturer", "manufacture", "provider", "organization", "issuer"}
)
_ENTITY_LISTS = frozenset({"url", "contact"})
# Elements that may repeat directly in their parent, an array in JSON.
_REPEATED = frozenset({"omniborId", "swhid"})
_BOOLEANS = frozenset({"authenticated", "x-trust-boundary", "modified", "isExternal"})
# The JSON key of the text of an element that has attributes too (default "content").
_TEXT_KEY = {"property": "value", "classification": "classification"}
_ATTRIBUTE_KEY = {"content-type": "contentType"}


def looks_like_cyclonedx_xml(path: Path) -> bool:
    """Whether a file starts (after a BOM, white space, an XML declaration or comments) with
    ``<`` and names the CycloneDX namespace in its first 4 KB."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") and bool(_NAMESPACE.search(head))


def xml_spec_version(path: Path) -> str | None:
    """The CycloneDX version of the namespace named first in the file (``"1.6"``), or None."""
    with path.open("rb") as handle:
        found = _NAMESPACE.search(handle.read(4096))
    return found.group(1).decode() if found else None


class _Builder(ET.TreeBuilder):
    """A tree builder that refuses elements nested deeper than :data:`MAX_DEPTH`."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.parser: Any = None

    def start(self, tag: Any, attrs: Any) -> Any:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            line = getattr(getattr(self.parser, "parser", None), "CurrentLineNumber", None)
            raise _TooDeep(line)
        return super().start(tag, attrs)

    def end(self, tag: Any) -> Any:
        self.depth -= 1
        return super().end(tag)


class _TooDeep(Exception):
    def __init__(self, line: int | None) -> None:
        super().__init__(line)
        self.line = line


def parse_xml_document(path: Path, name: str) -> dict[str, Any]:
    """A CycloneDX XML file as the dictionary its JSON form would be.

    Raises:
        LoadError: a document type declaration (entities) in the file, malformed XML (with
            its line and column), elements nested too deeply, a root that is not a CycloneDX
            ``<bom>``, or a string or array over the reader's limits.
    """
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import DefusedXMLParser

    builder = _Builder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.parser = parser
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                parser.feed(chunk)
        root = parser.close()
    except DefusedXmlException as exc:
        raise LoadError(
            [
                Problem(
                    name,
                    "the XML declares a document type (DOCTYPE or ENTITY): a CycloneDX SBOM "
                    "never needs one, and entity declarations are how XML bombs and external "
                    f"entity reads work, so the file is refused ({type(exc).__name__})",
                )
            ]
        ) from None
    except _TooDeep as exc:
        at = f" (line {exc.line})" if exc.line else ""
        raise LoadError(
            [
                Problem(
                    name,
                    f"the XML nests more than {MAX_DEPTH} elements deep{at}; a CycloneDX SBOM "
                    "never needs that many levels",
                    row=exc.line,
                )
            ]
        ) from None
    except ET.ParseError as exc:
        line, column = exc.position
        raise LoadError(
            [
                Problem(
                    name,
                    f"malformed XML at line {line}, column {column + 1}: {str(exc).split(':')[0]}",
                    row=line,
                )
            ]
        ) from None
    namespace, _, local = (
        root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", root.tag)
    )
    if local != "bom" or not namespace.startswith(NAMESPACE_PREFIX):
        raise LoadError(
            [
                Problem(
                    name,
                    "an XML file is read as a CycloneDX SBOM, and this one is not: expected a "
                    f"<bom> element in the namespace {NAMESPACE_PREFIX}1.x (found <{local}>"
                    f"{' in ' + namespace if namespace else ' without a namespace'})",
                )
            ]
        )
    document: dict[str, Any] = {
        "bomFormat": "CycloneDX",
        "specVersion": namespace[len(NAMESPACE_PREFIX) :],
    }
    converted = _Converter(namespace).element(root, "bom")
    if isinstance(converted, dict):
        document.update(converted)
    version = document.get("version")
    if isinstance(version, str) and version.isdigit():
        document["version"] = int(version)
    problems = limit_problems(document, name)
    if problems:
        raise LoadError(problems)
    return document


class _Converter:
    """Element to JSON value, for the elements of one namespace."""

    def __init__(self, namespace: str) -> None:
        self.prefix = "{" + namespace + "}"

    def local(self, element: ET.Element) -> str | None:
        tag = element.tag
        if not isinstance(tag, str):
            return None  # a comment or processing instruction
        if tag.startswith(self.prefix):
            return tag[len(self.prefix) :]
        return None if tag.startswith("{") else tag

    def children(self, element: ET.Element) -> list[tuple[str, ET.Element]]:
        found = []
        for child in element:
            local = self.local(child)
            if local is not None:
                found.append((local, child))
        return found

    def element(self, element: ET.Element, name: str, parent: str = "") -> Any:
        children = self.children(element)
        attributes = {
            _ATTRIBUTE_KEY.get(key, key): value
            for key, value in element.attrib.items()
            if not key.startswith("{")
        }
        text = (element.text or "").strip()
        if name == "dependency":
            return self.dependency(element, attributes, children)
        if name == "licenses":
            return [{local: self.element(child, local, name)} for local, child in children]
        if not attributes and children and self.is_list(name, children):
            return [self.element(child, local, name) for local, child in children]
        if not children:
            if not attributes:
                if name in _BOOLEANS and text in ("true", "false"):
                    return text == "true"
                if text or not self.is_container(name):
                    return text
                return []
            if text:
                attributes[_TEXT_KEY.get(name, "content")] = text
            return attributes
        result: dict[str, Any] = dict(attributes)
        entity = name in _ENTITIES
        for local, child in children:
            value = self.element(child, local, name)
            if (entity and local in _ENTITY_LISTS) or local in _REPEATED:
                result.setdefault(local, []).append(value)
            elif local in result:
                previous = result[local]
                result[local] = (
                    [*previous, value] if isinstance(previous, list) else [previous, value]
                )
            else:
                result[local] = value
        return result

    @staticmethod
    def is_container(name: str) -> bool:
        return name in _ITEMS or name.endswith("s")

    @staticmethod
    def is_list(name: str, children: list[tuple[str, ET.Element]]) -> bool:
        items = _ITEMS.get(name)
        if items is None:
            if not name.endswith("s"):
                return False
            # components/component, hashes/hash, dependencies/dependency
            items = {name[:-1], name[:-2], name[:-3] + "y"}
        return all(local in items for local, _ in children)

    def dependency(
        self,
        element: ET.Element,
        attributes: dict[str, Any],
        children: list[tuple[str, ET.Element]],
    ) -> dict[str, Any]:
        result: dict[str, Any] = dict(attributes)
        for local, child in children:
            key = "dependsOn" if local == "dependency" else local
            result.setdefault(key, []).append(child.attrib.get("ref", ""))
        return result
