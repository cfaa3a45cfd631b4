"""Data: upload spreadsheets, check and fix the header mapping, load them, see what is loaded."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import pandas as pd
import streamlit as st

import shared
from exposure import (
    LOAD_KINDS,
    ExposureError,
    LoadError,
    LoadOptions,
    LoadReport,
    load_files,
    status,
)
from exposure.app.isolation import preview_isolated
from exposure.app.pages import (
    AUTOMATIC,
    IGNORE,
    FilePreview,
    canonical_columns,
    map_flags,
    mapping_from_choices,
)
from exposure.app.server import upload_suffixes, uploads
from exposure.app.text import plain

_KIND_AUTO = "recognise from headers"
_ENCODINGS = ["utf-8", "cp1252", "latin-1", "utf-16", "mac-roman"]
# The load options' widgets, whose values are kept when the analyst visits another page.
_OPTION_KEYS = ("load_buyer", "load_kind", "load_enc", "load_replace")


@dataclass(frozen=True)
class _Upload:
    """An uploaded file kept in the session: Streamlit forgets a file uploader's files when its
    page is left, and an analyst who checks the Scenario page between two uploads expects to
    find them waiting."""

    file_id: str
    name: str
    data: bytes

    def getvalue(self) -> bytes:
        return self.data


def _kept_uploads() -> dict[str, _Upload]:
    kept: dict[str, _Upload] = st.session_state.setdefault("kept_uploads", {})
    return kept


def _uploads_changed() -> None:
    """The uploader's files changed by the analyst's hand: add the new, drop the removed."""
    kept = _kept_uploads()
    current = {str(f.file_id): f for f in st.session_state.get("uploads") or []}
    shown: set[str] = st.session_state.get("uploader_ids", set())
    for file_id in shown - set(current):
        kept.pop(file_id, None)
    for file_id, file in current.items():
        if file_id not in kept:
            kept[file_id] = _Upload(file_id, file.name, file.getvalue())
    st.session_state["uploader_ids"] = set(current)


def _restore_options() -> None:
    """Put back the load options' values that leaving the page cleared."""
    for key in _OPTION_KEYS:
        if key not in st.session_state and f"kept:{key}" in st.session_state:
            st.session_state[key] = st.session_state[f"kept:{key}"]


def _keep_options() -> None:
    for key in _OPTION_KEYS:
        if key in st.session_state:
            st.session_state[f"kept:{key}"] = st.session_state[key]


def _preview(file: _Upload, options: LoadOptions) -> FilePreview:
    """Preview of one uploaded file, kept for the session per (file, options)."""
    cache: dict[tuple[str, str], FilePreview] = st.session_state.setdefault("_previews", {})
    key = (file.file_id, repr(options))
    if key not in cache:
        with uploads([(file.name, file.data)]) as saved:
            path, name = saved[0]
            # In a process of its own: a file built to exhaust memory costs that process only.
            cache[key] = preview_isolated(path, name, options)
    return cache[key]


def _options_form() -> tuple[str | None, str | None, str | None, bool]:
    with st.expander("Load options (as on the command line)", expanded=False):
        left, middle, right = st.columns(3)
        buyer = left.text_input(
            "Buyer of a vendor list or SBOM (--buyer)",
            help="A sheet with a supplier column and no buyer column is one company's vendor "
            "list, and a CycloneDX SBOM describes one organization's product: name the company "
            "here.",
            key="load_buyer",
        )
        kind = middle.selectbox(
            "What the files hold (--kind)", [_KIND_AUTO, *LOAD_KINDS], key="load_kind"
        )
        encoding = right.selectbox(
            "CSV text encoding (--encoding)", ["utf-8 (default)", *_ENCODINGS[1:]], key="load_enc"
        )
        replace = st.checkbox(
            "Replace earlier loads of files with the same name (--replace)",
            help="For a corrected version of a file loaded before.",
            key="load_replace",
        )
    return (
        buyer.strip() or None,
        None if kind == _KIND_AUTO else kind,
        None if encoding.startswith("utf-8") else encoding,
        replace,
    )


