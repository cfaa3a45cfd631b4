"""What the pages share: the database, the session's cursor, the scenarios, cached runs.

* One read-write DuckDB connection per server process, held only while a run uses it: the
  entry point wraps each run in :func:`holding`, and the connection is closed a moment
  (``EXPOSURE_DASHBOARD_IDLE_S``, 1 s) after the last run ends, so that the CLI can read or
  load the same database while the dashboard sits open (DuckDB lets one process write at a
  time). Opening it again waits for a command that holds it, saying so on the page. Each
  browser session works through its own cursor (``con.cursor()``).
* The graph is cached per data version by :func:`exposure.model.graph.load_graph`; runs are cached
  per (database, data version, scenario), so a what-if reruns only the engine, and a load (a
  new data version) makes every page recompute.
* A session keeps its scenarios (``ScenarioSpec``, organization names) in ``st.session_state``:
  the one on screen is edited on the Scenario page and read by every other page.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import duckdb
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from exposure import (
    FIGURES,
    AssessmentRun,
    ExposureError,
    Headline,
    Problem,
    ScenarioSpec,
    assess,
    compact_usd,
    connect,
    default_db_path,
    designation_lists,
    headline,
    load_spec,
    organizations_frame,
    search_organizations,
    stored_scenarios,
    uncertainty_ranges,
)
from exposure.app.pages import data_version, has_data, problems_frame
from exposure.app.server import open_cursor
from exposure.app.text import plain

SOURCE = "dashboard"
DEFAULT_SCENARIO = "baseline"


def db_path() -> str:
    """The database this server serves: ``EXPOSURE_DB`` or ./exposure.duckdb, absolute."""
    return str(default_db_path().resolve())


class _Holder:
    """The server's connection to one database: opened when a run needs it, closed when no
    run has used it for ``idle`` seconds."""

    def __init__(self, path: str, idle: float) -> None:
        self.path = path
        self.idle = idle
        self.lock = threading.Lock()
        self.con: duckdb.DuckDBPyConnection | None = None
        self.runs = 0
        self.timer: threading.Timer | None = None

    def connection(self) -> duckdb.DuckDBPyConnection:
        with self.lock:
            if self.timer is not None:
                self.timer.cancel()
                self.timer = None
            if self.con is None:
                self.con = connect(self.path, on_wait=_show_wait)
            return self.con

    def enter(self) -> None:
        with self.lock:
            self.runs += 1

    def leave(self) -> None:
        with self.lock:
            self.runs = max(self.runs - 1, 0)
            if self.runs == 0 and self.con is not None and self.timer is None:
                self.timer = threading.Timer(self.idle, self.close_if_idle)
                self.timer.daemon = True
                self.timer.start()

    def close_if_idle(self) -> None:
        with self.lock:
            self.timer = None
            if self.runs == 0 and self.con is not None:
                self.con.close()
                self.con = None

    def close(self) -> None:
        with self.lock:
            if self.timer is not None:
                self.timer.cancel()
                self.timer = None
            if self.con is not None:
                self.con.close()
                self.con = None


def _show_wait(notice: str) -> None:
    st.info(plain(notice))


def _idle_seconds() -> float:
    try:
        return max(float(os.environ.get("EXPOSURE_DASHBOARD_IDLE_S", "1")), 0.0)
    except ValueError:
        return 1.0


@st.cache_resource(show_spinner=False, on_release=lambda holder: holder.close())
def _holder(path: str) -> _Holder:
    return _Holder(path, _idle_seconds())


@contextmanager
def holding() -> Iterator[None]:
    """One run of the script: the database stays open while any run is inside this block."""
    holder = _holder(db_path())
    holder.enter()
    try:
        yield
    finally:
        holder.leave()


def release_now() -> None:
    """Close the server's connection at once if no run holds it (tests, shutdown)."""
    _holder(db_path()).close_if_idle()


@st.cache_resource(show_spinner=False)
def load_lock(path: str) -> threading.Lock:
    """Loads into one database run one at a time, whatever the session."""
    return threading.Lock()


def cursor() -> duckdb.DuckDBPyConnection:
    """This session's cursor on the server's connection, for the thread of this run."""
    path = db_path()
    connection = _holder(path).connection()
    state = st.session_state
    # A new server connection (another database, or the cache was cleared) needs a new cursor,
    # and so does a new run thread: Streamlit may start a session's next run while the last
    # one is still inside a DuckDB call, and a cursor serves one call at a time.
    thread = threading.get_ident()
    if (
        state.get("_cursor_of") is not connection
        or state.get("_cursor_thread") != thread
        or "_cursor" not in state
    ):
        state["_cursor"] = open_cursor(connection)
        state["_cursor_of"] = connection
        state["_cursor_thread"] = thread
    cursor: duckdb.DuckDBPyConnection = state["_cursor"]
    return cursor


