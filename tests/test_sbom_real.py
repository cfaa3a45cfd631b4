"""SBOMs as people have them (issue 13): CycloneDX 1.2 to 1.6 in JSON and XML, real public
examples and generated files shaped like the tools' output.

The real files are CycloneDX's own examples (CycloneDX/bom-examples and the specification's
test resources), read from ``<repository>/../shared/data/cyclonedx`` and never copied into the
project; the tests that need them are skipped, saying so, when the folder is absent. The
generated ones stand for what AI-BOM generators write for Hugging Face models (hub handles as
suppliers, lower-case SPDX ids, placeholder serial numbers), for a syft-like 1.3 SBOM, and for a
SaaSBOM of hosted model APIs named and reached the ways real ones are.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import load, rows, run_cli, snapshot

from exposure import LoadError, connect
from exposure import assess as assess_scenario
from exposure.ingest.adapters.cyclonedx_check import check_document
from exposure.ingest.adapters.cyclonedx_xml import parse_xml_document
from exposure.model.scenario import ScenarioSpec

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "cyclonedx"
needs_shared = pytest.mark.skipif(
    not (SHARED / "valid-saasbom-1.6.json").is_file(),
    reason=f"the real CycloneDX example files are not in {SHARED} (shared/data beside the "
    "repository)",
)
BUYER = "Northwind Analytics LLC"

EDGES = (
    "SELECT s.name, e.relation, e.product FROM edges e "
    "JOIN orgs s ON s.org_id = e.supplier_id JOIN orgs b ON b.org_id = e.buyer_id "
    "WHERE b.name = ? ORDER BY 1, 3"
)


def _edges(db: Path, buyer: str = BUYER) -> list[tuple]:
    return rows(db, EDGES, [buyer])


def _tier(db: Path, designated: str, org: str) -> int:
    con = connect(db)
    try:
        run = assess_scenario(con, ScenarioSpec(designated=(designated,)))
    finally:
        con.close()
    return int(run.result.tier[list(run.graph.names).index(org)])


# --- the real examples --------------------------------------------------------------------

REAL = {
    # file: the edges (supplier, relation, product) it gives its buyer
    "dropwizard-1.3.15.json": [],
    "dropwizard-1.3.15.xml": [],
    "laravel-7.12.0-1.2.xml": [],
    "saasbom-apigateway-1.4.json": [
        ("Acme Inc", "saas", "API Gateway"),
        ("Acme Inc", "saas", "Microservice 1"),
        ("Acme Inc", "saas", "Microservice 2"),
        ("Acme Inc", "saas", "Microservice 3"),
    ],
    "valid-saasbom-1.6.json": [
        ("Acme Inc", "saas", "Microservice 1"),
        ("Acme Inc", "saas", "Microservice 2"),
        ("Acme Inc", "saas", "Microservice 3"),
        ("Acme Inc", "saas", "Stock Ticker Service"),
    ],
    # The model names only its publisher: that is its supplier.
    "valid-machine-learning-1.6.json": [("Acme Inc", "model_api", "stable-diffusion")],
    "valid-machine-learning-1.6.xml": [("Acme Inc", "model_api", "stable-diffusion")],
    # Hugging Face distributes it (supplier), Meta makes it (group meta-llama, publisher meta).
    "valid-machine-learning-considerations-env-1.6.json": [
        ("Hugging Face, Inc.", "model_api", "Llama-2-7b"),
        ("Meta Platforms, Inc.", "model_api", "Llama-2-7b"),
    ],
}


@needs_shared
@pytest.mark.parametrize("name", sorted(REAL))
def test_every_real_example_loads_with_its_edges(db_path: Path, name: str) -> None:
    report = load(db_path, SHARED / name, buyer=BUYER)
    assert [(s.kind, s.rows) for s in report.loaded] == [
        ("cyclonedx: relationships", len(REAL[name]))
    ]
    assert _edges(db_path) == sorted(REAL[name])


@needs_shared
def test_services_without_a_provider_are_listed_for_review(db_path: Path) -> None:
    """Postgres (an internal host) and S3 (s3-example.amazon.com, no host the seed knows) name
    no provider: left out, each a Data quality row saying so, with its endpoint."""
    report = load(db_path, SHARED / "valid-saasbom-1.6.json", buyer=BUYER)
    review = rows(
        db_path,
        "SELECT row, detail FROM dq_issues WHERE issue = 'rejected_row' ORDER BY row",
    )
    assert [row for row, _ in review] == [5, 6]
    assert "service 'Postgres' (/services/0/services/3)" in review[0][1]
    assert "s3-example.amazon.com" in review[1][1] and "listed for review" in review[1][1]
    assert any("listed in Data quality for review" in note for note in report.notes)


@needs_shared
def test_the_owner_as_buyer_keeps_its_third_party_services_in_view(db_path: Path) -> None:
    """With the SBOM's own owner as buyer its own services are skipped; the note says so
    (not "no service with a provider"), and the services without a provider stay listed."""
    report = load(db_path, SHARED / "valid-saasbom-1.6.json", buyer="Acme Inc")
    notes = " ".join(report.notes)
    assert "no service with a provider" not in notes
    assert "is the buyer itself" in notes and "(S3)" in notes
    assert rows(db_path, "SELECT reason, count(*) FROM stg_rejected GROUP BY 1 ORDER BY 1") == [
        ("no_organization", 2),
        ("provided_by_buyer", 4),
    ]


@needs_shared
@pytest.mark.parametrize(
    ("json_name", "xml_name"),
    [
        ("dropwizard-1.3.15.json", "dropwizard-1.3.15.xml"),
        ("valid-machine-learning-1.6.json", "valid-machine-learning-1.6.xml"),
    ],
)
def test_xml_reads_as_the_json_of_the_same_bom(json_name: str, xml_name: str) -> None:
    """The XML reader gives the JSON shape: the same components, hashes and dependencies
    (the two dropwizard files come from one build, but their licences, references and scopes
    differ in places)."""

    def shape(document: dict) -> list:
        return [
            (
                c.get("bom-ref"),
                c.get("type"),
                c.get("group"),
                c.get("name"),
                c.get("version"),
                c.get("purl"),
                c.get("publisher"),
                [(h["alg"], h["content"]) for h in c.get("hashes") or []],
            )
            for c in document.get("components") or []
        ]

    from_json = json.loads((SHARED / json_name).read_text(encoding="utf-8"))
    from_xml = parse_xml_document(SHARED / xml_name, xml_name)
    assert from_xml["specVersion"] == from_json["specVersion"]
    assert from_xml.get("serialNumber") == from_json.get("serialNumber")
    assert shape(from_xml) == shape(from_json) and shape(from_json)
    deps = [(d["ref"], d.get("dependsOn", [])) for d in from_json.get("dependencies", [])]
    assert [(d["ref"], d.get("dependsOn", [])) for d in from_xml.get("dependencies", [])] == deps
    assert check_document(from_xml, xml_name, has_nulls=False)[0] == []


@needs_shared
def test_designating_the_maker_or_the_distributor_reaches_a_hub_model(
    db_path: Path, tmp_path: Path
) -> None:
    load(db_path, SHARED / "valid-machine-learning-considerations-env-1.6.json", buyer=BUYER)
    assert _tier(db_path, "Meta Platforms, Inc.", BUYER) == 1
    assert _tier(db_path, "Hugging Face, Inc.", BUYER) == 1


@needs_shared
def test_xml_by_content_under_another_name_and_with_kind(db_path: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "model.bom"
    shutil.copy(SHARED / "valid-machine-learning-1.6.xml", renamed)
    code, output = run_cli("--db", db_path, "load", renamed, "--buyer", BUYER)
    assert code == 0 and "1 cyclonedx: relationships rows" in output, output
    other = tmp_path / "model.txt"
    shutil.copy(SHARED / "laravel-7.12.0-1.2.xml", other)
    code, output = run_cli("--db", db_path, "load", other, "--kind", "cyclonedx", "--buyer", BUYER)
    assert code == 0 and "0 cyclonedx: relationships rows" in output, output


# --- generated: an AI-BOM of Hugging Face models -------------------------------------------


def _ai_bom() -> dict:
    """Shaped like AI-BOM generator output: hub handles as suppliers and publishers, purls
    with the namespace escaped, lower-case SPDX ids, a placeholder serial number, and the
    schema slips real ones have."""
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "urn:uuid:test-uuid-placeholder",
        "version": 1,
        "metadata": {"component": {"type": "application", "name": "Northwind Assistant"}},
        "components": [
            {
                "bom-ref": "pkg:huggingface/meta-llama%2FLlama-3.1-8B@0e9e39f",
                "type": "machine-learning-model",
                "name": "Llama-3.1-8B",
                "purl": "pkg:huggingface/meta-llama%2FLlama-3.1-8B@0e9e39f",
                "supplier": {"name": "meta-llama", "url": ["https://huggingface.co/meta-llama"]},
                "licenses": [{"license": {"id": "llama3.1"}}],
            },
            {
                "bom-ref": "deepseek",
                "type": "machine-learning-model",
                "name": "deepseek-ai/DeepSeek-R1",
                "authors": [{"name": "deepseek-ai"}],
                "licenses": [{"license": {"id": "mit", "name": "MIT License"}}],
            },
            {
                "bom-ref": "mistral",
                "type": "machine-learning-model",
                "group": "mistralai",
                "name": "Mistral-7B-Instruct-v0.3",
                "licenses": [{"license": {"id": "apache-2.0"}}],
                "externalReferences": [
                    {"type": "website", "url": "https://github.com/${project.owner}/mistral"}
                ],
            },
            {
                "bom-ref": "unknown-hub-org",
                "type": "machine-learning-model",
                "name": "tiny-ranker",
                "purl": "pkg:huggingface/quill-labs/tiny-ranker@1",
            },
            # Some generators write the supplier as text.
            {
                "bom-ref": "gemma",
                "type": "machine-learning-model",
                "name": "gemma-2-9b",
                "supplier": "google",
            },
            {"bom-ref": "tokenizers", "type": "library", "name": "tokenizers", "version": "0.19"},
        ],
        "dependencies": [
            {"ref": "deepseek", "dependsOn": [{"ref": "tokenizers"}]},
        ],
        "vulnerabilities": [
            {"id": "CVE-2024-0001", "analysis": {"state": "not_affected", "justification": None}}
        ],
    }


def _write(tmp_path: Path, name: str, document: dict) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path


def test_an_ai_bom_with_hub_handles_reaches_the_makers(db_path: Path, tmp_path: Path) -> None:
    report = load(db_path, _write(tmp_path, "aibom.json", _ai_bom()), buyer=BUYER)
    assert _edges(db_path) == [
        ("DeepSeek", "model_api", "deepseek-ai/DeepSeek-R1"),
        ("Google LLC", "model_api", "gemma-2-9b"),
        # A pkg:huggingface purl: Hugging Face distributes it, beside its maker.
        ("Hugging Face, Inc.", "model_api", "Llama-3.1-8B"),
        ("Hugging Face, Inc.", "model_api", "tiny-ranker"),
        ("Meta Platforms, Inc.", "model_api", "Llama-3.1-8B"),
        ("Mistral AI", "model_api", "Mistral-7B-Instruct-v0.3"),
        # A handle the seed does not know: taken as written, and said so in the evidence.
        ("quill-labs", "model_api", "tiny-ranker"),
    ]
    [(notes,)] = rows(
        db_path, "SELECT notes FROM stg_relationships WHERE supplier = 'Meta Platforms, Inc.'"
    )
    assert "supplier 'meta-llama': hub handle 'meta-llama' -> Meta Platforms, Inc." in notes
    [(unknown,)] = rows(
        db_path, "SELECT notes FROM stg_relationships WHERE supplier = 'quill-labs'"
    )
    assert "does not name the organization of this handle" in unknown
    assert _tier(db_path, "Meta Platforms, Inc.", BUYER) == 1
    # The schema slips are warnings in Data quality, not refusals.
    findings = rows(
        db_path, "SELECT detail FROM dq_issues WHERE issue = 'sbom_schema' ORDER BY detail"
    )
    text = " ".join(detail for (detail,) in findings)
    for expected in (
        "SPDX licence id 'apache-2.0' in the wrong case (the SPDX id is 'Apache-2.0')",
        "SPDX licence id 'mit' in the wrong case",
        "a licence with both 'id' and 'name'",
        "serialNumber 'urn:uuid:test-uuid-placeholder' is not a urn:uuid",
        "'dependsOn' lists objects with a 'ref'",
        "a null value (the schema allows none; read as absent): /vulnerabilities/0/analysis/justification",
        "a URL with an unresolved build variable",
        "'llama3.1' is not an SPDX licence id",
        "an organization given as text, where the schema has an object with a 'name' (read as its name): /components/4/supplier",
    ):
        assert expected in text, expected
    assert any("sbom_schema" in note and "--strict" in note for note in report.notes)


@pytest.mark.parametrize(
    "component",
    [
        {"purl": "pkg:huggingface/meta-llama/Llama-3.1-8B"},
        {
            "type": "machine-learning-model",
            "externalReferences": [
                {"type": "distribution", "url": "https://huggingface.co/meta-llama/Llama-3.1-8B"}
            ],
        },
    ],
    ids=["purl", "url"],
)
def test_a_model_from_the_hub_keeps_hugging_face_and_its_maker(
    db_path: Path, tmp_path: Path, component: dict
) -> None:
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "components": [{"type": "library", "name": "Llama-3.1-8B", **component}],
    }
    load(db_path, _write(tmp_path, "hub.json", document), buyer=BUYER)
    assert _edges(db_path) == [
        ("Hugging Face, Inc.", "model_api", "Llama-3.1-8B"),
        ("Meta Platforms, Inc.", "model_api", "Llama-3.1-8B"),
    ]
    [(notes,)] = rows(
        db_path, "SELECT notes FROM stg_relationships WHERE supplier = 'Hugging Face, Inc.'"
    )
    assert "distributed through the Hub" in notes
    for designated in ("Hugging Face", "Hugging Face, Inc.", "Meta Platforms, Inc."):
        assert _tier(db_path, designated, BUYER) == 1, designated


def test_a_model_type_before_1_5_is_a_finding(db_path: Path, tmp_path: Path) -> None:
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.4",
        "version": 1,
        "components": [
            {
                "type": "machine-learning-model",
                "name": "gemma-2-9b",
                "version": "1",
                "supplier": {"name": "google"},
            }
        ],
    }
    path = _write(tmp_path, "old.json", document)
    with pytest.raises(LoadError) as caught:
        load(db_path, path, buyer=BUYER, strict=True)
    assert any(
        "'machine-learning-model' is not in CycloneDX 1.4" in p.message
        for p in caught.value.problems
    )
    # Without --strict it is still read as a model.
    load(db_path, path, buyer=BUYER)
    assert _edges(db_path) == [("Google LLC", "model_api", "gemma-2-9b")]


@pytest.mark.parametrize(
    ("buyer", "kept"),
    [("Acme Corp", []), ("Acme Widgets Corp", [("Acme Inc", "model_api", "ranker")])],
)
def test_only_the_buyer_s_own_name_is_skipped(
    db_path: Path, tmp_path: Path, buyer: str, kept: list
) -> None:
    """Provided by the buyer itself: the normalized names are equal (legal forms stripped:
    "Acme Corp" is "Acme Inc"), never names sharing a word."""
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "components": [
            {"type": "machine-learning-model", "name": "ranker", "publisher": "Acme Inc"}
        ],
    }
    load(db_path, _write(tmp_path, "own.json", document), buyer=buyer)
    assert _edges(db_path, buyer) == kept


def test_strict_refuses_on_a_schema_finding(db_path: Path, tmp_path: Path) -> None:
    load(db_path, _write(tmp_path, "other.json", _saasbom_json()), buyer="Other Co")
    before = snapshot(db_path)
    path = _write(tmp_path, "aibom.json", _ai_bom())
    with pytest.raises(LoadError) as caught:
        load(db_path, path, buyer=BUYER, strict=True)
    messages = [p.message for p in caught.value.problems]
    assert messages and all(
        m.startswith("--strict: sbom_schema: CycloneDX 1.6 schema") for m in messages
    )
    # The buyer is the organization concerned, not a value found in the file: the refusal
    # names the file and the JSON pointer, and no row (the findings are about the document).
    problems = caught.value.problems
    assert all(p.file == "aibom.json" and p.value is None and p.row is None for p in problems)
    assert any("/components/0/licenses/0/license/id" in p.message for p in problems)
    assert snapshot(db_path) == before
    code, output = run_cli("--db", db_path, "load", path, "--buyer", BUYER, "--strict")
    assert code != 0 and "nothing was loaded" in output and "sbom_schema" in output
    assert BUYER not in output and "found '" not in output
    assert snapshot(db_path) == before
    # Without --strict the same file loads; its findings show no row 0 in Data quality.
    code, output = run_cli("--db", db_path, "load", path, "--buyer", BUYER)
    assert code == 0, output
    shown = rows(db_path, "SELECT DISTINCT row FROM dq_issues WHERE issue = 'sbom_schema'")
    assert shown == [(None,)]


def test_a_clean_document_passes_strict(db_path: Path, tmp_path: Path) -> None:
    document = _ai_bom()
    del document["serialNumber"], document["vulnerabilities"], document["dependencies"]
    for component in document["components"]:
        component.pop("licenses", None)
        component.pop("externalReferences", None)
    document["components"][4]["supplier"] = {"name": "google"}
    report = load(db_path, _write(tmp_path, "clean.json", document), buyer=BUYER, strict=True)
    # Five models, two of them with a pkg:huggingface purl (Hugging Face as distributor too).
    assert report.loaded[0].rows == 7


@pytest.mark.parametrize(
    ("fields", "makers"),
    [
        ({"manufacturer": {"name": "Quill Data Services"}}, ["Quill Data Services"]),
        # A publisher named: a group the seed does not know is not taken as an organization.
        ({"publisher": "Acme Inc", "group": "CompVis"}, ["Acme Inc"]),
        # Nothing else: the unknown handle as written.
        ({"group": "CompVis"}, ["CompVis"]),
        # Authors only when nothing else names an organization.
        ({"authors": [{"name": "Jane Roe"}], "group": "CompVis"}, ["Jane Roe"]),
        ({"authors": [{"name": "Jane Roe"}], "group": "mistralai"}, ["Mistral AI"]),
        (
            {
                "supplier": {"name": "HuggingFace"},
                "externalReferences": [
                    {"type": "website", "url": "https://huggingface.co/google/ranker-2b"}
                ],
            },
            ["Hugging Face, Inc.", "Google LLC"],
        ),
        ({"supplier": {"name": "Anthropic"}, "name": "Claude 3.5 Sonnet"}, ["Anthropic, PBC"]),
        ({}, []),
    ],
)
def test_a_model_s_organizations_field_by_field(
    tmp_path: Path, fields: dict, makers: list[str]
) -> None:
    from exposure.ingest.adapters.cyclonedx import read_sbom

    component = {"type": "machine-learning-model", "name": "ranker", **fields}
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "metadata": {"component": {"type": "application", "name": "App"}},
        "components": [component],
    }
    path = _write(tmp_path, "model.json", document)
    source = read_sbom(path, path.name, buyer=BUYER)
    assert source.table.column("supplier").to_pylist() == makers
    assert source.left_out.num_rows == (0 if makers else 1)


# --- generated: a syft-like 1.3 SBOM ------------------------------------------------------


def test_a_syft_like_1_3_sbom_loads_and_finds_the_hub_model(db_path: Path, tmp_path: Path) -> None:
    """1.3 has no machine-learning-model type: a component with a Hugging Face purl is one."""
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.3",
        "serialNumber": "urn:uuid:1b2e6d9e-3d5c-4a8f-9f0e-2a1c3b4d5e6f",
        "version": 1,
        "metadata": {
            "timestamp": "2023-05-01T10:00:00Z",
            "tools": [{"vendor": "anchore", "name": "syft", "version": "0.80.0"}],
            "component": {
                "bom-ref": "af63bd4c8601b7f1",
                "type": "container",
                "name": "registry.example/northwind/assistant",
                "version": "sha256:1234",
            },
        },
        "components": [
            {
                "bom-ref": f"pkg:pypi/{name}@{version}?package-id=abc{index}",
                "type": "library",
                "name": name,
                "version": version,
                "cpes": ["cpe:2.3:a:x:y:1:*:*:*:*:*:*:*"],
                "licenses": [{"license": {"name": "BSD"}}],
                "cpe": f"cpe:2.3:a:{name}:{name}:{version}:*:*:*:*:*:*:*",
                "purl": f"pkg:pypi/{name}@{version}",
                "properties": [
                    {"name": "syft:package:foundBy", "value": "python-installed-package-cataloger"},
                    {"name": "syft:package:language", "value": "python"},
                ],
            }
            for index, (name, version) in enumerate(
                [("torch", "2.1.0"), ("transformers", "4.40.0")]
            )
        ]
        + [
            {
                "type": "library",
                "name": "Llama-3.1-8B-Instruct",
                "purl": "pkg:huggingface/meta-llama/Llama-3.1-8B-Instruct@0e9e39f",
            }
        ],
    }
    report = load(db_path, _write(tmp_path, "syft.json", document), buyer=BUYER)
    assert _edges(db_path) == [
        ("Hugging Face, Inc.", "model_api", "Llama-3.1-8B-Instruct"),
        ("Meta Platforms, Inc.", "model_api", "Llama-3.1-8B-Instruct"),
    ]
    details = " ".join(
        d for (d,) in rows(db_path, "SELECT detail FROM dq_issues WHERE issue = 'sbom_schema'")
    )
    # syft's "cpes" is not a CycloneDX field; a component without a version breaks 1.3.
    assert "a component has a field the schema does not define: 'cpes'" in details
    assert "a component without a 'version' (required by CycloneDX 1.3)" in details
    assert report.loaded[0].rows == 2


# --- generated: a SaaSBOM of model APIs, in JSON and in XML --------------------------------

SERVICES = [
    # (name, provider, endpoint) -> expected (supplier(s), relation)
    ("Anthropic API", "Anthropic, PBC", "https://api.anthropic.com/v1/messages"),
    ("OpenAI API", None, "https://api.openai.com/v1/chat/completions"),
    ("Azure OpenAI Service", "Microsoft Corporation", "https://northwind.openai.azure.com/openai"),
    ("ChatGPT Enterprise", "OpenAI", None),
    ("GitHub Copilot", None, None),
    ("Amazon SageMaker endpoint", None, "https://runtime.sagemaker.us-east-1.amazonaws.com/endpoints/rank/invocations"),
    ("Claims document store", None, "https://claims.s3.us-east-1.amazonaws.com"),
    ("Summaries", "Acme Integrator", "https://bedrock-runtime.us-west-2.amazonaws.com/model/x/invoke"),
    ("Partner feed", None, "https://feed.partner.example.org"),
    ("Gemini proxy", None, "https://generativelanguage.googleapis.com/v1beta"),
]  # fmt: skip
EXPECTED = [
    ("Acme Integrator", "model_api", "Summaries"),
    ("Amazon Web Services", "model_api", "Amazon SageMaker endpoint"),
    ("Amazon Web Services", "saas", "Claims document store"),
    ("Amazon Web Services", "model_api", "Summaries"),
    ("Anthropic, PBC", "model_api", "Anthropic API"),
    ("GitHub, Inc.", "model_api", "GitHub Copilot"),
    ("Google LLC", "model_api", "Gemini proxy"),
    ("Microsoft Corporation", "model_api", "Azure OpenAI Service"),
    ("Microsoft Corporation", "model_api", "GitHub Copilot"),
    ("OpenAI", "model_api", "ChatGPT Enterprise"),
    ("OpenAI", "model_api", "OpenAI API"),
]


def _saasbom_json() -> dict:
    services = []
    for index, (name, provider, endpoint) in enumerate(SERVICES):
        service: dict = {"bom-ref": f"svc-{index}", "name": name}
        if provider:
            service["provider"] = {"name": provider}
        if endpoint:
            service["endpoints"] = [endpoint]
        services.append(service)
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.4",
        "serialNumber": "urn:uuid:5e2a7b1c-0d3f-4e8a-9b6c-7d1e2f3a4b5c",
        "version": 1,
        "metadata": {"component": {"type": "application", "name": "Northwind Insight"}},
        "services": services,
    }


def _saasbom_xml() -> str:
    parts = []
    for index, (name, provider, endpoint) in enumerate(SERVICES):
        inner = f"<provider><name>{provider}</name></provider>" if provider else ""
        inner += f"<name>{name}</name>"
        if endpoint:
            inner += f"<endpoints><endpoint>{endpoint.replace('&', '&amp;')}</endpoint></endpoints>"
        parts.append(f'<service bom-ref="svc-{index}">{inner}</service>')
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bom xmlns="http://cyclonedx.org/schema/bom/1.4" '
        'serialNumber="urn:uuid:5e2a7b1c-0d3f-4e8a-9b6c-7d1e2f3a4b5c" version="1">\n'
        '<metadata><component type="application"><name>Northwind Insight</name></component>'
        "</metadata>\n<services>" + "\n".join(parts) + "</services>\n</bom>\n"
    )


@pytest.mark.parametrize("form", ["json", "xml"])
def test_model_apis_by_name_host_and_provider(db_path: Path, tmp_path: Path, form: str) -> None:
    if form == "json":
        path = _write(tmp_path, "saasbom.json", _saasbom_json())
    else:
        path = tmp_path / "saasbom.xml"
        path.write_text(_saasbom_xml(), encoding="utf-8")
    report = load(db_path, path, buyer=BUYER)
    assert _edges(db_path) == EXPECTED
    # The partner feed has no provider and a host the seed does not know: listed for review.
    [(detail,)] = rows(db_path, "SELECT detail FROM dq_issues WHERE issue = 'rejected_row'")
    assert "'Partner feed'" in detail and "feed.partner.example.org" in detail
    assert rows(db_path, "SELECT count(*) FROM dq_issues WHERE issue = 'sbom_schema'") == [(0,)]
    assert any("Partner feed" in note for note in report.notes)
    # GitHub Copilot reaches Microsoft as well as GitHub.
    assert _tier(db_path, "Microsoft Corporation", BUYER) == 1


def test_the_owner_as_buyer_with_a_provider_less_aws_service(db_path: Path, tmp_path: Path) -> None:
    """The issue's case: the SBOM's owner loads it as buyer; its S3 bucket on amazonaws.com
    names no provider and becomes a dependency on Amazon Web Services."""
    document = _saasbom_json()
    document["services"] = [
        {"name": "Portal", "provider": {"name": "Northwind Analytics LLC"}},
        {"name": "S3", "endpoints": ["https://northwind-claims.s3.amazonaws.com"]},
    ]
    report = load(db_path, _write(tmp_path, "own.json", document), buyer=BUYER)
    assert _edges(db_path) == [("Amazon Web Services", "saas", "S3")]
    assert not any("nothing to load" in note for note in report.notes)


# --- hostile XML ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE bom [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
        '<!DOCTYPE bom [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE bom SYSTEM "http://example.invalid/bom.dtd">',
    ],
)
def test_xml_with_a_doctype_is_refused(db_path: Path, tmp_path: Path, doctype: str) -> None:
    path = tmp_path / "bomb.xml"
    path.write_text(
        f'<?xml version="1.0"?>\n{doctype}\n<bom xmlns="http://cyclonedx.org/schema/bom/1.5">'
        '<components><component type="library"><name>&b;</name></component></components>'
        "</bom>\n",
        encoding="utf-8",
    )
    load(db_path, _write(tmp_path, "first.json", _saasbom_json()), buyer=BUYER)
    before = snapshot(db_path)
    with pytest.raises(LoadError) as caught:
        load(db_path, path, buyer=BUYER)
    [problem] = caught.value.problems
    assert problem.file == "bomb.xml" and "declares a document type" in problem.message
    assert snapshot(db_path) == before


def test_malformed_deep_and_foreign_xml_are_refused_with_their_line(tmp_path: Path) -> None:
    from exposure.ingest.adapters.cyclonedx_json import MAX_DEPTH

    malformed = tmp_path / "broken.xml"
    malformed.write_text(
        '<bom xmlns="http://cyclonedx.org/schema/bom/1.6">\n<components>\n</bom>\n'
    )
    with pytest.raises(LoadError) as caught:
        parse_xml_document(malformed, malformed.name)
    assert caught.value.problems[0].row == 3 and "malformed XML at line 3" in str(caught.value)
    deep = tmp_path / "deep.xml"
    deep.write_text(
        '<bom xmlns="http://cyclonedx.org/schema/bom/1.6">\n'
        + "<x>\n" * (MAX_DEPTH + 5)
        + "</x>" * (MAX_DEPTH + 5)
        + "</bom>"
    )
    with pytest.raises(LoadError) as caught:
        parse_xml_document(deep, deep.name)
    assert f"more than {MAX_DEPTH} elements deep (line {MAX_DEPTH + 1})" in str(caught.value)
    foreign = tmp_path / "pom.xml"
    foreign.write_text('<project xmlns="http://maven.apache.org/POM/4.0.0"></project>')
    with pytest.raises(LoadError, match="this one is not: expected a <bom> element"):
        parse_xml_document(foreign, foreign.name)


def test_unsupported_xml_version_is_refused(db_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "old.xml"
    path.write_text('<bom xmlns="http://cyclonedx.org/schema/bom/1.1" version="1"></bom>')
    with pytest.raises(LoadError, match=r"unsupported CycloneDX specVersion '1\.1'"):
        load(db_path, path, buyer=BUYER)
