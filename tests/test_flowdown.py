"""Flow-down to the government contract: each Reporting row cites the contract it feeds.

The hand-built network of tests/data/flowdown/ (every edge "buyer depends on supplier"; Vendor
AI designated): two primes under two agencies and shared subcontractors.

* Prime X Corp holds FA0000-25-C-0001 (Tempest, Air Force) and N00000-24-C-0002 (Frigate,
  Navy; its order 0042 given apart in the order_id column); Prime Y Corp holds N00000-25-C-0003 (Sonar, Navy) and FA0000-23-D-0004/0007 (Trainer,
  Air Force: contract FA0000-23-D-0004, order 0007).
* Host Co resells Vendor AI's Models in Model Hub (H-1). Model Hub goes to Sub A (used in Radar
  Analytics, SA-PO-1), Sub B (used in Docs Assistant, which Sub B sells to no one: the chain
  stops there, SB-PO-3) and Sub C (used in everything, SC-PO-1; Sub C sells only a shop app
  to a retailer). Sub B's Compute from Host Co is not exposed.
* Sub A sells Radar Analytics to Prime X used in Tempest (PX-SC-1), to Prime Y used in
  everything (PY-SC-1) and used in Sonar (PY-SC-2); its Logistics Tool is not exposed. Sub B's
  Test Services to Prime X is not exposed. Prime X buys Vendor AI's Chat used in Frigate
  (PX-SA-9).

Worked out by hand, the Reporting rows (contractor, government contract, supplier, product):

* Host Co, Models from Vendor AI: Model Hub feeds Sub A's Radar Analytics, which feeds Prime
  X's Tempest (FA0000-25-C-0001) and all of Prime Y's products (N00000-25-C-0003 and
  FA0000-23-D-0004 order 0007); Sub B's and Sub C's branches reach no agency. 3 rows.
* Sub A, Model Hub from Host Co: the same three contracts. 3 rows.
* Sub B, Model Hub from Host Co: feeds no government contract. 1 row.
* Sub C, Model Hub from Host Co: feeds only a retailer: no government contract. 1 row.
* Prime X, Radar Analytics from Sub A: used in Tempest, so FA0000-25-C-0001 only (not the
  Frigate). Prime X, Chat from Vendor AI: used in Frigate, so N00000-24-C-0002 order 0042
  only. 2 rows.
* Prime Y, Radar Analytics from Sub A: PY-SC-1 feeds Sonar and Trainer, PY-SC-2 feeds Sonar:
  one row for N00000-25-C-0003 citing both own references, one for the Trainer order. 2 rows.
* The retailer's shop app has no DoD use; agencies report nothing. 12 rows in all.
"""

from __future__ import annotations

import random
from datetime import date

import numpy as np
import pytest

from exposure import assess as assess_scenario
from exposure import connect, load_files
from exposure.model.flowdown import contract_flowdown
from exposure.model.graph import build_graph
from exposure.model.remediation import NO_GOVERNMENT_CONTRACT
from exposure.model.scenario import ScenarioSpec
from exposure.report.tables import build_tables
from tests.conftest import DATA

FLOWDOWN = DATA / "flowdown"
NONE = "(none)"


@pytest.fixture
def flowdown_tables(tmp_path):
    con = connect(tmp_path / "flowdown.duckdb")
    try:
        load_files(con, [FLOWDOWN / "organizations.csv", FLOWDOWN / "relationships.csv"])
        run = assess_scenario(con, ScenarioSpec(designated=("Vendor AI",)))
        yield con, run
    finally:
        con.close()


def _rows(reporting):
    return {
        (
            r.reporting_contractor,
            r.contract_number or NONE,
            r.order_number,
            r.supplier_name,
            r.product,
        ): r
        for r in reporting.itertuples(index=False)
    }