def _mapping_editor(previews: list[FilePreview], files_key: str) -> list[tuple[str, str]]:
    """One row per header found; the analyst picks the column each means (or ignore)."""
    rows: dict[str, list[str]] = {}
    for preview in previews:
        for sheet in preview.sheets:
            for match in sheet.headers:
                rows.setdefault(match.header, []).append(sheet.label)
    if not rows:
        return []
    frame = pd.DataFrame(
        {
            "header": list(rows),
            "found in": ["; ".join(dict.fromkeys(where)) for where in rows.values()],
            "map to": AUTOMATIC,
        }
    )
    edited = st.data_editor(
        frame,
        key=f"mapping:{files_key}",
        hide_index=True,
        width="stretch",
        disabled=["header", "found in"],
        column_config={
            "map to": st.column_config.SelectboxColumn(
                "map to",
                options=[AUTOMATIC, IGNORE, *canonical_columns()],
                required=True,
                help="(automatic) uses the synonyms; pick a column to override, or (ignore)",
            )
        },
    )
    return list(zip(edited["header"].astype(str), edited["map to"].astype(str), strict=True))


def _show_preview(preview: FilePreview) -> None:
    if preview.problems:
        st.error(f"{plain(preview.file)}: cannot be loaded as it is")
        shared.show_problems(list(preview.problems))
    for sheet in preview.sheets:
        if sheet.skipped:
            st.caption(f"{plain(sheet.label)}: skipped (empty, or no recognised headers)")
            continue
        rows = "rows counted at load" if sheet.data_rows is None else f"{sheet.data_rows:,} rows"
        header = f", header in row {sheet.header_row}" if sheet.header_row else ""
        title = (
            f"{sheet.label}: {sheet.kind}{header}, {rows}"
            if sheet.kind
            else f"{sheet.label}: cannot be mapped yet"
        )
        with st.expander(title, expanded=bool(sheet.problems)):
            table = pd.DataFrame(
                [
                    {
                        "column": h.column,
                        "header": h.header,
                        "maps to": h.canonical or "",
                        "how": h.how,
                    }
                    for h in sheet.headers
                ]
            )
            st.dataframe(table, hide_index=True, width="stretch")
            if sheet.problems:
                shared.show_problems(list(sheet.problems))


def _show_report(report: LoadReport) -> None:
    if report.loaded:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "file": s.file,
                        "sheet": s.sheet or "",
                        "kind": s.kind,
                        "rows": s.rows,
                        "sha256": s.sha256[:16],
                    }
                    for s in report.loaded
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    for name, reason in report.skipped:
        st.info(f"{plain(name)}: {plain(reason)}")
    for note in report.notes:
        st.caption(note)
    if report.data_quality:
        issues = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in report.data_quality.items())
        st.warning(f"Data quality to review: {issues} (see the table below)")


def _load(files: list[_Upload], options: LoadOptions, signature: str) -> None:
    con = shared.cursor()
    with (
        shared.load_lock(shared.db_path()),
        st.status("Loading...", expanded=True) as box,
    ):
        bar = st.progress(0.0, text="starting")

        def progress(label: str, done: int, total: int) -> None:
            bar.progress(min(done / max(total, 1), 1.0), text=label)

        try:
            with uploads([(f.name, f.data) for f in files]) as saved:
                report = load_files(
                    con,
                    [path for path, _ in saved],
                    options,
                    display_names=[name for _, name in saved],
                    progress=progress,
                )
        except LoadError as exc:
            box.update(label="Load refused", state="error", expanded=False)
            st.session_state["last_load"] = ("refused", exc, signature)
            return
        except ExposureError as exc:
            box.update(label="Load failed", state="error", expanded=False)
            st.session_state["last_load"] = ("failed", exc, signature)
            return
        box.update(label="Load finished", state="complete", expanded=False)
        st.session_state["last_load"] = ("loaded", report, signature)
    # Run again, so that everything drawn before this point (the sidebar's data version) shows
    # the new data; the outcome is kept in the session for that run.
    st.rerun()


def _show_last_load(signature: str) -> None:
    outcome = st.session_state.get("last_load")
    if not outcome:
        return
    kind, payload, loaded_with = outcome
    if kind != "loaded" and loaded_with != signature:
        # A refusal is about the files and options it was given: once they change (a fixed
        # file, another mapping), it no longer describes what is on screen.
        del st.session_state["last_load"]
        return
    if kind == "refused":
        st.error(
            f"Load refused: {len(payload.problems) + payload.truncated} problem(s); nothing was "
            "loaded. Fix the files (or the mapping) and load again."
        )
        shared.show_problems(payload.problems, payload.truncated)
    elif kind == "failed":
        st.error(f"Load failed: {plain(payload)}")
    else:
        st.success(
            f"Loaded {payload.rows:,} rows: the network now has {payload.organizations:,} "
            f"organizations and {payload.edges:,} dependencies"
        )
        _show_report(payload)


