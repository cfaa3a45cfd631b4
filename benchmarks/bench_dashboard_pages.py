"""Every dashboard page on a large warehouse (issue 12), timed as the server runs it.

The warehouse is one that ``bench_end_to_end.py`` built (``--db``, with the organization it
designates); each page runs through ``streamlit.testing.v1.AppTest``, the whole script as
the server runs it, with the scenario set in the session as the Scenario page sets it:

* *first*: switching to the page (the graph is cached per data version after the first page);
* *again*: the same page rerun (what a click on a widget costs);
* *what-if*: on the Affected network page, the transition period changed (nothing cached
  for it), then the page rerun;
* *download*: on the Download page, the network's JSON prepared.

Baseline in the same run: the engine alone (``assess`` on the cached graph, in-process).
Reported: seconds per step, exceptions and errors shown by each page, and the process's peak
resident memory.

    python benchmarks/bench_dashboard_pages.py --db DIR/bench.duckdb --designate "Org 0000000 LLC"
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

APP = ROOT / "dashboards" / "app.py"
PAGES = ("scenario", "network", "ranking", "detail", "compare", "downloads", "data")


def _problems(at) -> list[str]:
    return [str(e.value)[:300] for e in at.exception] + [str(e.value)[:300] for e in at.error]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--designate", required=True)
    parser.add_argument("--pages", default=",".join(PAGES))
    args = parser.parse_args()

    from streamlit.testing.v1 import AppTest

    from exposure import assess as assess_scenario
    from exposure import connect
    from exposure.model.run import organizations_frame
    from exposure.model.scenario import ScenarioSpec

    spec = ScenarioSpec(name="baseline", designated=(args.designate,))
    con = connect(args.db, read_only=True)
    try:
        started = time.perf_counter()
        run = assess_scenario(con, spec, store=False)
        first_engine = time.perf_counter() - started
        started = time.perf_counter()
        run = assess_scenario(con, dataclasses.replace(spec, transition_days=181), store=False)
        engine = time.perf_counter() - started
        ranked = organizations_frame(run)
        detail_org = int(ranked.loc[ranked["status"] == "exposed", "org_id"].iloc[0])
    finally:
        con.close()
    results: dict[str, dict[str, object]] = {
        "engine alone": {
            "first (reads the graph)": round(first_engine, 2),
            "again": round(engine, 2),
        }
    }
    print(f"engine alone: {results['engine alone']}", file=sys.stderr)

    os.environ["EXPOSURE_DB"] = str(args.db)
    os.environ.pop("EXPOSURE_DASHBOARD_SCENARIO", None)
    for page in args.pages.split(","):
        at = AppTest.from_file(str(APP), default_timeout=1800)
        at.run()
        at.session_state["scenarios"] = {"baseline": spec}
        at.session_state["active"] = "baseline"
        at.session_state["detail_org"] = detail_org
        figures: dict[str, object] = {}
        started = time.perf_counter()
        at.switch_page(f"views/{page}.py").run()
        figures["first"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        at.run()
        figures["again"] = round(time.perf_counter() - started, 2)
        if page == "network":
            at.session_state["scenarios"] = {
                "baseline": dataclasses.replace(spec, transition_days=200)
            }
            at.session_state["revision"] = at.session_state["revision"] + 1
            started = time.perf_counter()
            at.run()
            figures["what-if"] = round(time.perf_counter() - started, 2)
        if page == "downloads":
            at.radio(key="download_format").set_value("json").run()
            started = time.perf_counter()
            at.button(key="prepare").click().run()
            figures["download json"] = round(time.perf_counter() - started, 2)
            try:
                prepared = at.session_state["prepared_download"]
            except KeyError:
                prepared = None
            figures["download bytes"] = len(prepared[2]) if prepared else 0
        figures["problems"] = _problems(at)
        figures["metrics"] = len(at.metric)
        results[page] = figures
        print(f"{page}: {figures}", file=sys.stderr)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results["peak resident MB"] = {"value": round(peak)}
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
