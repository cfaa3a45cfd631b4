"""Assessment outputs: the workbook, the affected-organizations CSV and the SPEC 5.1 JSON.

:func:`write_report` picks the format from the file's extension; all three come from the same
:class:`~exposure.pipeline.assessment.AssessmentRun` (and the :class:`~exposure.report.tables.AssessmentTables`
built from it). Cells of the CSV that a spreadsheet would run as formulas (text beginning with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return: :func:`exposure.core.cells.is_formula_like`)
are prefixed with an apostrophe; the workbook never writes a formula at all (see
:mod:`exposure.report.xlsx_cells`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, time
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from exposure.core.errors import ExposureError
from exposure.model.chains import chains
from exposure.model.choices import CONFIDENCE
from exposure.model.engine import DESIGNATED, NONCOMPLIANT, STATUS
from exposure.model.headline import headline
from exposure.model.remediation import overdue_days
from exposure.model.run import AssessmentRun
from exposure.report.companions import write_table
from exposure.report.csv_file import write_csv
from exposure.report.plain import plain_frame
from exposure.report.tables import AssessmentTables

if TYPE_CHECKING:
    pass

__all__ = [
    "assessment_json",
    "organization_json",
    "write_csv",
    "write_json",
    "write_parquet",
    "write_report",
]


def assessment_json(run: AssessmentRun, *, detail_for: int | None = None) -> dict[str, Any]:
    """The SPEC 5.1 JSON: scenario, designated names, dates and one object per organization.

    Every organization of the network is listed; ``paths`` holds the shortest chain from a
    designated or non-compliant organization (a source's own path is just its name); for
    ``detail_for`` up to three distinct chains are given, the first a shortest.
    """
    payload = _head(run)
    payload["organizations"] = list(_organizations(run, detail_for))
    payload["uncertainty"] = _uncertainty_json(run)
    return payload


def _organizations(
    run: AssessmentRun, detail_for: int | None, orgs: Iterable[int] | None = None
) -> Iterator[dict[str, Any]]:
    """The JSON object of each organization (or of ``orgs``), one at a time, in org_id order."""
    graph, result = run.graph, run.result
    names = graph.names
    hidden = run.undocumented_orgs
    chance = run.uncertainty.p_exposed if run.uncertainty is not None else None
    for org in range(graph.n_orgs) if orgs is None else orgs:
        status = int(result.status[org])
        if org == detail_for:
            paths = chains(run, org, k=3)
        elif status != 0:
            paths = [run.chain_names(org)]
        else:
            paths = []
        tier = int(result.tier[org])
        links = [CONFIDENCE[graph.confidence[e]] for e in result.chain_edges(org)]
        yield {
            "name": str(names[org]),
            "org_id": org,
            "kind": str(graph.kinds[org]),
            "exposed": status != 0,
            "tier": tier if tier >= 0 else None,
            "impact": round(float(run.impact[org]), 6),
            "value_at_risk_usd": float(result.value_at_risk_usd[org]),
            "status": STATUS[status],
            "paths": paths,
            "late": bool(result.late[org]),
            "obliged": bool(result.obliged[org]),
            "undocumented": bool(hidden[org]),
            # The confidence of each link of the shortest chain (``paths[0]``).
            "confidence": links,
            **({"p_exposed": round(float(chance[org]), 6)} if chance is not None else {}),
        }


# Organizations written per vectorized pass of the streamed JSON.
_JSON_CHUNK = 65_536

# An organization's object in the streamed JSON: the constant pieces between its fields'
# texts (each organization's text after the first starts with ",").
_ORG_PIECES = [
    ',\n    {\n      "name": ',
    ',\n      "org_id": ',
    ',\n      "kind": ',
    ',\n      "exposed": ',
    ',\n      "tier": ',
    ',\n      "impact": ',
    ',\n      "value_at_risk_usd": ',
    ',\n      "status": ',
    ',\n      "paths": ',
    ',\n      "late": ',
    ',\n      "obliged": ',
    ',\n      "undocumented": ',
    ',\n      "confidence": ',
    "",  # p_exposed, when samples were run, comes here
    "\n    }",
]


def _float_text(value: float) -> str:
    """A float as :func:`_dumps` writes it."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


def _float_texts(values: np.ndarray, digits: int | None = None) -> list[str]:
    """:func:`_float_text` of each value (rounded to ``digits`` as :func:`round` does)."""
    numbers = values.tolist()
    if digits is not None:
        numbers = list(map(round, numbers, repeat(digits, len(numbers))))
    if np.isfinite(values).all():
        return list(map(float.__repr__, numbers))
    return list(map(_float_text, numbers))


def _bool_texts(values: np.ndarray) -> list[str]:
    return np.where(values, "true", "false").tolist()


def _chain_matrix(run: AssessmentRun, orgs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each organization's shortest chain as edges in order, padded with -1; and its length.

    One vectorized step per link: every organization walks back along ``edge_from`` at once.
    """
    result = run.result
    edge_from = result.edge_from
    current = result.org_via[orgs]
    backwards = []
    while (current >= 0).any():
        backwards.append(current)
        current = np.where(current >= 0, edge_from[np.maximum(current, 0)], -1)
    if not backwards:
        return np.full((len(orgs), 0), -1, dtype=np.int64), np.zeros(len(orgs), dtype=np.int64)
    walked = np.stack(backwards, axis=1)
    length = (walked >= 0).sum(axis=1)
    position = length[:, None] - 1 - np.arange(walked.shape[1])[None, :]
    rows = np.arange(len(orgs))[:, None]
    forward = np.where(position >= 0, walked[rows, np.maximum(position, 0)], -1)
    return forward, length


def _chosen(mask: np.ndarray, texts: np.ndarray | str) -> list[str]:
    """``texts`` (per row, or one text) where ``mask``, else the empty string."""
    return np.where(mask, texts, "").astype(object).tolist()


def _organization_texts(run: AssessmentRun, detail_for: int | None, start: int, stop: int) -> str:
    """The JSON text of organizations ``start`` to ``stop``: for each item
    :func:`_organizations` yields, ``"\\n    " + _dumps(item, 2)``, joined by commas.

    Built as segments, each a constant text or one text per organization (a field, or a
    piece of a list padded with empty texts past its end), interleaved and joined once."""
    graph, result = run.graph, run.result
    orgs = np.arange(start, stop)
    status = result.status[start:stop]
    exposed = status != 0
    names = np.array([_encode_string(str(name)) for name in graph.names[start:stop]], dtype=object)
    # Chains: the names along each organization's shortest chain, and their links' confidence.
    forward, length = _chain_matrix(run, orgs)
    has_edges = length > 0
    source = (status == DESIGNATED) | (status == NONCOMPLIANT)
    head = (
        np.where(has_edges, graph.supplier[np.maximum(forward[:, 0], 0)], orgs)
        if forward.shape[1]
        else orgs
    )
    # Padding (past a chain's end) repeats the chain's head, so that every id is in ``met``.
    buyers = np.where(forward >= 0, graph.buyer[np.maximum(forward, 0)], head[:, None])
    # Each name met along the chunk's chains is encoded once.
    met = np.unique(np.concatenate([head, buyers[forward >= 0]]))
    encoded = np.array([_encode_string(str(name)) for name in graph.names[met]], dtype=object)
    labels = np.array([_encode_string(label) for label in CONFIDENCE], dtype=object)
    first = exposed & (has_edges | source)
    paths: list[str | list[str]] = [
        np.where(
            exposed, np.where(first, "[\n        [\n          ", "[\n        []\n      ]"), "[]"
        ).tolist(),
        _chosen(first, encoded[np.searchsorted(met, head)]),
    ]
    confidence: list[str | list[str]] = [np.where(has_edges, "[\n        ", "[]").tolist()]
    for column in range(forward.shape[1]):
        there = forward[:, column] >= 0
        link = labels[graph.confidence[np.maximum(forward[:, column], 0)]]
        paths += [
            _chosen(there, ",\n          "),
            _chosen(there, encoded[np.searchsorted(met, buyers[:, column])]),
        ]
        confidence += ([_chosen(there, ",\n        ")] if column else []) + [_chosen(there, link)]
    paths.append(_chosen(first, "\n        ]\n      ]"))
    confidence.append(_chosen(has_edges, "\n      ]"))
    tier = [str(t) if t >= 0 else "null" for t in result.tier[start:stop].tolist()]
    kinds = [_encode_string(str(kind)) for kind in graph.kinds[start:stop]]
    words = [_encode_string(word) for word in STATUS]
    chance = run.uncertainty.p_exposed if run.uncertainty is not None else None
    extra = (
        [',\n      "p_exposed": ' + text for text in _float_texts(chance[start:stop], 6)]
        if chance is not None
        else ""
    )
    fields: list[list[str | list[str]]] = [
        [names.tolist()],
        [list(map(str, orgs.tolist()))],
        [kinds],
        [_bool_texts(exposed)],
        [tier],
        [_float_texts(run.impact[start:stop], 6)],
        [_float_texts(result.value_at_risk_usd[start:stop])],
        [[words[code] for code in status.tolist()]],
        paths,
        [_bool_texts(result.late[start:stop])],
        [_bool_texts(result.obliged[start:stop])],
        [_bool_texts(run.undocumented_orgs[start:stop])],
        confidence,
        [extra],
    ]
    segments: list[str | list[str]] = []
    for piece, field in zip(_ORG_PIECES, fields, strict=False):
        segments += [piece, *field]
    segments.append(_ORG_PIECES[-1])
    # One join for the chunk: each segment fills every ``width``-th slot.
    count, width = len(orgs), len(segments)
    parts: list[str] = [""] * (count * width)
    for index, segment in enumerate(segments):
        parts[index::width] = [segment] * count if isinstance(segment, str) else segment
    parts[0] = _ORG_PIECES[0].removeprefix(",")  # no comma before the chunk's first
    if detail_for is not None and start <= detail_for < stop:
        item = next(_organizations(run, detail_for, orgs=[detail_for]))
        row = (detail_for - start) * width
        parts[row : row + width] = [""] * width
        parts[row] = ("," if detail_for > start else "") + "\n    " + _dumps(item, 2)
    return "".join(parts)


def _head(run: AssessmentRun) -> dict[str, Any]:
    """The JSON's keys before ``organizations``, in order."""
    graph, result = run.graph, run.result
    names = graph.names
    scenario = run.scenario
    return {
        "scenario": scenario.name,
        "designated": sorted(str(names[i]) for i in np.flatnonzero(result.status == DESIGNATED)),
        "noncompliant": sorted(
            str(names[i]) for i in np.flatnonzero(result.status == NONCOMPLIANT)
        ),
        "effective_date": scenario.effective.isoformat(),
        "deadline": scenario.deadline.isoformat(),
        "transition_days": scenario.transition_days,
        "scope": scenario.scope,
        "scope_clauses": [clause.as_dict() for clause in scenario.clauses],
        "scope_words": run.scope_words,
        "unknown_scope": scenario.unknown_scope,
        "unknown_scoped_edges": result.unknown_scoped_edges,
        "out_of_scope_edges": result.out_of_scope_edges,
        "model": run.spec.model,
        "data_version": run.data_version,
        "notes": run.notes,
        "headline": headline(run).as_dict(),
    }


_encode_string = json.encoder.encode_basestring


def _dumps(value: object, depth: int) -> str:
    """``value`` as :func:`json.dumps` with ``indent=2`` writes it ``depth`` levels deep.

    Written here because ``json.dumps`` with an indent runs its pure-Python encoder: this is
    the same text several times faster (the strings still go through the C escaper).
    """
    if isinstance(value, str):
        return _encode_string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "Infinity" if value > 0 else "-Infinity"
        return float.__repr__(value)
    inner = "\n" + "  " * (depth + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = (
            f"{_dumps(str(key) if not isinstance(key, str) else key, 0)}: {_dumps(item, depth + 1)}"
            for key, item in value.items()
        )
    elif isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        items = (_dumps(item, depth + 1) for item in value)
    else:
        return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * depth)
    return (
        "[{"[isinstance(value, dict)]
        + inner
        + ("," + inner).join(items)
        + ("\n" + "  " * depth + "]}"[isinstance(value, dict)])
    )


def write_json(
    run: AssessmentRun,
    path: Path,
    *,
    tables: AssessmentTables | None,
    as_of: date | None = None,
) -> Path:
    """Write the JSON of :func:`assessment_json` (plus ``"for"``, see :func:`write_report`)
    streaming: one organization object at a time, so memory does not grow with the network.
    The as-of date is the tables' when they are given, else ``as_of`` (default today).

    The bytes equal ``json.dumps(payload, indent=2, ensure_ascii=False) + "\\n"``.
    """
    head = _head(run)
    tail: dict[str, Any] = {"uncertainty": _uncertainty_json(run)}
    detail_for = tables.for_org_id if tables is not None else None
    if tables is not None and tables.as_of is not None:
        as_of = tables.as_of
    as_of = as_of or date.today()
    tail["as_of"] = as_of.isoformat()
    tail["overdue_days"] = (
        tables.overdue_days if tables is not None else overdue_days(run.scenario, as_of)
    )
    if tables is not None and detail_for is not None:
        tail["for"] = organization_json(tables)
    with path.open("w", encoding="utf-8") as handle:
        handle.write("{")
        for key, value in head.items():
            handle.write(f"\n  {json.dumps(key, ensure_ascii=False)}: {_dumps(value, 1)},")
        handle.write('\n  "organizations": [')
        n_orgs = run.graph.n_orgs
        for start in range(0, n_orgs, _JSON_CHUNK):
            text = _organization_texts(run, detail_for, start, min(start + _JSON_CHUNK, n_orgs))
            handle.write(("," if start else "") + text)  # each chunk starts without one
        handle.write("\n  ]" if n_orgs else "]")
        for key, value in tail.items():
            handle.write(f",\n  {json.dumps(key, ensure_ascii=False)}: {_dumps(value, 1)}")
        handle.write("\n}\n")
    return path


def _uncertainty_json(run: AssessmentRun) -> dict[str, Any] | None:
    """The Monte Carlo's summary for the JSON, or None when no samples were run."""
    simulated = run.uncertainty
    if simulated is None:
        return None
    p5, p50, p95 = simulated.value_at_risk_range
    l5, l50, l95 = simulated.late_range
    chances = simulated.probabilities
    return {
        "samples": simulated.samples,
        "seed": simulated.seed,
        "value_at_risk_usd": {"p5": p5, "p50": p50, "p95": p95},
        "late_organizations": {"p5": l5, "p50": l50, "p95": l95},
        "probabilities": {
            "confirmed": 1.0,
            "reported": chances.reported,
            "inferred": chances.inferred,
            "unknown": chances.unknown,
        },
    }


def _json_value(value: object) -> object:
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready rows: dates in ISO form, missing values as null."""
    plain = frame.astype(object).where(frame.notna(), None)
    return [
        {str(key): _json_value(value) for key, value in record.items()}
        for record in plain.to_dict("records")
    ]


def organization_json(tables: AssessmentTables) -> dict[str, Any]:
    """One organization's own assessment (``tables`` built ``for_org``) as JSON objects."""
    summary = tables.summary[tables.summary["section"] == "Organization"]
    return {
        "organization": tables.for_org,
        "facts": {str(f): t for f, t in zip(summary["fact"], summary["text"], strict=True)},
        "chains": [
            [str(group["supplier"].iloc[0]), *map(str, group["buyer"])]
            for _, group in tables.paths.groupby("chain", sort=True)
        ],
        "paths": _records(tables.paths),
        "remediation": _records(tables.remediation),
        "programs": _records(tables.programs),
        "reporting": _records(tables.reporting),
        "data_quality": _records(tables.data_quality),
        "answers": _records(tables.answers),
    }


def write_parquet(run: AssessmentRun, path: Path, *, tables: AssessmentTables) -> Path:
    """The ranked organizations of the CSV (same columns, same order: rank first, no internal
    ids) as Parquet, for analysts who load them elsewhere, with their types kept; text is
    written as it is (no spreadsheet runs a Parquet file)."""
    columns = list(plain_frame(tables.organizations.head(0)).columns)
    return write_table(tables.organizations[columns].reset_index(drop=True), path)


def write_report(
    run: AssessmentRun,
    path: Path,
    *,
    tables: AssessmentTables | None,
    progress: Callable[[str, int, int], None] | None = None,
    as_of: date | None = None,
) -> Path:
    """Write the assessment by the file's extension, all from the same run and tables
    (``as_of``: the network JSON's date when it is written without tables).

    * ``.xlsx``: the workbook of :mod:`exposure.report.workbook` (SPEC 5.1);
    * ``.csv``: the affected organizations (``tables.organizations``), ranked;
    * ``.json``: the SPEC 5.1 JSON (:func:`assessment_json`) with the headline figures, plus,
      when the tables were built for one organization, its own assessment under ``"for"``
      (:func:`organization_json`); ``tables`` may be ``None`` for the network's JSON, which
      needs only the run;
    * ``.parquet``: the CSV's ranked organizations.

    Raises:
        ExposureError: another extension.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".csv", ".xlsx", ".parquet"):
        raise ExposureError(
            f"cannot write '{path.name}': the report formats are .xlsx, .csv, .json and .parquet"
        )
    if suffix == ".json":
        return write_json(run, path, tables=tables, as_of=as_of)
    if tables is None:
        raise ValueError(f"{path.name}: the tables of the run are needed for this format")
    if suffix == ".parquet":
        return write_parquet(run, path, tables=tables)
    if suffix == ".csv":
        # rank first, plain numbers and true/false, no internal ids (exposure.report.plain)
        return write_csv(plain_frame(tables.organizations), path)
    # openpyxl is imported only when a workbook is written (the JSON and CSV do without it).
    from exposure.report.workbook import write_workbook

    return write_workbook(tables, path, progress=progress)