def _show_status() -> None:
    con = shared.cursor()
    result = status(con, database=shared.db_path())
    st.subheader("What is loaded")
    columns = st.columns(3)
    columns[0].metric("Organizations", f"{result.organizations:,}")
    columns[1].metric("Dependencies", f"{result.edges:,}")
    columns[2].metric("Files loaded", f"{len({s['sha256'] for s in result.sources}):,}")
    st.caption(
        f"Data version `{result.data_version}` (changes whenever what is loaded changes: files, options, seeds)"
    )
    if result.sources:
        sources = pd.DataFrame(result.sources)
        sources["sha256"] = sources["sha256"].str[:16]
        st.dataframe(sources, hide_index=True, width="stretch")
    if result.kinds:
        st.caption(
            "By kind: "
            + ", ".join(f"{k} {v}" for k, v in result.kinds.items())
            + ". By relation: "
            + ", ".join(f"{k} {v}" for k, v in result.relations.items())
        )
    if result.data_quality:
        with st.expander(f"Data quality to review ({len(result.data_quality)} shown)"):
            st.dataframe(pd.DataFrame(result.data_quality), hide_index=True, width="stretch")


def render() -> None:
    st.title("Data")
    limit = st.get_option("server.maxUploadSize")
    st.write(
        "Upload the files you have: the canonical workbook (sheets *organizations* and "
        "*relationships*), a company's vendor list, supplier attestations, a USAspending "
        "subaward download (CSV), a CycloneDX SBOM or AI-BOM (JSON or XML), a SAM.gov Entity "
        "Management extract (the ZIP as published). Each load is all or nothing, and every "
        "row keeps its file, sheet and row."
    )
    shown = st.file_uploader(
        f"Files to load (up to {limit} MB each)",
        type=upload_suffixes(),
        accept_multiple_files=True,
        key="uploads",
        on_change=_uploads_changed,
        help="Files are read as data (never run); they are copied to a private temporary "
        "folder for reading and deleted afterwards.",
    )
    if not shown:  # a page left and come back to: the uploader starts empty again
        st.session_state["uploader_ids"] = set()
    kept = _kept_uploads()
    files = list(kept.values())
    earlier = [f for f in files if f.file_id not in st.session_state["uploader_ids"]]
    if earlier:
        left, right = st.columns([4, 1], vertical_alignment="center")
        left.caption(
            "Also waiting to load (uploaded before you left this page): "
            + ", ".join(plain(f.name) for f in earlier)
        )
        if right.button("Clear these", key="clear_uploads", width="stretch"):
            for file in earlier:
                kept.pop(file.file_id, None)
            st.rerun()
    _restore_options()
    buyer, kind, encoding, replace = _options_form()
    _keep_options()
    signature = ""
    if files:
        files_key = "|".join(str(f.file_id) for f in files)
        unmapped = LoadOptions(buyer=buyer, kind=kind, encoding=encoding)  # type: ignore[arg-type]
        previews = [_preview(f, unmapped) for f in files]
        st.subheader("Header mapping")
        st.caption(
            "Each header is matched to a canonical column by name and synonyms; override any "
            'of them here (the same as `--map "Their Header=column"`).'
        )
        choices = _mapping_editor(previews, files_key)
        mapping = mapping_from_choices(choices)
        options = LoadOptions(
            buyer=buyer,
            kind=kind,  # type: ignore[arg-type]
            mapping=mapping,
            encoding=encoding,
            replace=replace,
        )
        signature = f"{files_key}|{options!r}"
        if mapping:
            previews = [_preview(f, options) for f in files]
        command = ["exposure load", *(f'"{f.name}"' for f in files)]
        if buyer:
            command.append(f'--buyer "{buyer}"')
        if kind:
            command.append(f"--kind {kind}")
        if encoding:
            command.append(f"--encoding {encoding}")
        if replace:
            command.append("--replace")
        command += map_flags(choices)
        st.code(" ".join(command), language="bash")
        st.subheader("Preview")
        for preview in previews:
            _show_preview(preview)
        blocked = sum(len(p.all_problems) for p in previews)
        if blocked:
            st.warning(
                f"{blocked} problem(s) above would stop the load; fix the mapping or the files. "
                "Cell values are checked when you load."
            )
        unreadable = [p.file for p in previews if p.problems and not p.sheets]
        if st.button("Load", type="primary", key="load"):
            if unreadable:
                # Never read in this process a file that could not be read in isolation.
                st.error(
                    "Not loaded: "
                    + ", ".join(plain(name) for name in unreadable)
                    + " could not be read (see the preview above); nothing was stored."
                )
            else:
                _load(files, options, signature)
    _show_last_load(signature)
    _show_status()
    # The Review section (mypy reads each file of views/ as a top-level module, not views.*).
    importlib.import_module("views.review").render_review()


render()
