"""exposure: how a supply-chain-risk designation cascades through a contractor network.

The library is the product; the ``exposure`` command and the Streamlit dashboard are thin
shells over this public API, and import nothing lower. Data flows one way, one package per
step (each imports only the packages before it):

``core`` -> ``model`` (pure) -> ``ingest`` (files) -> ``warehouse`` (DuckDB, the only owner of
tables) -> ``screening`` -> ``report`` -> ``pipeline`` (:func:`assess`, :func:`build_report`,
:func:`write_report`) -> this API -> ``app`` (dashboard) and ``cli``.

>>> import exposure
>>> con = exposure.connect(":memory:")
>>> exposure.status(con).organizations
0

Names are imported when first used, so ``exposure --help`` does not pay for pandas.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from exposure.core.errors import DatabaseBusyError, ExposureError, LoadError, Problem
    from exposure.core.names import FUZZY_THRESHOLD, normalize_name
    from exposure.core.version import __version__
    from exposure.ingest.mapping import LoadOptions, parse_mapping
    from exposure.ingest.readers import ReadLimits
    from exposure.ingest.schema import LOAD_KINDS
    from exposure.model.chains import chains
    from exposure.model.choices import IMPACT_MODELS
    from exposure.model.compare import ScenarioDiff, compare_runs
    from exposure.model.engine import STATUS
    from exposure.model.headline import (
        FIGURES,
        Figure,
        Headline,
        compact_usd,
        headline,
        uncertainty_ranges,
    )
    from exposure.model.run import AssessmentRun, organizations_frame
    from exposure.model.scenario import ScenarioSpec
    from exposure.model.scope import ScopeClause, describe_scope, parse_clauses
    from exposure.model.uncertainty import LinkProbabilities
    from exposure.pipeline.assessment import (
        Progress,
        assess,
        build_report,
        report_bytes,
        report_download,
        report_text,
        write_report,
    )
    from exposure.pipeline.demo import DEMO_SCENARIO, DemoResult, run_demo
    from exposure.pipeline.spark_commands import assess_parquet, export_parquet, report_from
    from exposure.report.catalogue import INTERNAL_COLUMNS, SHEETS, column_label
    from exposure.report.tables import AssessmentTables
    from exposure.screening.matching import ScreeningResult, screen
    from exposure.screening.results import designate_confirmed, store_screening, write_matches
    from exposure.screening.review import (
        decide_review,
        review_history,
        review_queue,
        undo_review,
    )
    from exposure.warehouse.database import Status, connect, default_db_path, status
    from exposure.warehouse.loading import LoadReport, load_files
    from exposure.warehouse.scenarios import (
        UnknownNameError,
        designate,
        load_spec,
        reference_for,
        resolve_org,
        spec_for,
        undesignate,
        with_levers,
    )
    from exposure.warehouse.search import (
        designation_lists,
        filter_ranking,
        search_organizations,
        stored_scenarios,
    )

# Where each public name lives; imported on first use (PEP 562).
_HOME = {
    "__version__": "exposure.core.version",
    "DatabaseBusyError": "exposure.core.errors",
    "ExposureError": "exposure.core.errors",
    "LoadError": "exposure.core.errors",
    "Problem": "exposure.core.errors",
    "FUZZY_THRESHOLD": "exposure.core.names",
    "normalize_name": "exposure.core.names",
    "LoadOptions": "exposure.ingest.mapping",
    "parse_mapping": "exposure.ingest.mapping",
    "ReadLimits": "exposure.ingest.readers",
    "LOAD_KINDS": "exposure.ingest.schema",
    "chains": "exposure.model.chains",
    "ScenarioDiff": "exposure.model.compare",
    "compare_runs": "exposure.model.compare",
    "STATUS": "exposure.model.engine",
    "FIGURES": "exposure.model.headline",
    "Figure": "exposure.model.headline",
    "Headline": "exposure.model.headline",
    "compact_usd": "exposure.model.headline",
    "headline": "exposure.model.headline",
    "uncertainty_ranges": "exposure.model.headline",
    "LinkProbabilities": "exposure.model.uncertainty",
    "IMPACT_MODELS": "exposure.model.choices",
    "AssessmentRun": "exposure.model.run",
    "organizations_frame": "exposure.model.run",
    "ScenarioSpec": "exposure.model.scenario",
    "ScopeClause": "exposure.model.scope",
    "describe_scope": "exposure.model.scope",
    "parse_clauses": "exposure.model.scope",
    "Progress": "exposure.pipeline.assessment",
    "assess": "exposure.pipeline.assessment",
    "build_report": "exposure.pipeline.assessment",
    "report_bytes": "exposure.pipeline.assessment",
    "report_download": "exposure.pipeline.assessment",
    "report_text": "exposure.pipeline.assessment",
    "write_report": "exposure.pipeline.assessment",
    "DEMO_SCENARIO": "exposure.pipeline.demo",
    "DemoResult": "exposure.pipeline.demo",
    "run_demo": "exposure.pipeline.demo",
    "assess_parquet": "exposure.pipeline.spark_commands",
    "export_parquet": "exposure.pipeline.spark_commands",
    "report_from": "exposure.pipeline.spark_commands",
    "INTERNAL_COLUMNS": "exposure.report.catalogue",
    "SHEETS": "exposure.report.catalogue",
    "column_label": "exposure.report.catalogue",
    "AssessmentTables": "exposure.report.tables",
    "ScreeningResult": "exposure.screening.matching",
    "screen": "exposure.screening.matching",
    "designate_confirmed": "exposure.screening.results",
    "store_screening": "exposure.screening.results",
    "write_matches": "exposure.screening.results",
    "decide_review": "exposure.screening.review",
    "review_history": "exposure.screening.review",
    "review_queue": "exposure.screening.review",
    "undo_review": "exposure.screening.review",
    "Status": "exposure.warehouse.database",
    "connect": "exposure.warehouse.database",
    "default_db_path": "exposure.warehouse.database",
    "status": "exposure.warehouse.database",
    "LoadReport": "exposure.warehouse.loading",
    "load_files": "exposure.warehouse.loading",
    "UnknownNameError": "exposure.warehouse.scenarios",
    "designate": "exposure.warehouse.scenarios",
    "load_spec": "exposure.warehouse.scenarios",
    "reference_for": "exposure.warehouse.scenarios",
    "resolve_org": "exposure.warehouse.scenarios",
    "spec_for": "exposure.warehouse.scenarios",
    "undesignate": "exposure.warehouse.scenarios",
    "with_levers": "exposure.warehouse.scenarios",
    "designation_lists": "exposure.warehouse.search",
    "filter_ranking": "exposure.warehouse.search",
    "search_organizations": "exposure.warehouse.search",
    "stored_scenarios": "exposure.warehouse.search",
}

__all__ = [
    "DEMO_SCENARIO",
    "FIGURES",
    "FUZZY_THRESHOLD",
    "IMPACT_MODELS",
    "INTERNAL_COLUMNS",
    "LOAD_KINDS",
    "SHEETS",
    "STATUS",
    "AssessmentRun",
    "AssessmentTables",
    "DatabaseBusyError",
    "DemoResult",
    "ExposureError",
    "Figure",
    "Headline",
    "LinkProbabilities",
    "LoadError",
    "LoadOptions",
    "LoadReport",
    "Problem",
    "Progress",
    "ReadLimits",
    "ScenarioDiff",
    "ScenarioSpec",
    "ScopeClause",
    "ScreeningResult",
    "Status",
    "UnknownNameError",
    "__version__",
    "assess",
    "assess_parquet",
    "build_report",
    "chains",
    "column_label",
    "compact_usd",
    "compare_runs",
    "connect",
    "decide_review",
    "default_db_path",
    "describe_scope",
    "designate",
    "designate_confirmed",
    "designation_lists",
    "export_parquet",
    "filter_ranking",
    "headline",
    "load_files",
    "load_spec",
    "normalize_name",
    "organizations_frame",
    "parse_clauses",
    "parse_mapping",
    "reference_for",
    "report_bytes",
    "report_download",
    "report_from",
    "report_text",
    "resolve_org",
    "review_history",
    "review_queue",
    "run_demo",
    "screen",
    "search_organizations",
    "spec_for",
    "status",
    "store_screening",
    "stored_scenarios",
    "uncertainty_ranges",
    "undesignate",
    "undo_review",
    "with_levers",
    "write_matches",
    "write_report",
]


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'exposure' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
