"""What of a CycloneDX document is checked, and how strictly: the dependency data refuses,
the rest warns.

A CycloneDX document is read for its dependency data only: components (machine-learning
models among them), services, the organizations that supply, make, publish or provide them,
their ``bom-ref``\\ s and the ``dependencies`` between them. :func:`check_document` checks that
data strictly, the same way for every version (1.2 to 1.7) and for JSON and XML alike (the XML
reader gives the JSON shape): a list that is not a list, an entry that is not an object, a
component without ``type`` or ``name``, a service without ``name``, an organization whose
``name`` is not text, a ``bom-ref`` or ``ref`` that is not text, endpoints that are not a list of
text... Each is a :class:`~exposure.core.errors.Problem` with its JSON pointer, and the file is
refused: read any other way, it would give wrong dependencies.

Everything else the CycloneDX schema would say about the document is a :class:`Finding`, kept
as a warning (listed in Data quality, refused by ``--strict``): a licence with both ``id`` and
``name`` or neither, an SPDX id in the wrong case or not on the SPDX list, a ``serialNumber``
that is not a ``urn:uuid`` (a placeholder), ``dependsOn`` written as objects (read by their
``ref``), a ``null`` value (a VEX ``justification: null``), a URL with white space or an
unresolved build variable (Maven's ``${project.url}``), a field the schema does not define, a
component type or reference type it does not list, a ``bom-ref`` given twice or a ``ref`` that
names none. Findings of one kind and value are counted together, with the first pointers.

All of it costs a pass over the lists of the document with set and string tests: no JSON
Schema validator and no IRI grammar (which cost 40 ms per URL), so 10,000 components with
40,000 URLs are checked in a fraction of a second.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from exposure.core.errors import Problem

__all__ = ["SPEC_VERSIONS", "Finding", "check_document", "spdx_ids"]

SPEC_VERSIONS = ("1.2", "1.3", "1.4", "1.5", "1.6", "1.7")
_MAX_PROBLEMS = 20
_MAX_POINTERS = 3

# The fields each object may have in CycloneDX 1.2 to 1.7 (the union of the versions'
# schemas): anything else is an unknown field, a warning.
_BOM = frozenset(
    {
        "$schema", "bomFormat", "specVersion", "serialNumber", "version", "metadata",
        "components", "services", "externalReferences", "dependencies", "compositions",
        "properties", "vulnerabilities", "annotations", "formulation", "declarations",
        "definitions", "citations", "signature",
    }
)  # fmt: skip
_METADATA = frozenset(
    {
        "timestamp", "lifecycles", "tools", "authors", "component", "manufacture",
        "manufacturer", "supplier", "licenses", "properties", "distributionConstraints",
    }
)  # fmt: skip
_COMPONENT = frozenset(
    {
        "type", "mime-type", "bom-ref", "supplier", "manufacturer", "authors", "author",
        "publisher", "group", "name", "version", "versionRange", "description", "scope",
        "hashes", "licenses", "copyright", "cpe", "purl", "omniborId", "swhid", "swid",
        "modified", "pedigree", "externalReferences", "properties", "components", "evidence",
        "releaseNotes", "modelCard", "data", "cryptoProperties", "tags", "isExternal",
        "patentAssertions", "signature",
    }
)  # fmt: skip
_SERVICE = frozenset(
    {
        "bom-ref", "provider", "group", "name", "version", "description", "endpoints",
        "authenticated", "x-trust-boundary", "trustZone", "data", "licenses",
        "externalReferences", "services", "releaseNotes", "properties", "tags",
        "patentAssertions", "signature",
    }
)  # fmt: skip
_ENTITY = frozenset({"name", "address", "url", "contact", "bom-ref"})
_CONTACT = frozenset({"bom-ref", "name", "email", "phone"})
_LICENSE = frozenset(
    {"bom-ref", "id", "name", "acknowledgement", "text", "url", "licensing", "properties"}
)
_LICENSE_CHOICE = frozenset({"license", "expression", "acknowledgement", "bom-ref"})
_REFERENCE = frozenset({"url", "comment", "type", "hashes", "properties"})
_DEPENDENCY = frozenset({"ref", "dependsOn", "provides"})
_COMPONENT_TYPES = frozenset(
    {
        "application", "container", "cryptographic-asset", "data", "device", "device-driver",
        "file", "firmware", "framework", "library", "machine-learning-model",
        "operating-system", "platform",
    }
)  # fmt: skip
_REFERENCE_TYPES = frozenset(
    {
        "adversary-model", "advisories", "attestation", "bom", "build-meta", "build-system",
        "certification-report", "chat", "citation", "codified-infrastructure",
        "component-analysis-report", "configuration", "digital-signature", "distribution",
        "distribution-intake", "documentation", "dynamic-analysis-report",
        "electronic-signature", "evidence", "exploitability-statement", "formulation",
        "issue-tracker", "license", "log", "mailing-list", "maturity-report", "model-card",
        "other", "patent", "patent-assertion", "patent-family", "pentest-report", "poam",
        "quality-metrics", "release-notes", "rfc-9116", "risk-assessment",
        "runtime-analysis-report", "security-contact", "social", "source-distribution",
        "static-analysis-report", "support", "threat-model", "vcs", "vulnerability-assertion",
        "website",
    }
)  # fmt: skip
_SERIAL = re.compile(
    r"urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
_NIL_UUID = re.compile(r"urn:uuid:[0-]+")
# A URL's shape, not its grammar: white space, or a build variable left unresolved.
_ODD_URL = re.compile(r"\s|\$\{")


@dataclass(frozen=True)
class Finding:
    """A schema finding kept as a warning: ``check`` names it (``licence_id_and_name``...),
    ``message`` says it in words (with the value), ``pointers`` are the first places,
    ``count`` how many there are."""

    check: str
    message: str
    pointers: tuple[str, ...]
    count: int

    def detail(self) -> str:
        where = ", ".join(self.pointers)
        more = (
            f" and {self.count - len(self.pointers):,} more"
            if self.count > len(self.pointers)
            else ""
        )
        times = f" ({self.count:,} places)" if self.count > 1 else ""
        return f"{self.message}{times}: {where}{more}"


@functools.cache
def spdx_ids() -> dict[str, str]:
    """The SPDX licence ids the CycloneDX schemas list (as shipped by cyclonedx-python-lib),
    by their lower-case form."""
    from importlib import resources

    text = resources.files("cyclonedx.schema._res").joinpath("spdx.SNAPSHOT.schema.json")
    ids = json.loads(text.read_text(encoding="utf-8")).get("enum", [])
    return {str(spdx).lower(): str(spdx) for spdx in ids}


@functools.cache
def _spdx_set() -> frozenset[str]:
    return frozenset(spdx_ids().values())


@dataclass
class _Check:
    file: str
    version: str
    problems: list[Problem] = field(default_factory=list)
    found: dict[tuple[str, str], list[Any]] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)

    # -- recording ---------------------------------------------------------------------------

    def refuse(self, pointer: str, message: str, value: Any = None) -> None:
        if len(self.problems) <= _MAX_PROBLEMS:
            shown = value if isinstance(value, str) else None if value is None else repr(value)
            self.problems.append(
                Problem(
                    self.file, f"CycloneDX {self.version}: {message}", column=pointer, value=shown
                )
            )

    def warn(self, check: str, message: str, pointer: str, value: str | None = None) -> None:
        if value is not None:
            pointer = f"{pointer} ({value!r})"
        entry = self.found.get((check, message))
        if entry is None:
            self.found[(check, message)] = [1, [pointer]]
        else:
            entry[0] += 1
            if len(entry[1]) < _MAX_POINTERS:
                entry[1].append(pointer)

    def findings(self) -> list[Finding]:
        return [
            Finding(check, message, tuple(pointers), count)
            for (check, message), (count, pointers) in self.found.items()
        ]

    # -- shapes ------------------------------------------------------------------------------

    def objects(self, value: Any, pointer: str, what: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """The objects of a list that must hold objects; anything else refuses."""
        if value is None:
            return
        if not isinstance(value, list):
            self.refuse(pointer, f"{what} must be a list")
            return
        for index, item in enumerate(value):
            here = f"{pointer}/{index}"
            if isinstance(item, dict):
                yield here, item
            else:
                self.refuse(here, f"each entry of {what} must be an object")

    def unknown(self, item: dict[str, Any], known: frozenset[str], what: str, pointer: str) -> None:
        extra = item.keys() - known
        for key in extra:
            self.warn(
                "unknown_field",
                f"{what} has a field the schema does not define: '{key}'",
                f"{pointer}/{key}",
            )

    def text(self, item: dict[str, Any], key: str, pointer: str, *, required: bool = False) -> None:
        value = item.get(key)
        if value is None:
            if required:
                self.refuse(pointer, f"'{key}' is required here and missing")
        elif not isinstance(value, str):
            self.refuse(f"{pointer}/{key}", f"'{key}' must be text", value)

    def bom_ref(self, item: dict[str, Any], pointer: str) -> None:
        ref = item.get("bom-ref")
        if ref is None:
            return
        here = f"{pointer}/bom-ref"
        if not isinstance(ref, str) or not ref.strip():
            self.refuse(here, "'bom-ref' must be non-empty text", ref)
        elif ref in self.refs:
            self.warn(
                "duplicate_bom_ref",
                "a bom-ref given to two entries: a dependency naming it is ambiguous (the first counts)",
                here,
                ref,
            )
        else:
            self.refs[ref] = pointer

    def url(self, value: Any, pointer: str) -> None:
        if not isinstance(value, str):
            self.refuse(pointer, "a URL must be text", value)
        elif not value:
            self.warn("url", "an empty URL", pointer)
        elif _ODD_URL.search(value):
            if "${" in value:
                self.warn(
                    "url",
                    "a URL with an unresolved build variable '${...}' (as Maven leaves them)",
                    pointer,
                )
            else:
                self.warn("url", "a URL with white space in it", pointer)

    def entity(self, value: Any, pointer: str) -> None:
        """An organizational entity (supplier, manufacturer, provider...)."""
        if value is None:
            return
        if isinstance(value, str):
            self.warn(
                "organization_as_text",
                "an organization given as text, where the schema has an object with a 'name' "
                "(read as its name)",
                pointer,
            )
            return
        if not isinstance(value, dict):
            self.refuse(pointer, "an organization must be an object with a 'name'")
            return
        self.text(value, "name", pointer)
        urls = value.get("url")
        if isinstance(urls, list):
            for index, url in enumerate(urls):
                self.url(url, f"{pointer}/url/{index}")
        elif isinstance(urls, str):
            self.warn(
                "url_not_a_list",
                "an organization's 'url' is text, where the schema has a list",
                f"{pointer}/url",
            )
        elif urls is not None:
            self.refuse(f"{pointer}/url", "an organization's 'url' must be a list of URLs")
        for here, contact in self.objects(value.get("contact"), f"{pointer}/contact", "'contact'"):
            self.text(contact, "name", here)
            self.unknown(contact, _CONTACT, "a contact", here)
        self.unknown(value, _ENTITY, "an organization", pointer)

    def authors(self, value: Any, pointer: str) -> None:
        if isinstance(value, list):
            for index, author in enumerate(value):
                if isinstance(author, str):
                    self.warn(
                        "organization_as_text",
                        "an author given as text, where the schema has an object with a "
                        "'name' (read as its name)",
                        f"{pointer}/{index}",
                    )
            value = [author for author in value if not isinstance(author, str)]
        for here, author in self.objects(value, pointer, "'authors'"):
            self.text(author, "name", here)
            self.unknown(author, _CONTACT, "an author", here)

    def licences(self, value: Any, pointer: str) -> None:
        if value is None:
            return
        if not isinstance(value, list):
            self.warn("licenses", "'licenses' is not a list", pointer)
            return
        known, exact = spdx_ids(), _spdx_set()
        for index, choice in enumerate(value):
            here = f"{pointer}/{index}"
            if not isinstance(choice, dict):
                self.warn("licenses", "a licence entry that is not an object", here)
                continue
            self.unknown(choice, _LICENSE_CHOICE, "a licence entry", here)
            licence = choice.get("license")
            if licence is None:
                if not isinstance(choice.get("expression"), str):
                    self.warn(
                        "licenses", "a licence entry with neither 'license' nor 'expression'", here
                    )
                continue
            here += "/license"
            if not isinstance(licence, dict):
                self.warn("licenses", "a 'license' that is not an object", here)
                continue
            self.unknown(licence, _LICENSE, "a licence", here)
            spdx, name = licence.get("id"), licence.get("name")
            if spdx is not None and name is not None:
                self.warn(
                    "licence_id_and_name",
                    "a licence with both 'id' and 'name' (the schema allows one)",
                    here,
                )
            elif spdx is None and name is None:
                self.warn("licence_id_and_name", "a licence with neither 'id' nor 'name'", here)
            if isinstance(spdx, str) and spdx not in exact:
                proper = known.get(spdx.lower())
                if proper is not None:
                    self.warn(
                        "spdx_id",
                        f"SPDX licence id '{spdx}' in the wrong case (the SPDX id is '{proper}')",
                        f"{here}/id",
                    )
                else:
                    self.warn(
                        "spdx_id",
                        f"'{spdx}' is not an SPDX licence id (a licence 'name' would be)",
                        f"{here}/id",
                    )
            if licence.get("url") is not None:
                self.url(licence.get("url"), f"{here}/url")

    def references(self, value: Any, pointer: str) -> None:
        if value is None:
            return
        if not isinstance(value, list):
            self.warn("external_references", "'externalReferences' is not a list", pointer)
            return
        for index, reference in enumerate(value):
            here = f"{pointer}/{index}"
            if not isinstance(reference, dict):
                self.warn(
                    "external_references", "an external reference that is not an object", here
                )
                continue
            if reference.keys() - _REFERENCE:
                self.unknown(reference, _REFERENCE, "an external reference", here)
            kind = reference.get("type")
            if kind not in _REFERENCE_TYPES:
                self.warn(
                    "external_references",
                    f"external reference type {kind!r} is not one the schema lists",
                    f"{here}/type",
                )
            self.url(reference.get("url"), f"{here}/url")

    def properties(self, value: Any, pointer: str) -> None:
        for here, prop in self.objects(value, pointer, "'properties'"):
            if not isinstance(prop.get("name"), str):
                self.warn("properties", "a property without a 'name'", here)

    # -- entries -----------------------------------------------------------------------------

    def components(self, value: Any, pointer: str) -> None:
        stack = [(value, pointer)]
        while stack:
            items, where = stack.pop()
            for here, component in self.objects(items, where, "'components'"):
                self.component(component, here)
                nested = component.get("components")
                if nested is not None:
                    stack.append((nested, f"{here}/components"))

    def component(self, component: dict[str, Any], pointer: str) -> None:
        if component.keys() - _COMPONENT:
            self.unknown(component, _COMPONENT, "a component", pointer)
        kind = component.get("type")
        if not isinstance(kind, str):
            self.refuse(
                pointer if kind is None else f"{pointer}/type",
                "a component needs a 'type' (text)",
                kind,
            )
        elif kind not in _COMPONENT_TYPES:
            # The type says whether the component is a model: a misspelt one would hide it.
            self.refuse(
                f"{pointer}/type",
                f"component type '{kind}' is not one CycloneDX defines ("
                + ", ".join(sorted(_COMPONENT_TYPES))
                + ")",
                kind,
            )
        elif kind == "machine-learning-model" and self.version in ("1.2", "1.3", "1.4"):
            # Came in 1.5: still read as a model (what the author meant), but not valid here.
            self.warn(
                "component_type",
                f"component type 'machine-learning-model' is not in CycloneDX {self.version} "
                "(it came in 1.5); read as a model",
                f"{pointer}/type",
            )
        self.text(component, "name", pointer, required=True)
        for key in ("group", "publisher", "author", "purl"):
            if key in component:
                self.text(component, key, pointer)
        if "version" not in component and self.version in ("1.2", "1.3"):
            self.warn(
                "component_version",
                f"a component without a 'version' (required by CycloneDX {self.version})",
                pointer,
            )
        self.bom_ref(component, pointer)
        for role in ("supplier", "manufacturer"):
            self.entity(component.get(role), f"{pointer}/{role}")
        if "authors" in component:
            self.authors(component["authors"], f"{pointer}/authors")
        self.licences(component.get("licenses"), f"{pointer}/licenses")
        self.references(component.get("externalReferences"), f"{pointer}/externalReferences")
        if "properties" in component:
            self.properties(component["properties"], f"{pointer}/properties")

    def services(self, value: Any, pointer: str) -> None:
        stack = [(value, pointer)]
        while stack:
            items, where = stack.pop()
            for here, service in self.objects(items, where, "'services'"):
                self.service(service, here)
                nested = service.get("services")
                if nested is not None:
                    stack.append((nested, f"{here}/services"))

    def service(self, service: dict[str, Any], pointer: str) -> None:
        if service.keys() - _SERVICE:
            self.unknown(service, _SERVICE, "a service", pointer)
        self.text(service, "name", pointer, required=True)
        self.text(service, "description", pointer)
        self.bom_ref(service, pointer)
        self.entity(service.get("provider"), f"{pointer}/provider")
        endpoints = service.get("endpoints")
        if endpoints is not None:
            if not isinstance(endpoints, list):
                self.refuse(f"{pointer}/endpoints", "'endpoints' must be a list of URLs")
            else:
                for index, endpoint in enumerate(endpoints):
                    self.url(endpoint, f"{pointer}/endpoints/{index}")
        self.licences(service.get("licenses"), f"{pointer}/licenses")
        self.references(service.get("externalReferences"), f"{pointer}/externalReferences")
        if "properties" in service:
            self.properties(service["properties"], f"{pointer}/properties")

    def dependencies(self, value: Any) -> None:
        for here, dependency in self.objects(value, "/dependencies", "'dependencies'"):
            if dependency.keys() - _DEPENDENCY:
                self.unknown(dependency, _DEPENDENCY, "a dependency", here)
            ref = dependency.get("ref")
            if not isinstance(ref, str):
                self.refuse(
                    here if ref is None else f"{here}/ref", "a dependency needs a 'ref' (text)", ref
                )
            elif ref not in self.refs:
                self.warn(
                    "dangling_ref",
                    "a dependency's ref names no bom-ref of the document",
                    f"{here}/ref",
                    ref,
                )
            for key in ("dependsOn", "provides"):
                listed = dependency.get(key)
                if listed is None:
                    continue
                if not isinstance(listed, list):
                    self.refuse(f"{here}/{key}", f"'{key}' must be a list of bom-refs")
                    continue
                for index, target in enumerate(listed):
                    at = f"{here}/{key}/{index}"
                    if isinstance(target, dict) and isinstance(target.get("ref"), str):
                        self.warn(
                            "depends_on_objects",
                            f"'{key}' lists objects with a 'ref', where the schema has bom-ref text (read by their ref)",
                            at,
                        )
                        target = target["ref"]
                    if not isinstance(target, str):
                        self.refuse(at, f"each entry of '{key}' must be a bom-ref (text)", target)
                    elif target not in self.refs:
                        self.warn(
                            "dangling_ref",
                            f"'{key}' names a bom-ref the document does not define",
                            at,
                            target,
                        )


def check_document(
    document: dict[str, Any], file: str, *, has_nulls: bool = True
) -> tuple[list[Problem], list[Finding]]:
    """The problems that refuse a CycloneDX document and the findings kept as warnings.

    ``has_nulls`` False (the JSON reader saw no ``null`` value in an object, or the document
    came from XML) skips the search for them.
    """
    version = document.get("specVersion")
    if version not in SPEC_VERSIONS:
        return [
            Problem(
                file,
                f"unsupported CycloneDX specVersion {version!r}: expected one of "
                f"{', '.join(SPEC_VERSIONS)}",
                column="/specVersion",
            )
        ], []
    check = _Check(file, str(version))
    check.unknown(document, _BOM, "the document", "")
    serial = document.get("serialNumber")
    if serial is not None:
        if not isinstance(serial, str) or not _SERIAL.fullmatch(serial):
            check.warn(
                "serial_number",
                f"serialNumber {serial!r} is not a urn:uuid (a placeholder?)",
                "/serialNumber",
            )
        elif _NIL_UUID.fullmatch(serial):
            check.warn(
                "serial_number",
                f"serialNumber {serial!r} is the nil UUID, a placeholder",
                "/serialNumber",
            )
    if "version" in document and (
        not isinstance(document["version"], int) or isinstance(document["version"], bool)
    ):
        check.warn(
            "bom_version",
            f"the document's 'version' {document['version']!r} is not a whole number",
            "/version",
        )
    metadata = document.get("metadata")
    if metadata is not None:
        if not isinstance(metadata, dict):
            check.refuse("/metadata", "'metadata' must be an object")
        else:
            check.unknown(metadata, _METADATA, "metadata", "/metadata")
            for role in ("supplier", "manufacturer", "manufacture"):
                check.entity(metadata.get(role), f"/metadata/{role}")
            if "authors" in metadata:
                check.authors(metadata["authors"], "/metadata/authors")
            component = metadata.get("component")
            if component is not None:
                if not isinstance(component, dict):
                    check.refuse(
                        "/metadata/component", "the SBOM's own component must be an object"
                    )
                else:
                    check.component(component, "/metadata/component")
                    if component.get("components") is not None:
                        check.components(component["components"], "/metadata/component/components")
    check.components(document.get("components"), "/components")
    check.services(document.get("services"), "/services")
    check.references(document.get("externalReferences"), "/externalReferences")
    check.dependencies(document.get("dependencies"))
    if has_nulls:
        for pointer in _nulls(document):
            check.warn(
                "null_value", "a null value (the schema allows none; read as absent)", pointer
            )
    problems = check.problems
    if len(problems) > _MAX_PROBLEMS:
        problems = [
            *problems[:_MAX_PROBLEMS],
            Problem(file, "more problems of the same kind; fix these first"),
        ]
    return problems, check.findings()


def _nulls(document: Any) -> Iterator[str]:
    """The JSON pointer of every ``null`` value, in document order."""
    stack: list[tuple[Any, str]] = [(document, "")]
    while stack:
        item, pointer = stack.pop()
        pairs = item.items() if isinstance(item, dict) else enumerate(item)
        children = []
        for key, value in pairs:
            here = f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"
            if value is None:
                yield here
            elif isinstance(value, dict | list):
                children.append((value, here))
        stack.extend(reversed(children))