def _initial_scenario(con: duckdb.DuckDBPyConnection) -> ScenarioSpec:
    """The scenario a new session opens on: the one named at start-up, else an empty one."""
    named = os.environ.get("EXPOSURE_DASHBOARD_SCENARIO")
    if named:
        try:
            spec = load_spec(con, named)
            return dataclasses.replace(spec, name=named, source=SOURCE)
        except ExposureError:
            pass
    return ScenarioSpec(name=DEFAULT_SCENARIO, source=SOURCE)


def scenarios() -> dict[str, ScenarioSpec]:
    """The session's scenarios by name (created on first use)."""
    state = st.session_state
    if "scenarios" not in state:
        first = _initial_scenario(cursor())
        state["scenarios"] = {first.name: first}
        state["active"] = first.name
        state["revision"] = 0
    found: dict[str, ScenarioSpec] = state["scenarios"]
    return found


def active_name() -> str:
    scenarios()
    return str(st.session_state["active"])


def active_spec() -> ScenarioSpec:
    return scenarios()[active_name()]


def set_spec(spec: ScenarioSpec, *, from_widget: bool = False) -> None:
    """Replace a scenario of the session (by its name) and make it the one on screen.

    Changes that do not come from the levers' own widgets bump a revision that is part of
    those widgets' keys, so they show the new values instead of their old state.
    """
    scenarios()[spec.name] = spec
    st.session_state["active"] = spec.name
    if not from_widget:
        st.session_state["revision"] = int(st.session_state.get("revision", 0)) + 1


def revision() -> int:
    scenarios()
    return int(st.session_state.get("revision", 0))


def as_of() -> date:
    """The date the assessment speaks for (the Scenario page's "As of"; default today)."""
    value = st.session_state.get("as_of")
    return value if isinstance(value, date) else date.today()


def deadline_words(run: AssessmentRun) -> str:
    """Where the as-of date stands against the run's deadline, in words."""
    when, deadline = as_of(), run.scenario.deadline
    if when > deadline:
        return (
            f"As of {when} the deadline ({deadline}) passed {(when - deadline).days} days ago: "
            "every open exposed dependency is overdue."
        )
    return f"As of {when}: {(deadline - when).days} days to the deadline ({deadline})."


# Runs -----------------------------------------------------------------------------------------


# Runs kept per server process, the most recently used last: (database, data version,
# scenario, samples) -> (run, organizations frame, headline). A dictionary kept by hand rather
# than a cached function, so that a run not kept yet can show its steps on the page.
_RUNS_KEPT = 16
_runs_lock = threading.Lock()


@st.cache_resource(show_spinner=False)
def _runs() -> OrderedDict[tuple[str, str, str, int], tuple[AssessmentRun, pd.DataFrame, Headline]]:
    return OrderedDict()


def samples() -> int:
    """Monte Carlo samples asked for on the Ranking page (0: none), seed 0."""
    return int(st.session_state.get("mc_samples", 0))


def _run_of(spec: ScenarioSpec | None) -> tuple[AssessmentRun, pd.DataFrame, Headline]:
    spec = dataclasses.replace(spec or active_spec(), source=SOURCE)
    con = cursor()
    path = db_path()
    key = (path, data_version(con), repr(spec), samples())
    runs = _runs()
    with _runs_lock:
        kept = runs.get(key)
        if kept is not None:
            runs.move_to_end(key)
            return kept
    # Seconds on a large network (the graph is read or built, then the engine runs): the
    # steps show by name while it runs.
    slot = st.empty()
    shown: list[Any] = []

    def progress(step: str, done: int, total: int) -> None:
        if not shown:
            shown.append(slot.status("Assessing the scenario", expanded=False))
        shown[0].update(label=f"Assessing the scenario: {step} ({done} of {total} steps)")

    try:
        # What-ifs are not stored: the dashboard keeps them in its session, not in res_runs.
        run = assess(
            con, spec, cache_key=path, store=False, samples=key[3], seed=0, progress=progress
        )
        progress("ranking the organizations", 4, 4)
        made = (run, organizations_frame(run), headline(run))
    finally:
        slot.empty()
    with _runs_lock:
        runs[key] = made
        while len(runs) > _RUNS_KEPT:
            runs.popitem(last=False)
    return made


def run_key(run: AssessmentRun) -> str:
    """A key naming a run's inputs (data version and scenario), for caches of its views."""
    return f"{db_path()}|{run.data_version}|{run.spec!r}"


def assessment(spec: ScenarioSpec | None = None) -> tuple[AssessmentRun, pd.DataFrame]:
    """The run of a scenario (the one on screen by default) on the data loaded now.

    Runs are cached per (database, data version, scenario): a what-if runs the engine once,
    on the graph :func:`exposure.model.graph.load_graph` keeps per data version.
    """
    run, frame, _ = _run_of(spec)
    return run, frame


def page_header(title: str) -> bool:
    """Title a page about the scenario on screen and state it; False (with a message saying
    what to do first) when no data is loaded or nothing is designated yet."""
    st.title(title)
    if not need_data():
        return False
    spec = active_spec()
    st.markdown(spec_summary(spec))
    return need_designation(spec)


