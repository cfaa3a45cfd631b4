"""Who makes and who runs an AI model or service: hub handles, brands and endpoint hosts.

An SBOM names the organizations behind a model or a model API the way its tooling sees them:
a Hugging Face namespace (``meta-llama``, ``deepseek-ai``), a product brand ("Claude",
"Azure OpenAI", "Bedrock"), an endpoint host (``bedrock-runtime.us-east-1.amazonaws.com``).
None of those is the legal entity a designation names, so none would ever match "Meta
Platforms, Inc.". The seed ``seeds/ai_makers.csv`` (``kind, key, organization, model_api,
source``) maps each to the organization, with the public page that shows it:

* ``handle``: a hub namespace, compared whole and without case (``meta-llama``);
* ``brand``: a name or product, compared with an organization field whole (a supplier named
  "Meta"), and, for brands of models and model APIs (``model_api`` true), looked for as whole
  words in the names of services and models ("GitHub Copilot Business"; the longest brand
  found wins, so "GitHub Copilot" is not also "Copilot");
* ``host``: an endpoint host pattern, ``*`` standing for one label (``bedrock-runtime.*.
  amazonaws.com``) or, leading, for any subdomain (``*.amazonaws.com``); the most specific
  pattern that matches wins. ``model_api`` says whether what is reached there is a model API.

A key may have several rows (a brand run by a subsidiary names the parent too): every row
is an organization the dependency reaches. The seed is read from the folder the warehouse
reads seeds from (``EXPOSURE_SEEDS``), falling back to the shipped one when that folder has
no ``ai_makers.csv``.
"""

from __future__ import annotations

import csv
import functools
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from exposure.core.errors import LoadError, Problem
from exposure.core.resources import seeds_dir

__all__ = [
    "SEED_FILE",
    "Maker",
    "MakerTable",
    "endpoint_host",
    "hub_namespace",
    "maker_table",
    "words",
]

SEED_FILE = "ai_makers.csv"
_KINDS = ("handle", "brand", "host")
_WORD = re.compile(r"[a-z0-9]+")
# Path segments of huggingface.co that are not a namespace.
_HUB_PAGES = frozenset(
    {"datasets", "spaces", "docs", "api", "models", "blog", "papers", "collections"}
)
# Package-URL types whose namespace is a model hub's organization handle.
HUB_PURL_TYPES = frozenset({"huggingface"})


def words(text: str) -> tuple[str, ...]:
    """The lower-case words of a text, as brands are looked for.

    >>> words("Llama-3.1-8B (GitHub Copilot)")
    ('llama', '3', '1', '8b', 'github', 'copilot')
    """
    return tuple(_WORD.findall(text.lower()))


@dataclass(frozen=True)
class Maker:
    """One row of the seed: ``key`` (of ``kind``) means ``organization``."""

    kind: str
    key: str
    organization: str
    model_api: bool
    source: str

    def describe(self) -> str:
        what = {"handle": "hub handle", "brand": "brand", "host": "endpoint host"}[self.kind]
        return f"{what} '{self.key}' -> {self.organization} ({SEED_FILE})"


@dataclass
class MakerTable:
    """The seed, indexed for the three ways of looking an organization up."""

    handles: dict[str, tuple[Maker, ...]] = field(default_factory=dict)
    brands: dict[str, tuple[Maker, ...]] = field(default_factory=dict)
    # Model brands by their first word: (words, makers), longest first.
    phrases: dict[str, list[tuple[tuple[str, ...], tuple[Maker, ...]]]] = field(
        default_factory=dict
    )
    # (compiled pattern, specificity, makers), most specific first.
    hosts: list[tuple[re.Pattern[str], int, tuple[Maker, ...]]] = field(default_factory=list)

    def organization(self, name: str | None) -> tuple[Maker, ...]:
        """The rows for an organization field's whole value (a handle, then a brand)."""
        if not name:
            return ()
        key = " ".join(name.split()).lower()
        return self.handles.get(key) or self.brands.get(key) or ()

    def handle(self, namespace: str | None) -> tuple[Maker, ...]:
        return self.handles.get(namespace.lower(), ()) if namespace else ()

    def in_name(self, text: str | None) -> tuple[Maker, ...]:
        """The model brands found as whole words in a name; a brand inside a longer one
        found at the same place is not counted ("GitHub Copilot" is not also "Copilot")."""
        if not text:
            return ()
        tokens = words(text)
        found: list[tuple[int, int, tuple[Maker, ...]]] = []
        for start, token in enumerate(tokens):
            for phrase, makers in self.phrases.get(token, ()):
                if tokens[start : start + len(phrase)] == phrase:
                    found.append((start, start + len(phrase), makers))
                    break  # longest first
        kept = [
            makers
            for start, end, makers in found
            if not any(s <= start and end <= e and (s, e) != (start, end) for s, e, _ in found)
        ]
        return _unique(m for makers in kept for m in makers)

    def for_host(self, host: str | None) -> tuple[Maker, ...]:
        """The rows of the most specific host pattern matching ``host``."""
        if not host:
            return ()
        for pattern, _, makers in self.hosts:
            if pattern.fullmatch(host):
                return makers
        return ()


def _unique(makers: Iterable[Maker]) -> tuple[Maker, ...]:
    seen: dict[tuple[str, str], Maker] = {}
    for maker in makers:
        seen.setdefault((maker.kind, maker.organization), maker)
    return tuple(seen.values())


