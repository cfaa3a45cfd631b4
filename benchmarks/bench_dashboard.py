"""Dashboard benchmark: what-if reruns on sample_data/, and the affected network at 100,000.

1. **What-if rerun on sample_data/** (server side). The demo database is built, then a
   what-if (the transition days changed, so nothing is cached) is measured two ways:

   * *engine*: the library calls the Scenario and Affected network pages make
     (``assess``, ``organizations_frame``, ``headline``, ``build_view``,
     ``network_chart``), on the graph cached per data version;
   * *script rerun*: the whole Streamlit script (``dashboards/app.py`` with the page) rerun
     through ``streamlit.testing.v1.AppTest`` after the lever changed.

   Baseline in the same run: loading sample_data/ again (what a what-if must *not* redo).
   Target (issue 5): script rerun <= 300 ms.

2. **Affected network at 100,000 organizations** (real browser). A synthetic network
   (``--orgs`` organizations, about ``--edges`` dependencies, one designated vendor that
   reaches a large share of it) is loaded through the loader; a real ``streamlit run`` server
   serves it to Debian's Chromium driven by Playwright. In the browser: designate the vendor on
   the Scenario page (timed until the outcome figures show), then open the Affected network page
   (timed from the click until the graph and the headline figures are drawn), then a what-if
   from the browser (a cloud host marked non-compliant). Target: the Affected network page
   renders in <= 3 s after the scenario is set. A screenshot is saved.

Each timing is the median of ``--repeat`` runs where the page allows it; the machine is
shared, so the figures are printed with their spread.

    python benchmarks/bench_dashboard.py [--orgs 100000] [--edges 300000] [--repeat 5]
                                         [--out DIR] [--skip-browser]
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

APP = ROOT / "dashboards" / "app.py"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
TIMEOUT = 120_000


def _median(values: list[float]) -> str:
    return (
        f"{statistics.median(values) * 1000:7.0f} ms (min {min(values) * 1000:.0f}, "
        f"max {max(values) * 1000:.0f}, n={len(values)})"
    )


# 1. What-if rerun on sample_data/ -------------------------------------------------------------


def sample_whatif(workdir: Path, repeat: int) -> dict[str, list[float]]:
    from streamlit.testing.v1 import AppTest

    from exposure import assess as assess_scenario
    from exposure.app.network_chart import network_chart
    from exposure.app.network_view import build_view
    from exposure.ingest.mapping import LoadOptions
    from exposure.model.headline import headline
    from exposure.model.run import organizations_frame
    from exposure.model.scenario import ScenarioSpec
    from exposure.pipeline.demo import run_demo, sample_data_dir
    from exposure.warehouse.database import connect
    from exposure.warehouse.loading import load_files

    database = workdir / "sample-demo.duckdb"
    run_demo(database)

    # Baseline: loading sample_data/ into a fresh database, as the demo does.
    loads = []
    for attempt in range(max(1, repeat // 2)):
        fresh = workdir / f"reload-{attempt}.duckdb"
        con = connect(fresh)
        folder = sample_data_dir()
        started = time.perf_counter()
        for line in (folder / "manifest.csv").read_text(encoding="utf-8").splitlines()[1:]:
            name, buyer = line.split(",")[0], line.split(",")[1]
            load_files(con, [folder / name], LoadOptions(buyer=buyer or None))
        loads.append(time.perf_counter() - started)
        con.close()

    # Engine: the library calls of the Scenario and Affected network pages.
    con = connect(database)
    base = ScenarioSpec(designated=("Anthropic, PBC",), noncompliant=("Amazon Web Services",))
    assess_scenario(con, base, cache_key=str(database))  # the graph is built once
    engine = []
    for attempt in range(repeat):
        spec = dataclasses.replace(base, transition_days=100 + attempt)
        started = time.perf_counter()
        run = assess_scenario(con, spec, cache_key=str(database))
        frame = organizations_frame(run)
        headline(run)
        json.dumps(network_chart(build_view(run, frame, max_nodes=100)))
        engine.append(time.perf_counter() - started)
    con.close()

    # Whole script rerun, as the server runs it, on the Scenario and Affected network pages.
    os.environ["EXPOSURE_DB"] = str(database)
    os.environ.pop("EXPOSURE_DASHBOARD_SCENARIO", None)
    reruns: dict[str, list[float]] = {}
    for page in ("scenario", "network"):
        at = AppTest.from_file(str(APP), default_timeout=120)
        at.run()
        at.session_state["scenarios"] = {"baseline": dataclasses.replace(base, name="baseline")}
        at.session_state["active"] = "baseline"
        at.switch_page(f"views/{page}.py").run()
        at.run()  # warm: graph cached, page imported
        times = []
        for attempt in range(repeat):
            spec = dataclasses.replace(
                base, name="baseline", transition_days=200 + 10 * len(reruns) + attempt
            )
            at.session_state["scenarios"] = {"baseline": spec}
            # As the app does for a change made outside the levers' widgets.
            at.session_state["revision"] = at.session_state["revision"] + 1
            started = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - started)
            assert not at.exception, [e.value for e in at.exception]
            assert any(m.label == "Organizations affected" for m in at.metric)
        reruns[page] = times
    import streamlit as st

    st.cache_resource.clear()
    gc.collect()
    return {
        "load": loads,
        "engine": engine,
        "rerun_scenario": reruns["scenario"],
        "rerun_network": reruns["network"],
    }


# 2. The affected network at 100,000 organizations, in a browser -------------------------------

GENERATE = """
CREATE TABLE o AS
SELECT i, CASE WHEN i = 0 THEN 'Vendor Zero AI' ELSE 'Org ' || i END AS name,
       CASE WHEN i < 20 THEN 'model_provider' WHEN i < 100 THEN 'cloud_host'
            WHEN i < {orgs} * 0.05 THEN 'software_vendor' WHEN i < {orgs} * 0.5 THEN 'supplier'
            WHEN i < {orgs} * 0.95 THEN 'subcontractor' WHEN i < {orgs} - 50 THEN 'prime'
            ELSE 'agency' END AS kind