def org_name(frame: pd.DataFrame, org: int) -> str:
    """An organization's name from an organizations frame."""
    return str(frame.loc[frame["org_id"] == org, "name"].iloc[0])


def spec_summary(spec: ScenarioSpec) -> str:
    """The scenario in one line of Markdown; every name in it is shown as plain text."""
    designated = ", ".join(plain(name) for name in spec.designated) or "nobody yet"
    text = f"**{plain(spec.name)}**: designated {designated}"
    if spec.noncompliant:
        text += f"; non-compliant {', '.join(plain(name) for name in spec.noncompliant)}"
    deadline = spec.effective.toordinal() + spec.transition_days
    from datetime import date

    text += (
        f"; effective {spec.effective:%Y-%m-%d}, deadline "
        f"{date.fromordinal(deadline):%Y-%m-%d}, scope {spec.scope}"
    )
    text += f", impact model {spec.model}"
    return text


# The figures on the first row; the others follow on a second row.
_FIRST_ROW = (
    "organizations_affected",
    "organizations_exposed",
    "value_at_risk_usd",
    "late_dependencies",
    "late_organizations",
)


def show_headline(figures: Headline, run: AssessmentRun | None = None) -> None:
    """The headline figures, labelled and explained as on every other surface (FIGURES), and
    the Monte Carlo's ranges when ``run`` has them."""
    shown = [f for f in FIGURES if f.name in _FIRST_ROW]
    shown.sort(key=lambda f: _FIRST_ROW.index(f.name))
    rest = [f for f in FIGURES if f.name not in _FIRST_ROW]
    for row in (shown, rest):
        line = metric_row()
        for figure in row:
            value = figures.value(figure.name)
            if figure.money:
                line.metric(
                    figure.label,
                    compact_usd(value),
                    help=f"${value:,.0f}. {figure.help}",
                    width="content",
                )
            else:
                line.metric(figure.label, f"{int(value):,}", help=figure.help, width="content")
    ranges = uncertainty_ranges(run) if run is not None else []
    if ranges:
        line = metric_row()
        for label, text in ranges:
            line.metric(label, text, width="content")


def metric_row() -> DeltaGenerator:
    """A row of figures that wraps to the next line when the window is narrow: each figure
    as wide as its label and value, never cut short (columns of equal width cut them at
    1280 pixels)."""
    return st.container(horizontal=True, wrap=True, gap="medium")


def current_headline() -> tuple[AssessmentRun, pd.DataFrame, Headline]:
    """The run of the scenario on screen, its organizations frame and headline figures."""
    return _run_of(None)


@st.cache_data(show_spinner=False, max_entries=8)
def lists_and_scenarios(
    _con: duckdb.DuckDBPyConnection, path: str, version: str
) -> tuple[pd.DataFrame, list[str]]:
    """The seed designation lists and the stored scenarios. While the dashboard runs it holds
    the database, so only a load (a new data version) or a restart can change them."""
    return designation_lists(_con), stored_scenarios(_con)


@st.cache_data(show_spinner=False, max_entries=64)
def search(_con: duckdb.DuckDBPyConnection, path: str, version: str, text: str) -> pd.DataFrame:
    """Search results, cached per data version (a search box is read at every rerun)."""
    return search_organizations(_con, text, limit=25)


def need_data() -> bool:
    """Say so and return False when nothing is loaded yet."""
    if has_data(cursor()):
        return True
    st.info("No data is loaded yet. Upload spreadsheets on the **Data** page.")
    st.page_link("views/data.py", label="Go to Data")
    return False


def need_designation(spec: ScenarioSpec) -> bool:
    if spec.designated:
        return True
    st.info("Nobody is designated in this scenario. Choose organizations on the **Scenario** page.")
    st.page_link("views/scenario.py", label="Go to Scenario")
    return False


def show_problems(problems: list[Problem], truncated: int = 0) -> None:
    """Every problem with its file, sheet, row and column, as a table."""
    st.dataframe(problems_frame(problems), hide_index=True, width="stretch")
    if truncated:
        st.caption(f"... and {truncated} more problems of the same kinds")


def require_login() -> bool:
    """With ``[auth]`` in secrets.toml, only a logged-in (and allowed) user gets past this."""
    try:
        configured = "auth" in st.secrets
    except Exception:  # no secrets file at all
        configured = False
    if not configured:
        return True
    settings = st.secrets.get("exposure", {})
    provider = settings.get("auth_provider")
    if not st.user.get("is_logged_in", False):
        st.title("exposure")
        st.write("Sign in to assess supply-chain exposure.")
        if st.button("Log in", type="primary"):
            st.login(provider) if provider else st.login()
        return False
    email = str(st.user.get("email") or "").lower()
    emails = [str(e).lower() for e in settings.get("allowed_emails", [])]
    domains = [str(d).lower().lstrip("@") for d in settings.get("allowed_domains", [])]
    if (emails or domains) and email not in emails and email.rpartition("@")[2] not in domains:
        st.error(f"{plain(email) or 'This account'} is not allowed to use this dashboard.")
        st.button("Log out", on_click=st.logout)
        return False
    return True
