"""Assessment outputs: the machine-readable JSON of SPEC 5.1 and the affected-organizations CSV.

Cells of the CSV that begin with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return are
prefixed with an apostrophe so that no spreadsheet program runs them as formulas.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pandas as pd

from exposure.engine import DESIGNATED, NONCOMPLIANT, STATUS
from exposure.errors import ExposureError
from exposure.pipeline import AssessmentRun, chains, organizations_frame

__all__ = ["assessment_json", "safe_cell", "write_report"]

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula, made inert with a leading apostrophe.

    >>> safe_cell("=HYPERLINK(\\"http://x\\")"), safe_cell("Acme"), safe_cell(-3)
    ('\\'=HYPERLINK("http://x")', 'Acme', -3)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def assessment_json(run: AssessmentRun, *, detail_for: int | None = None) -> dict[str, Any]:
    """The SPEC 5.1 JSON: scenario, designated names, dates and one object per organization.

    Every organization of the network is listed; ``paths`` holds the shortest chain from a
    designated or non-compliant organization (a source's own path is just its name); for
    ``detail_for`` up to three distinct chains are given, the first a shortest.
    """
    graph, result = run.graph, run.result
    names = graph.names
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
        "model": run.spec.model,
        "data_version": run.data_version,
        "notes": run.notes,
        "organizations": organizations,
    }


def write_report(run: AssessmentRun, path: Path, *, detail_for: int | None = None) -> Path:
    """Write the assessment as JSON (``.json``) or the affected organizations as CSV (``.csv``).

    Raises:
        ExposureError: another extension (the Excel workbook comes with the report module).
    """
    suffix = path.suffix.lower()
    if suffix == ".json":
        payload = assessment_json(run, detail_for=detail_for)
        path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return path
    if suffix == ".csv":
        frame = organizations_frame(run)
        frame = frame[frame["exposed"]]
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            columns = [
                "name",
                "kind",
                "status",
                "tier",
                "impact",
                "value_at_risk_usd",
                "late",
                "obliged",
            ]
            writer.writerow([*columns, "shortest_path"])
            for record in frame.to_dict("records"):
                values = ["" if pd.isna(record[c]) else record[c] for c in columns]
                path_names = " > ".join(run.chain_names(int(record["org_id"])))
                writer.writerow([safe_cell(v) for v in [*values, path_names]])
        return path
    raise ExposureError(f"cannot write '{path.name}': the report formats are .json and .csv")