FROM range({orgs}) t(i);
COPY (SELECT name, kind FROM o) TO '{folder}/organizations.parquet' (FORMAT parquet);
-- Suppliers skewed to low ids (the big vendors and hosts), buyers downstream of them.
COPY (
    WITH raw AS (
        SELECT least({orgs} - 2, floor(pow(random(), 3) * {orgs})::BIGINT) AS s,
               random() AS r1, random() AS r2, random() AS r3, random() AS r4
        FROM range({edges}) t(i)
    ), e AS (
        SELECT s, s + 1 + floor(r1 * least(5000, {orgs} - 1 - s))::BIGINT AS b, r2, r3, r4 FROM raw
    )
    SELECT DISTINCT ON (b, s, product)
           'Org ' || b AS buyer,
           CASE WHEN s = 0 THEN 'Vendor Zero AI' ELSE 'Org ' || s END AS supplier,
           'component' AS relation,
           'product ' || ((s * 7 + floor(r2 * 3)::BIGINT) % 400) AS product,
           CASE WHEN r3 < 0.4 THEN NULL
                ELSE 'product ' || ((b * 7 + floor(r3 * 3)::BIGINT) % 400) END AS used_in,
           round(exp(8 + 6 * r4), 2) AS annual_value_usd, r4 < 0.2 AS essential,
           floor(r2 * 4)::INTEGER AS alternatives, round(r3 * 14, 1) AS replacement_months,
           r2 < 0.7 AS dod_use
    FROM e WHERE b < {orgs}
) TO '{folder}/relationships.parquet' (FORMAT parquet);
"""


def synthetic(workdir: Path, orgs: int, edges: int) -> tuple[Path, float, int]:
    """Generate and load the synthetic network; return the database, load seconds, edges."""
    import duckdb

    from exposure.warehouse.database import connect
    from exposure.warehouse.loading import load_files

    duckdb.connect().execute(GENERATE.format(orgs=orgs, edges=edges, folder=workdir))
    database = workdir / "synthetic.duckdb"
    con = connect(database)
    started = time.perf_counter()
    report = load_files(con, [workdir / "organizations.parquet", workdir / "relationships.parquet"])
    seconds = time.perf_counter() - started
    con.close()
    return database, seconds, report.edges


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _settle(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_timeout(200)
    page.wait_for_function(
        "() => document.querySelectorAll('[data-stale=\"true\"]').length === 0", timeout=TIMEOUT
    )


def _metric_is(page, label: str, value: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """Wait until a metric shows (and, if given, no longer shows ``value``), no rerun pending."""
    page.wait_for_function(
        """([label, value]) => {
            if (document.querySelectorAll('[data-stale="true"]').length) return false;
            return [...document.querySelectorAll('[data-testid="stMetric"]')].some(m =>
                m.innerText.includes(label) && (value === null ||
                m.querySelector('[data-testid="stMetricValue"]').innerText.trim() !== value));
        }""",
        arg=[label, value],
        timeout=TIMEOUT,
    )


def _graph_drawn(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until the Affected network page is up: its title, its figures and its graph drawn."""
    page.wait_for_function(
        """() => {
            if (document.querySelectorAll('[data-stale="true"]').length) return false;
            const title = document.querySelector('h1');
            if (!title || !title.innerText.includes('Affected network')) return false;
            const canvas = document.querySelector('.st-key-network_chart canvas');
            const metric = [...document.querySelectorAll('[data-testid="stMetric"]')]
                .some(m => m.innerText.includes('Organizations affected'));
            return canvas !== null && canvas.width > 0 && canvas.height > 0 && metric;
        }""",
        timeout=TIMEOUT,
    )
    # ECharts draws on the next animation frames; count them in.
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def browser_network(database: Path, workdir: Path, screenshot: Path, repeat: int) -> dict:
    from playwright.sync_api import sync_playwright

    from exposure.app.server import streamlit_command
    from exposure.warehouse.database import connect

    # The what-if: a cloud host that buys from the vendor keeps doing business with it.
    con = connect(database, read_only=True)
    host = con.execute(
        "SELECT b.name FROM edges e JOIN orgs s ON s.org_id = e.supplier_id "
        "JOIN orgs b ON b.org_id = e.buyer_id WHERE s.name = 'Vendor Zero AI' "
        "AND b.kind = 'cloud_host' ORDER BY b.org_id LIMIT 1"
    ).fetchall()[0][0]
    con.close()

    port = _free_port()
    log = workdir / "server.log"
    env = {**os.environ, "EXPOSURE_DB": str(database), "PYTHONPATH": str(ROOT)}
    env.pop("EXPOSURE_DASHBOARD_SCENARIO", None)
    with log.open("wb") as output:
        server = subprocess.Popen(
            streamlit_command(port=port, app=APP),
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    figures: dict[str, list[float]] = {
        "outcome_figures": [],
        "outcome_chart": [],
        "network": [],
        "network_hurried": [],
        "network_warm": [],
    }
    print(f"what-if: {host} (a cloud host buying from the vendor) marked non-compliant")
    whatif: list[float] = []
    try:
        for _ in range(240):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read() == b"ok":
                        break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for attempt in range(2 * repeat):
                # A fresh session each time, with an empty browser cache (so Streamlit's chart
                # bundle is fetched again); the server keeps the graph (per data version) but a
                # new transition period forces a new run. Even attempts read the Scenario page's
                # outcome (figures and tier chart) before opening the Affected network page;
                # odd ones open it as soon as the figures show.
                hurried = attempt % 2 == 1
                context = browser.new_context(viewport={"width": 1500, "height": 1100})
                page = context.new_page()
                page.set_default_timeout(TIMEOUT)
                page.goto(f"{url}/scenario")
                page.get_by_label("Find an organization (name, UEI, CAGE or alias)").wait_for()
                _settle(page)
                days = page.get_by_label("Transition days")
                days.fill(str(120 + attempt))
                days.press("Enter")
                _settle(page)
                box = page.get_by_label("Find an organization (name, UEI, CAGE or alias)")
                box.fill("Vendor Zero AI")
                box.press("Enter")
                page.get_by_text("match(es)").wait_for()
                _settle(page)
                started = time.perf_counter()
                page.get_by_role("button", name="Designate", exact=True).click()
                _metric_is(page, "Organizations affected")
                figures["outcome_figures"].append(time.perf_counter() - started)
                if not hurried:
                    page.locator(".st-key-tier_chart canvas").first.wait_for()
                    figures["outcome_chart"].append(time.perf_counter() - started)

                started = time.perf_counter()
                page.locator('[data-testid="stSidebarNav"] a').filter(
                    has_text="Affected network"
                ).first.click()
                _graph_drawn(page)
                figures["network_hurried" if hurried else "network"].append(
                    time.perf_counter() - started
                )

                page.locator('[data-testid="stSidebarNav"] a').filter(
                    has_text="Ranking"
                ).first.click()
                _settle(page)
                started = time.perf_counter()
                page.locator('[data-testid="stSidebarNav"] a').filter(
                    has_text="Affected network"
                ).first.click()
                _graph_drawn(page)
                figures["network_warm"].append(time.perf_counter() - started)
                if attempt == 0:
                    page.wait_for_timeout(800)
                    page.screenshot(path=str(screenshot), full_page=True)
                    exposed = page.locator('[data-testid="stMetric"]').filter(
                        has_text="Organizations affected"
                    )
                    figures["exposed_shown"] = [
                        float(
                            exposed.locator('[data-testid="stMetricValue"]')
                            .inner_text()
                            .replace(",", "")
                        )
                    ]
                    # A what-if from the browser: a cloud host keeps serving the vendor.
                    page.locator('[data-testid="stSidebarNav"] a').filter(
                        has_text="Scenario"
                    ).first.click()
                    _settle(page)
                    box = page.get_by_label("Find an organization (name, UEI, CAGE or alias)")
                    box.fill(host)
                    box.press("Enter")
                    page.get_by_text("match(es)").wait_for()
                    _settle(page)
                    started = time.perf_counter()
                    page.get_by_role("button", name="Mark non-compliant", exact=True).click()
                    _metric_is(page, "Non-compliant organizations", "0")
                    whatif.append(time.perf_counter() - started)
                context.close()
            browser.close()
    except Exception:
        print(log.read_text(errors="replace")[-4000:])
        raise
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    figures["whatif"] = whatif
    return figures


def server_side_network(database: Path, repeat: int) -> dict[str, list[float]]:
    """The library calls behind the Affected network page at this size, for the breakdown."""
    from exposure import assess as assess_scenario
    from exposure.app.network_chart import network_chart
    from exposure.app.network_view import build_view
    from exposure.model.headline import headline
    from exposure.model.run import organizations_frame
    from exposure.model.scenario import ScenarioSpec
    from exposure.warehouse.database import connect

    con = connect(database)
    spec = ScenarioSpec(designated=("Vendor Zero AI",), source="dashboard")
    assess_scenario(con, spec, cache_key=str(database))
    steps: dict[str, list[float]] = {"engine": [], "frame": [], "view": [], "figure": []}
    for attempt in range(repeat):
        spec = dataclasses.replace(spec, transition_days=300 + attempt)
        started = time.perf_counter()
        run = assess_scenario(con, spec, cache_key=str(database))
        steps["engine"].append(time.perf_counter() - started)
        started = time.perf_counter()
        frame = organizations_frame(run)
        headline(run)
        steps["frame"].append(time.perf_counter() - started)
        started = time.perf_counter()
        view = build_view(run, frame, max_nodes=100)
        steps["view"].append(time.perf_counter() - started)
        started = time.perf_counter()
        json.dumps(network_chart(view))
        steps["figure"].append(time.perf_counter() - started)
    steps["affected"] = [float((frame["status"] != "clear").sum())]
    con.close()
    return steps


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--edges", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    parser.add_argument("--skip-browser", action="store_true", help="Only the sample what-if.")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    ok = True
    try:
        print("== what-if rerun on sample_data/ (server side)")
        sample = sample_whatif(workdir, args.repeat)
        print(f"baseline: load sample_data/    {_median(sample['load'])}")
        print(f"engine (library calls)         {_median(sample['engine'])}")
        print(f"script rerun, Scenario page    {_median(sample['rerun_scenario'])}")
        print(f"script rerun, Network page     {_median(sample['rerun_network'])}")
        worst = max(
            statistics.median(sample["rerun_scenario"]), statistics.median(sample["rerun_network"])
        )
        ratio = worst / statistics.median(sample["load"])
        print(
            f"a what-if rerun takes {worst * 1000:.0f} ms, {ratio:.2f}x a reload of the data "
            "(target <= 300 ms)"
        )
        ok = ok and worst <= 0.300
        if not args.skip_browser:
            print(f"\n== affected network at {args.orgs:,} organizations (real browser)")
            started = time.perf_counter()
            database, load_seconds, edges = synthetic(workdir, args.orgs, args.edges)
            print(
                f"generated and loaded {args.orgs:,} organizations, {edges:,} dependencies in "
                f"{time.perf_counter() - started:.1f} s (load {load_seconds:.1f} s)"
            )
            side = server_side_network(database, args.repeat)
            print(f"exposed organizations: {int(side['affected'][0]):,}")
            for step in ("engine", "frame", "view", "figure"):
                print(f"server: {step:8s}               {_median(side[step])}")
            screenshot = args.out / "dashboard-100k-network.png"
            figures = browser_network(database, workdir, screenshot, max(1, args.repeat // 2))
            print(f"browser: designate -> figures  {_median(figures['outcome_figures'])}")
            print(f"browser: ... and tier chart    {_median(figures['outcome_chart'])}")
            print(f"browser: network page drawn    {_median(figures['network'])}")
            print(f"browser: ... opened at once    {_median(figures['network_hurried'])}")
            print(f"browser: network page, warm    {_median(figures['network_warm'])}")
            print(f"browser: what-if (host)        {_median(figures['whatif'])}")
            network = statistics.median(figures["network"])
            hurried = statistics.median(figures["network_hurried"])
            print(
                f"the Affected network page renders in {network:.2f} s after the scenario is set "
                f"({hurried:.2f} s when opened as soon as the Scenario page's figures show; "
                "target <= 3 s)"
            )
            print(f"screenshot: {screenshot}")
            ok = ok and network <= 3.0 and hurried <= 3.0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