def test_reporting_rows_cite_the_government_contract_by_hand(flowdown_tables):
    con, run = flowdown_tables
    tables = build_tables(con, run, identified=date(2026, 7, 1))
    rows = _rows(tables.reporting)
    assert len(tables.reporting) == len(rows) == 12
    assert set(rows) == {
        ("Host Co", "FA0000-25-C-0001", "", "Vendor AI", "Models"),
        ("Host Co", "N00000-25-C-0003", "", "Vendor AI", "Models"),
        ("Host Co", "FA0000-23-D-0004", "0007", "Vendor AI", "Models"),
        ("Sub A LLC", "FA0000-25-C-0001", "", "Host Co", "Model Hub"),
        ("Sub A LLC", "N00000-25-C-0003", "", "Host Co", "Model Hub"),
        ("Sub A LLC", "FA0000-23-D-0004", "0007", "Host Co", "Model Hub"),
        ("Sub B LLC", NONE, "", "Host Co", "Model Hub"),
        ("Sub C LLC", NONE, "", "Host Co", "Model Hub"),
        ("Prime X Corp", "FA0000-25-C-0001", "", "Sub A LLC", "Radar Analytics"),
        ("Prime X Corp", "N00000-24-C-0002", "0042", "Vendor AI", "Chat"),
        ("Prime Y Corp", "N00000-25-C-0003", "", "Sub A LLC", "Radar Analytics"),
        ("Prime Y Corp", "FA0000-23-D-0004", "0007", "Sub A LLC", "Radar Analytics"),
    }
    sonar = rows[("Prime Y Corp", "N00000-25-C-0003", "", "Sub A LLC", "Radar Analytics")]
    assert sonar.own_reference == "PY-SC-1; PY-SC-2"
    assert sonar.agency == "Department of the Navy"
    assert sonar.program == "Sonar"
    trainer = rows[("Prime Y Corp", "FA0000-23-D-0004", "0007", "Sub A LLC", "Radar Analytics")]
    assert trainer.own_reference == "PY-SC-1"
    assert trainer.agency == "Department of the Air Force"
    chat = rows[("Prime X Corp", "N00000-24-C-0002", "0042", "Vendor AI", "Chat")]
    assert chat.contract_note == "order number from the data's order_id column"
    host = rows[("Host Co", "FA0000-25-C-0001", "", "Vendor AI", "Models")]
    assert host.own_reference == "H-1" and host.program == "Tempest"
    for contractor in ("Sub B LLC", "Sub C LLC"):
        alone = rows[(contractor, NONE, "", "Host Co", "Model Hub")]
        assert alone.contract_note == NO_GOVERNMENT_CONTRACT
        assert alone.own_reference in {"SB-PO-3", "SC-PO-1"}
        assert alone.agency == ""


def test_one_organizations_reporting_rows(flowdown_tables):
    con, run = flowdown_tables
    prime_y = int(np.flatnonzero(run.graph.names == "Prime Y Corp")[0])
    tables = build_tables(con, run, for_org=prime_y, identified=date(2026, 7, 1))
    assert sorted(tables.reporting["contract_number"]) == ["FA0000-23-D-0004", "N00000-25-C-0003"]


def _oracle(supplier, buyer, product, used_in, exposed, contract):
    """Per edge, a depth-first search downstream, one edge at a time."""
    pairs = set()
    for start in np.flatnonzero(exposed):
        stack, seen = [int(start)], {int(start)}
        while stack:
            edge = stack.pop()
            if contract[edge]:
                pairs.add((int(start), edge))
            for nxt in range(len(supplier)):
                fed = used_in[edge] < 0 or product[nxt] < 0 or product[nxt] == used_in[edge]
                if exposed[nxt] and supplier[nxt] == buyer[edge] and fed and nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
    return pairs


@pytest.mark.parametrize("seed", range(40))
def test_flowdown_matches_a_per_edge_search(seed):
    rng = random.Random(seed)
    n_orgs, n_edges, n_products = rng.randint(2, 9), rng.randint(1, 30), rng.randint(1, 4)
    supplier = np.array([rng.randrange(n_orgs) for _ in range(n_edges)])
    buyer = np.array([rng.randrange(n_orgs) for _ in range(n_edges)])
    product = np.array([rng.randrange(-1, n_products) for _ in range(n_edges)])
    used_in = np.array([rng.randrange(-1, n_products) for _ in range(n_edges)])
    graph = build_graph(
        names=np.array([f"o{i}" for i in range(n_orgs)], dtype=object),
        supplier=supplier,
        buyer=buyer,
        product=product,
        used_in=used_in,
    )
    exposed = np.array([rng.random() < 0.7 for _ in range(n_edges)])
    contract = np.array([rng.random() < 0.3 for _ in range(n_edges)])
    edge, target = contract_flowdown(graph, exposed, contract)
    expected = _oracle(graph.supplier, graph.buyer, graph.product, graph.used_in, exposed, contract)
    assert set(zip(edge.tolist(), target.tolist(), strict=True)) == expected
    assert len(edge) == len(expected)


def test_sample_meridian_reports_cite_its_air_force_contracts(tmp_path):
    """Meridian Aerospace holds FA8730-25-C-0117 (Tempest Radar Upgrade) and FA8625-24-C-6012
    (Skyward Tanker Sustainment) with the Air Force (sample_data/network.xlsx); each of its
    Reporting rows cites one of them, with its own purchase reference beside it."""
    from exposure.pipeline.demo import run_demo

    result = run_demo(tmp_path / "demo.duckdb", identified=date(2026, 3, 2))
    assert result.tables is not None
    report = result.tables.reporting
    meridian = report[report["reporting_contractor"] == "Meridian Aerospace Corporation"]
    assert len(meridian) > 0
    assert set(meridian["contract_number"]) == {"FA8730-25-C-0117", "FA8625-24-C-6012"}
    assert (meridian["agency"] == "Department of the Air Force").all()
    bedrock = meridian[meridian["product"] == "Amazon Bedrock"]
    assert bedrock[["contract_number", "own_reference"]].values.tolist() == [
        ["FA8730-25-C-0117", "MAC-SA-25-3307"]
    ]
    # No report cites a contractor's own purchase order as the government contract.
    assert not report["contract_number"].str.contains("-SA-|-SC-|-PO-|-RA-", regex=True).any()
