"""CLI output for pipes and scripts: no wrapping, --format csv|json, a plain affected CSV, and
--for leading with the organization (tests/data/report/, "Vendor AI" designated)."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from exposure.cli.commands import cli


def _piped(db, *args):
    """Run as when stdout is a pipe and the shell sets no COLUMNS."""
    result = CliRunner().invoke(cli, ["--db", str(db), *map(str, args)], env={"COLUMNS": ""})
    assert result.exit_code == 0, result.output
    return result.output


def test_piped_table_output_does_not_wrap(report_db):
    output = _piped(report_db, "assess", "--designate", "Vendor AI", "--as-of", "2026-07-01")
    headline = next(line for line in output.splitlines() if line.startswith("Organizations in"))
    assert "Late organizations" in headline  # the whole headline on one line, over 80 columns
    assert len(headline) > 80
    chain = "Vendor AI, PBC > Cloud Host Inc > Platform Co LLC > Prime Corp"
    assert any(chain in line for line in output.splitlines())


def test_assess_csv_has_rank_first_plain_numbers_and_no_internal_ids(report_db, tmp_path):
    output = _piped(report_db, "assess", "--designate", "Vendor AI", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(output)))
    header = output.splitlines()[0].split(",")
    assert header[:2] == ["rank", "name"]
    assert "org_id" not in header
    by_name = {row["name"]: row for row in rows}
    assert [row["rank"] for row in rows] == [str(i) for i in range(1, len(rows) + 1)]
    assert by_name["Department of Defense"]["value_at_risk_usd"] == "90000"
    assert by_name["Prime Corp"]["value_at_risk_usd"] == "5050"
    assert by_name["Platform Co LLC"]["late"] == "true"
    assert by_name["Cloud Host Inc"]["late"] == "false"
    assert by_name["Cloud Host Inc"]["tier"] == "1"
    assert not any(row["value_at_risk_usd"].endswith(".0") for row in rows)
    assert "True" not in output and "False" not in output
    # --out affected.csv writes the same file
    out = tmp_path / "affected.csv"
    _piped(report_db, "assess", "--designate", "Vendor AI", "--out", out)
    assert out.read_text(encoding="utf-8").replace("\r\n", "\n") == output


def test_assess_json_on_stdout(report_db):
    output = _piped(
        report_db, "assess", "--designate", "Vendor AI", "--format", "json", "--as-of",
        "2026-12-03",
    )  # fmt: skip
    payload = json.loads(output)
    assert payload["overdue_days"] == 99
    assert {o["name"] for o in payload["organizations"]} >= {"Prime Corp", "Vendor AI, PBC"}


def test_status_formats(report_db):
    payload = json.loads(_piped(report_db, "status", "--format", "json"))
    assert payload["organizations"] == 7 and payload["edges"] == 9
    rows = list(csv.DictReader(io.StringIO(_piped(report_db, "status", "--format", "csv"))))
    assert [row["file"] for row in rows] == ["organizations.csv", "relationships.csv"]


def test_for_leads_with_the_organization(report_db):
    output = _piped(report_db, "assess", "--designate", "Vendor AI", "--for", "Prime Corp")
    own = output.index("Prime Corp: its own assessment")
    assert own < output.index("Most affected")
