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
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from exposure.core.cells import is_formula_like
from exposure.core.errors import ExposureError
from exposure.model.chains import chains
from exposure.model.choices import CONFIDENCE
from exposure.model.engine import DESIGNATED, NONCOMPLIANT, STATUS
from exposure.model.headline import headline
from exposure.model.run import AssessmentRun
from exposure.report.catalogue import INTERNAL_COLUMNS
from exposure.report.plain import plain_frame
from exposure.report.tables import AssessmentTables
from exposure.report.workbook import write_workbook

if TYPE_CHECKING:
    pass

__all__ = [
    "assessment_json",
    "organization_json",
    "write_csv",
    "write_report",
]


def assessment_json(run: AssessmentRun, *, detail_for: int | None = None) -> dict[str, Any]:
    """The SPEC 5.1 JSON: scenario, designated names, dates and one object per organization.

    Every organization of the network is listed; ``paths`` holds the shortest chain from a
    designated or non-compliant organization (a source's own path is just its name); for
    ``detail_for`` up to three distinct chains are given, the first a shortest.
    """
    graph, result = run.graph, run.result
    names = graph.names
    hidden = run.undocumented_orgs
    chance = run.uncertainty.p_exposed if run.uncertainty is not None else None
    organizations = []
    for org in range(graph.n_orgs):
        status = int(result.status[org])
        if org == detail_for:
            paths = chains(run, org, k=3)
        elif status != 0:
            paths = [run.chain_names(org)]
        else:
            paths = []
        tier = int(result.tier[org])
        links = [CONFIDENCE[graph.confidence[e]] for e in result.chain_edges(org)]
        organizations.append(
            {
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
        )
    scenario = run.scenario
    return {
        "scenario": scenario.name,
        "designated": sorted(
            str(names[i]) for i in range(graph.n_orgs) if result.status[i] == DESIGNATED
        ),
        "noncompliant": sorted(
            str(names[i]) for i in range(graph.n_orgs) if result.status[i] == NONCOMPLIANT
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
        "organizations": organizations,
        "uncertainty": _uncertainty_json(run),
    }


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


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """A frame as UTF-8 CSV, formula-like text made inert (see :func:`safe_cell`).

    Internal id columns are left out, except ``org_id``.
    """
    frame = frame[[c for c in frame.columns if c == "org_id" or c not in INTERNAL_COLUMNS]].copy()
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column].dtype):
            text = frame[column].astype(object)
            risky = text.map(is_formula_like)
            frame[column] = text.where(~risky.astype(bool), "'" + text.astype(str))
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\r\n", date_format="%Y-%m-%d")
    return path


def write_report(
    run: AssessmentRun,
    path: Path,
    *,
    tables: AssessmentTables,
    progress: Callable[[str, int, int], None] | None = None,
) -> Path:
    """Write the assessment by the file's extension, all from the same run and tables.

    * ``.xlsx``: the workbook of :mod:`exposure.report.workbook` (SPEC 5.1);
    * ``.csv``: the affected organizations (``tables.organizations``), ranked;
    * ``.json``: the SPEC 5.1 JSON (:func:`assessment_json`) with the headline figures, plus,
      when the tables were built for one organization, its own assessment under ``"for"``
      (:func:`organization_json`).

    Raises:
        ExposureError: another extension.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".csv", ".xlsx"):
        raise ExposureError(
            f"cannot write '{path.name}': the report formats are .xlsx, .csv and .json"
        )
    if suffix == ".json":
        payload = assessment_json(run, detail_for=tables.for_org_id)
        payload["as_of"] = None if tables.as_of is None else tables.as_of.isoformat()
        payload["overdue_days"] = tables.overdue_days
        if tables.for_org_id is not None:
            payload["for"] = organization_json(tables)
        path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return path
    if suffix == ".csv":
        # rank first, plain numbers and true/false, no internal ids (exposure.report.plain)
        return write_csv(plain_frame(tables.organizations), path)
    return write_workbook(tables, path, progress=progress)
