"""The built graph kept on disk beside its database, so a second command does not rebuild it.

A graph is stored as a folder of ``.npy`` files, ``<database>.graph/<data version>/``, with a
``meta.json`` naming the format and the data version. It is written into a temporary folder
and renamed into place (readers never see half a graph), read back with memory mapping (a
second command pays only the pages it touches), and ignored if unreadable, of another format
or of another data version. Writing a version removes the others: a load changes the data
version, so the graph of the data before it is stale.

Nothing is written for an in-memory database or a read-only connection.

>>> import duckdb
>>> graph_folder(duckdb.connect(":memory:")) is None
True
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from dataclasses import fields
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from exposure.core.sql import is_read_only
from exposure.core.version import __version__
from exposure.model.graph import Graph

__all__ = ["FORMAT", "graph_folder", "read_graph", "write_graph"]

logger = logging.getLogger(__name__)

FORMAT = "exposure-graph/2"  # 2: an agency's prime contracts carry no replacement time
"""Changes whenever the arrays' meaning or layout changes: a stored graph of another is rebuilt."""

_SEPARATOR = "\x00"


def graph_folder(con: duckdb.DuckDBPyConnection) -> Path | None:
    """Where the graphs of the connection's database live (``None`` for an in-memory one)."""
    rows = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()  # fetched to the end: DuckDB keeps a result open until then
    row = rows[0] if rows else None
    if row is None or not row[0]:
        return None
    return Path(str(row[0]) + ".graph")


def _version_folder(folder: Path, version: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in version)
    return folder / safe


def read_graph(con: duckdb.DuckDBPyConnection, version: str) -> Graph | None:
    """The graph stored for ``version`` beside the database, or ``None`` (absent, unreadable,
    another format or another version: the caller builds it)."""
    folder = graph_folder(con)
    if folder is None:
        return None
    target = _version_folder(folder, version)
    if not (target / "meta.json").is_file():
        return None
    try:
        meta = json.loads((target / "meta.json").read_text(encoding="utf-8"))
        if (meta.get("format"), meta.get("release"), meta.get("data_version")) != (
            FORMAT,
            __version__,
            version,
        ):
            logger.info("stored graph in %s is of another format or version: rebuilding", target)
            return None
        values: dict[str, Any] = {"data_version": version}
        for item in fields(Graph):
            if item.name == "data_version":
                continue
            if item.name in meta["strings"]:
                values[item.name] = _read_strings(target, item.name, meta["strings"][item.name])
            else:
                values[item.name] = np.load(
                    target / f"{item.name}.npy", mmap_mode="r", allow_pickle=False
                )
        graph = Graph(**values)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        logger.warning("cannot read the stored graph in %s (%s): rebuilding", target, exc)
        return None
    logger.info(
        "graph: reused %s (%d organizations, %d edges)", target, graph.n_orgs, graph.n_edges
    )
    return graph


def write_graph(con: duckdb.DuckDBPyConnection, graph: Graph) -> Path | None:
    """Store ``graph`` beside the database (atomically) and remove the graphs of other versions.

    Returns the folder written, or ``None`` when nothing may be written (in-memory database,
    read-only connection) or the graph cannot be stored (a failure is logged, never raised:
    the graph is only a cache).
    """
    folder = graph_folder(con)
    if folder is None or is_read_only(con):
        return None
    target = _version_folder(folder, graph.data_version)
    try:
        folder.mkdir(exist_ok=True)
        _remove_stale(folder, keep=target.name)
        if target.exists():
            return target
        temporary = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder))
        try:
            strings: dict[str, list[int]] = {}
            for item in fields(Graph):
                value = getattr(graph, item.name)
                if item.name == "data_version":
                    continue
                array = np.asarray(value)
                if array.dtype == object:
                    strings[item.name] = _write_strings(temporary, item.name, array)
                else:
                    np.save(temporary / f"{item.name}.npy", array, allow_pickle=False)
            meta = {
                "format": FORMAT,
                "release": __version__,
                "data_version": graph.data_version,
                "strings": strings,
            }
            (temporary / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
            os.replace(temporary, target)
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True)
            raise
    except (OSError, ValueError) as exc:
        if target.is_dir() and (target / "meta.json").is_file():
            return target  # another process stored the same version first
        logger.warning(
            "cannot store the graph in %s (%s): it will be rebuilt next time", folder, exc
        )
        return None
    logger.info("graph: stored in %s", target)
    return target


def _remove_stale(folder: Path, *, keep: str) -> None:
    for entry in folder.iterdir():
        if entry.name != keep and entry.is_dir() and not entry.name.startswith(".tmp-"):
            shutil.rmtree(entry, ignore_errors=True)


def _write_strings(folder: Path, name: str, array: np.ndarray) -> list[int]:
    """Store strings (or ``None``) as UTF-8 joined by NUL; returns the positions of ``None``.

    Raises:
        ValueError: a string holds a NUL (it would split): the graph is then not stored.
    """
    missing = [i for i, text in enumerate(array.tolist()) if text is None]
    texts = ["" if text is None else str(text) for text in array.tolist()]
    joined = _SEPARATOR.join(texts)
    if joined.count(_SEPARATOR) != max(len(texts) - 1, 0):
        raise ValueError(f"a value of {name} holds a NUL character")
    data = np.frombuffer(joined.encode("utf-8"), dtype=np.uint8)
    np.save(folder / f"{name}.npy", data, allow_pickle=False)
    (folder / f"{name}.count").write_text(str(len(texts)), encoding="utf-8")
    return missing


def _read_strings(folder: Path, name: str, missing: list[int]) -> np.ndarray:
    data = np.load(folder / f"{name}.npy", allow_pickle=False)
    count = int((folder / f"{name}.count").read_text(encoding="utf-8"))
    texts: list[str | None] = (
        list(data.tobytes().decode("utf-8").split(_SEPARATOR)) if count else []
    )
    if len(texts) != count:
        raise ValueError(f"{name}: {len(texts)} values stored for {count}")
    for position in missing:
        texts[position] = None
    result = np.empty(count, dtype=object)
    result[:] = texts
    return result
