"""The exposure dashboard: ``streamlit run dashboards/app.py`` (or ``exposure dashboard``).

The entry point only builds the navigation; each page is one file under ``views/`` with one
render function over the library. The database is ``EXPOSURE_DB`` (or ./exposure.duckdb).
(Not ``pages/``: Streamlit would also serve files there as pages of their own, without this
entry point, when their URL is opened directly.)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import streamlit as st

import shared
from exposure import DatabaseBusyError
from exposure.app.server import listening_refusal
from exposure.app.text import plain


def main() -> None:
    # No Material icons: Streamlit fetches a Material icon used as a favicon (a page's icon is
    # the favicon while it is open) from fonts.gstatic.com, and the dashboard stays offline.
    # Pages have no icons either: emoji show as empty boxes where no emoji font is installed.
    st.set_page_config(page_title="exposure", layout="wide")
    # Only a server started by `streamlit run` listens (AppTest runs the script without one).
    if "streamlit.web.bootstrap" in sys.modules:
        refusal = listening_refusal(
            st.get_option("server.address"), os.environ.get("EXPOSURE_DASHBOARD_HOST")
        )
        if refusal:
            st.error(refusal)
            st.stop()
    if not shared.require_login():
        return
    with shared.holding():
        try:
            _run()
        except DatabaseBusyError as exc:
            st.error(plain(str(exc)))


def _run() -> None:
    loaded = shared.has_data(shared.cursor())
    pages = {
        "Data": [
            st.Page("views/data.py", title="Data", default=not loaded),
        ],
        "Assess": [
            st.Page("views/scenario.py", title="Scenario"),
            st.Page("views/network.py", title="Affected network", default=loaded),
            st.Page("views/ranking.py", title="Ranking"),
            st.Page("views/detail.py", title="Organization", url_path="organization"),
        ],
        "Compare and export": [
            st.Page("views/compare.py", title="Compare"),
            st.Page("views/downloads.py", title="Download", url_path="download"),
        ],
    }
    page = st.navigation(pages)
    sidebar()
    page.run()


def sidebar() -> None:
    """Where the data comes from and which scenario is on screen."""
    con = shared.cursor()
    with st.sidebar:
        # The file's name only: the folders of the server are nobody's business.
        st.caption(
            f"Database {plain(Path(shared.db_path()).name)}  \n"
            f"data version {plain(shared.data_version(con))}"
        )
        st.markdown(shared.spec_summary(shared.active_spec()))
        if st.user.get("is_logged_in"):
            st.caption(f"Signed in as {plain(st.user.get('email') or st.user.get('name'))}")
            st.button("Log out", on_click=st.logout)


main()