def _host_pattern(key: str) -> tuple[re.Pattern[str], int]:
    """A host pattern as a regular expression, and how specific it is (literal characters).

    >>> p, n = _host_pattern("bedrock-runtime.*.amazonaws.com")
    >>> bool(p.fullmatch("bedrock-runtime.us-east-1.amazonaws.com")), n
    (True, 30)
    >>> p, _ = _host_pattern("*.amazonaws.com")
    >>> bool(p.fullmatch("s3.eu-west-1.amazonaws.com")), bool(p.fullmatch("amazonaws.com"))
    (True, False)
    """
    key = key.lower()
    if key.startswith("*."):
        head, rest = r"(?:[^.]+\.)+", key[2:]
    elif key.startswith("*"):
        head, rest = r"[^.]+", key[1:]
    else:
        head, rest = "", key
    body = r"[^.]+".join(re.escape(part) for part in rest.split("*"))
    return re.compile(head + body), len(rest.replace("*", ""))


def _seed_path() -> Path:
    configured = os.environ.get("EXPOSURE_SEEDS")
    if configured and (Path(configured) / SEED_FILE).is_file():
        return Path(configured) / SEED_FILE
    return seeds_dir() / SEED_FILE


def maker_table() -> MakerTable:
    """The seed's rows, indexed (read again only when the file changes).

    Raises:
        LoadError: the seed is missing or a row is malformed (a reference table, not data: it
            is named with its row so that it can be fixed).
    """
    path = _seed_path()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        raise LoadError(
            [Problem(SEED_FILE, f"the seed of AI makers is missing ({path})")]
        ) from None
    return _read(str(path), stamp)


@functools.lru_cache(maxsize=4)
def _read(path: str, stamp: int) -> MakerTable:
    groups: dict[tuple[str, str], list[Maker]] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            kind = (row.get("kind") or "").strip()
            key = " ".join((row.get("key") or "").split())
            organization = " ".join((row.get("organization") or "").split())
            flag = (row.get("model_api") or "").strip().lower()
            if kind not in _KINDS or not key or not organization or flag not in ("true", "false"):
                raise LoadError(
                    [
                        Problem(
                            SEED_FILE,
                            "a row needs kind (handle, brand or host), key, organization and "
                            "model_api (true or false)",
                            row=number,
                        )
                    ]
                )
            maker = Maker(kind, key, organization, flag == "true", row.get("source") or "")
            groups.setdefault((kind, key.lower()), []).append(maker)
    table = MakerTable()
    for (kind, key), makers in groups.items():
        rows = tuple(makers)
        if kind == "handle":
            table.handles[key] = rows
        elif kind == "brand":
            table.brands[key] = rows
            if any(m.model_api for m in rows):
                phrase = words(key)
                if phrase:
                    table.phrases.setdefault(phrase[0], []).append((phrase, rows))
        else:
            pattern, specificity = _host_pattern(key)
            table.hosts.append((pattern, specificity, rows))
    for options in table.phrases.values():
        options.sort(key=lambda item: -len(item[0]))
    table.hosts.sort(key=lambda item: -item[1])
    return table


def endpoint_host(endpoint: str) -> str | None:
    """The lower-case host of an endpoint (a URL, or a bare ``host[:port]/path``).

    >>> endpoint_host("https://bedrock-runtime.us-east-1.amazonaws.com/model/x/invoke")
    'bedrock-runtime.us-east-1.amazonaws.com'
    >>> endpoint_host("api.openai.com:443/v1"), endpoint_host("urn:x")
    ('api.openai.com', None)
    """
    text = endpoint.strip()
    if "://" not in text:
        if ":" in text.split("/", 1)[0] and not re.match(r"^[^:/]+:\d+(/|$)", text):
            return None  # a URN or another scheme without an authority
        text = "//" + text
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return None
    return host.rstrip(".") if host and "." in host else None


def hub_namespace(
    name: str | None, purl: str | None, urls: list[str] | tuple[str, ...] = ()
) -> tuple[str, str] | None:
    """The hub organization handle of a model, and where it was read: the namespace of a
    ``pkg:huggingface`` purl (``%2F`` as written by some generators), of a name written
    ``namespace/model``, or of a ``huggingface.co`` URL.

    >>> hub_namespace(None, "pkg:huggingface/meta-llama/Llama-3.1-8B@5206a32")
    ('meta-llama', 'purl')
    >>> hub_namespace("x", "pkg:huggingface/test-org%2Ftest-model@1.0")
    ('test-org', 'purl')
    >>> hub_namespace("deepseek-ai/DeepSeek-R1", None)
    ('deepseek-ai', 'name')
    >>> hub_namespace("model", None, ["https://huggingface.co/mistralai/Mistral-7B-v0.1"])
    ('mistralai', 'url')
    """
    if purl and purl.lower().startswith("pkg:"):
        body = purl[4:].lstrip("/")
        kind, _, rest = body.partition("/")
        if kind.lower() in HUB_PURL_TYPES:
            path = unquote(re.split(r"[@?#]", rest, maxsplit=1)[0])
            parts = [part for part in path.split("/") if part]
            if len(parts) >= 2:
                return parts[0], "purl"
    if name and name.count("/") == 1 and " " not in name.strip():
        namespace, model = (part.strip() for part in name.split("/"))
        if namespace and model:
            return namespace, "name"
    for url in urls:
        if not isinstance(url, str) or "huggingface.co" not in url:
            continue
        try:
            split = urlsplit(url.strip())
        except ValueError:
            continue
        if (split.hostname or "").lower() not in ("huggingface.co", "www.huggingface.co"):
            continue
        segments = [segment for segment in split.path.split("/") if segment]
        if len(segments) >= 2 and segments[0].lower() not in _HUB_PAGES:
            return segments[0], "url"
    return None
