"""Write the sample uploads in sample_data/: network.xlsx, prime_vendor_list.xlsx, attestations/
and manifest.csv (the load order `exposure demo` follows).

All organizations other than the named public companies, and all relationships and figures, are
invented for demonstration. The story the data holds is told in sample_data/README.md.

Run from the project root: ``python sample_data/make_sample_data.py``. Deterministic: a
``random.Random(2026)`` draws every figure not written below, and the xlsx files are written with
fixed timestamps, so two runs give byte-identical files (and the same SHA-256 provenance).
Standard library and openpyxl only.
"""

from __future__ import annotations

import csv
import io
import json
import math
import random
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

LABEL = (
    "All organizations other than the named public companies, and all relationships and figures, "
    "are invented for demonstration."
)
OUT = Path(__file__).resolve().parent
rng = random.Random(2026)

# Organizations with a country other than US, a parent or aliases: name | kind | country | parent | aliases
# (a parent written "@name" is given by its UEI instead of its name)
ORGS = """
Department of Defense | agency | US | | DoD; Department of War
Department of the Air Force | agency | US | Department of Defense | DAF
Department of the Navy | agency | US | Department of Defense | DON
Meridian Aerospace Corporation | prime | US | | Meridian Aero
Stratos Aircraft Company | prime | US | | Stratos Aircraft
Halcyon Defense Systems, Inc. | prime | US | | Halcyon Defense
Northgate Mission Systems, LLC | prime | US | | Northgate
Bayline Naval Industries, Inc. | prime | US | | Bayline Naval
Keystone Federal Solutions Corp. | prime | US | | Keystone Federal
Cobalt Ridge Technologies, Inc. | prime | US | | Cobalt Ridge
Skyforge Space Systems LLC | subcontractor | US | Meridian Aerospace Corporation |
Northwind Analytics Inc. | subcontractor | US | | Northwind
Kestrel Signal Labs, Inc. | subcontractor | US | | Kestrel Labs
Orison Mission Analytics, Inc. | subcontractor | US | | Orison
Halberd Test & Evaluation LLC | subcontractor | US | | Halberd T&E
Tamsin Electronics Ltd. | supplier | GB | |
Hangzhou Hikvision Digital Technology Company | supplier | CN | | Hikvision
Amazon Web Services | cloud_host | US | Amazon.com, Inc. | AWS; Amazon Web Services, Inc.
Microsoft Corporation | cloud_host | US | | Microsoft
Google LLC | cloud_host | US | Alphabet Inc. | Google; Google Cloud
Oracle Corporation | cloud_host | US | | Oracle
Sentinel Gov Cloud, Inc. | cloud_host | US | | Sentinel GovCloud
Anthropic, PBC | model_provider | US | | Anthropic
OpenAI | model_provider | US | | OpenAI OpCo, LLC
Meta Platforms, Inc. | model_provider | US | | Meta
Mistral AI | model_provider | FR | |
Cohere Inc. | model_provider | CA | | Cohere
Foxtail Open Models, Inc. | model_provider | US | | Foxtail
Corvane Reasoning Labs, Inc. | model_provider | US | | Corvane
Lanternfish Document Automation, Inc. | software_vendor | US | | Lanternfish
Quillon Software Group, Inc. | software_vendor | US | | Quillon
Mossgiel Translation Systems Ltd. | software_vendor | GB | |
Glasshouse Observability, Inc. | software_vendor | US | @Harrowgate Holdings, LLC |
Bramblegate Systems Integration, Inc. | integrator | US | | Bramblegate
Thornbury Federal Integrators LLC | integrator | US | | Thornbury
Amazon.com, Inc. | other | US | | Amazon
"""
# The rest: country US, no parent, no aliases; kind -> names separated by ";".
PLAIN_ORGS = {
    "prime": "Ironbridge Dynamics Corp.",
    "subcontractor": """
        Marlowe Secure Comms LLC; Bluefin Autonomy Inc.; Ridgeline Avionics Corp.;
        Pinecrest Data Systems, LLC; Larkspur Cyber LLC; Sablewood Engineering Inc.;
        Copperhead Optics Corp.; Tessellate Geospatial LLC; Brightwater Sensors Inc.;
        Foxglove Simulation Co.; Cinderhill Manufacturing Co.; Wrenfield Logic Inc.;
        Granite Peak Logistics LLC; Quarry Hill Propulsion Inc.; Amberline Training Systems LLC;
        Stonecrop Radar Inc.; Mariner Gate Acoustics LLC; Fallowfield Robotics Inc.;
        Oxbow Power Electronics Corp.; Silverleaf Human Factors LLC; Pewter Lane Cryogenics Inc.
    """,
    "supplier": """
        Acme Widgets, LLC; Harlow Precision Castings Inc.; Oakmere Fasteners Co.;
        Pellucid Glass Works LLC; Redfern Cable Assemblies Inc.; Birchmoor Composites LLC;
        Verrin Power Supplies Inc.; Whitcombe Bearings Corp.; Calder Thermal Solutions Inc.;
        Dunmore Circuit Boards LLC; Elmstead Battery Works Inc.; Quenby Seals Inc.
    """,
    "software_vendor": """
        Ferrous DevSecOps, Inc.; Quirewell Contract Intelligence, Inc.;
        Cartwright ERP Systems, Inc.; Brightline PLM Software Corp.;
        Halden Requirements Tools LLC; Saltmarsh Identity, Inc.; Emberly Code Scanning LLC;
        Tallowmere Scheduling Software Inc.; Nightjar Mapping Software Inc.
    """,
    "integrator": """
        Kittiwake Digital Services LLC; Ouseburn Solutions Group, Inc.;
        Rookwood Integration Partners LLC; Salterns Consulting Group LLC
    """,
    "other": """
        Harrowgate Holdings, LLC; Harbor Point Staffing Inc.; Cedar Key Research Institute;
        Alphabet Inc.
    """,
}
# Real public organizations: no identifiers are invented for them.
REAL = {
    "Department of Defense", "Department of the Air Force", "Department of the Navy",
    "Hangzhou Hikvision Digital Technology Company", "Amazon Web Services", "Microsoft Corporation",
    "Google LLC", "Oracle Corporation", "Anthropic, PBC", "OpenAI", "Meta Platforms, Inc.",
    "Mistral AI", "Cohere Inc.", "Amazon.com, Inc.", "Alphabet Inc.",
}
NO_CAGE = {"Tamsin Electronics Ltd.", "Mossgiel Translation Systems Ltd.",
           "Harrowgate Holdings, LLC"}

# Each buyer's own products/programs, which its inputs feed (used_in); filler rows draw from these.
# Subcontractors that sell through FILLERS get their subcontract product added below.
PRODUCTS = {
    "Stratos Aircraft Company": ["Longbow Trainer Jet", "Stratos 790"],
    "Halcyon Defense Systems, Inc.": ["Sea Lance Combat System"],
    "Ironbridge Dynamics Corp.": ["Granite Shield C2"],
    "Northgate Mission Systems, LLC": ["Blue Heron ISR"],
    "Bayline Naval Industries, Inc.": ["Harbor Guardian Frigate"],
    "Keystone Federal Solutions Corp.": ["Iron Quill Logistics Analytics",
                                         "Fleet Readiness Dashboards"],
    "Cobalt Ridge Technologies, Inc.": ["Polar Drift Satellite Ground"],
    "Ridgeline Avionics Corp.": ["Ridgeline Flight Software"],
    "Bluefin Autonomy Inc.": ["Bluefin Mission Planner", "Bluefin UUV"],
    "Wrenfield Logic Inc.": ["Wrenfield Fusion Engine"],
    "Fallowfield Robotics Inc.": ["Fallowfield Deck Crawler"],
    "Tessellate Geospatial LLC": ["Tessellate Imagery Tagger"],
    "Pinecrest Data Systems, LLC": ["Pinecrest Maintenance Predictor"],
}
COMMERCIAL = {"Stratos 790", "Contracts office", "Proposal center", "Business development",
              "Engineering knowledge assistant", "Warehouse security"}
DEFAULT_CRIT = {"prime_contract": 5, "subcontract": 4, "component": 4, "saas": 3, "model_api": 4,
                "cloud_hosting": 4, "resells": 3, "integrates": 3, "professional_services": 2,
                "license": 3, "other": 2}
TAG = {"prime_contract": "PC", "subcontract": "SC", "component": "PO", "license": "LA",
       "other": "PO", "saas": "SA", "model_api": "SA", "cloud_hosting": "SA",
       "professional_services": "PS", "integrates": "IA", "resells": "RA"}  # contract-number infix

# agency | prime | program (= the product the agency buys) | contract_id | annual value
PRIME_CONTRACTS = """
Department of the Air Force | Meridian Aerospace Corporation | Skyward Tanker Sustainment | FA8625-24-C-6012 | 84000000
Department of the Air Force | Meridian Aerospace Corporation | Tempest Radar Upgrade | FA8730-25-C-0117 | 41500000
Department of the Air Force | Stratos Aircraft Company | Longbow Trainer Jet | FA8617-23-C-6220 | 63000000
Department of the Navy | Halcyon Defense Systems, Inc. | Sea Lance Combat System | N00024-24-C-5310 | 72000000
Department of Defense | Ironbridge Dynamics Corp. | Granite Shield C2 | HQ0034-25-C-0088 | 38000000
Department of the Air Force | Northgate Mission Systems, LLC | Blue Heron ISR | FA8620-24-C-2045 | 55000000
Department of the Navy | Bayline Naval Industries, Inc. | Harbor Guardian Frigate | N00024-23-C-2301 | 96000000
Department of Defense | Keystone Federal Solutions Corp. | Iron Quill Logistics Analytics | SP4701-25-C-0031 | 18500000
Department of the Navy | Keystone Federal Solutions Corp. | Fleet Readiness Dashboards | N00189-25-F-0410 | 4200000
Department of the Air Force | Cobalt Ridge Technologies, Inc. | Polar Drift Satellite Ground | FA8819-25-C-0009 | 27000000
Department of the Navy | Kittiwake Digital Services LLC | Kittiwake Cloud Migration | N00039-25-F-0217 | 3100000
"""

# The story. Blank cells are drawn at random. dod: y/n. Supplier spellings are deliberate:
# "AWS" (alias), "ACME Widgets" (legal-suffix variant), "Northwind Analytic" and
# "Tesselate Geospatial" (the two near-misses for the data-quality report).
# buyer | supplier | relation | product | used_in | value | crit | essential | alts | months | dod | notes
STORY = """
Amazon Web Services | Anthropic, PBC | resells | Claude models | Amazon Bedrock | 9600000 | 4 | y | 4 | 2 | y | Claude offered in the Bedrock model catalogue only
Google LLC | Anthropic, PBC | resells | Claude models | Vertex AI Model Garden | 7200000 | 3 | n | 4 | 3 | n | Claude offered as a Model Garden partner model
Microsoft Corporation | Anthropic, PBC | resells | Claude models | Azure AI Foundry | 5100000 | 3 | n | 4 | 4 | n |
Microsoft Corporation | Anthropic, PBC | resells | Claude models | Microsoft 365 Copilot | 3800000 | 3 | n | 3 | 2 | n | Claude as an optional model in Copilot
Sentinel Gov Cloud, Inc. | Anthropic, PBC | resells | Claude models | | 2400000 | 4 | y | 2 | 9 | y | reseller agreement does not say which Sentinel product carries Claude
Anthropic, PBC | Amazon Web Services | cloud_hosting | Amazon EC2 | | 12000000 | 5 | y | 2 | 12 | n | model training and serving capacity
Anthropic, PBC | Google LLC | cloud_hosting | Cloud TPU | | 8500000 | 5 | y | 2 | 12 | n |
Anthropic, PBC | Microsoft Corporation | cloud_hosting | Azure compute | | 4000000 | 4 | y | 2 | 9 | n |
Northwind Analytics Inc. | Anthropic, PBC | model_api | Claude API | Northwind Insight Platform | 410000 | 5 | y | 1 | 8 | y | prompt pipelines tuned to Claude
Lanternfish Document Automation, Inc. | Anthropic, PBC | model_api | Claude API | Lanternfish Extract | 690000 | 5 | y | 2 | 4 | n |
Orison Mission Analytics, Inc. | Anthropic, PBC | model_api | Claude API | Orison Intel Summarizer | 350000 | 5 | y | 1 | 12 | y | accredited on Claude only; re-accreditation needed
Bramblegate Systems Integration, Inc. | Anthropic, PBC | model_api | Claude API | Bramblegate Agent Factory | 260000 | 4 | y | 2 | 5 | y |
Bramblegate Systems Integration, Inc. | Anthropic, PBC | professional_services | Applied AI engineering support | Bramblegate Agent Factory | 120000 | 2 | n | 3 | 1 | y |
Keystone Federal Solutions Corp. | Anthropic, PBC | model_api | Claude Gov models | Iron Quill Logistics Analytics | 1450000 | 5 | y | 1 | 7 | y |
Halden Requirements Tools LLC | Anthropic, PBC | license | Claude Code seats | Halden Trace | 95000 | 2 | n | 3 | 1 | n | coding assistant used to build Halden Trace
Ferrous DevSecOps, Inc. | AWS | model_api | Amazon Bedrock | Ferrous Code Review | 540000 | 5 | y | 2 | 5 | n | Claude via Bedrock
Tessellate Geospatial LLC | Amazon Web Services | model_api | Amazon Bedrock | Tessellate Imagery Tagger | 300000 | 4 | y | 2 | 4 | y |
Quillon Software Group, Inc. | Amazon Web Services | model_api | Amazon Bedrock | Quillon Proposal Writer | 220000 | 4 | y | 2 | 3 | n |
Bluefin Autonomy Inc. | AWS | model_api | Amazon Bedrock | Bluefin Mission Planner | 180000 | 3 | n | 2 | 7 | y |
Ferrous DevSecOps, Inc. | Amazon Web Services | cloud_hosting | Amazon EC2 | Ferrous Code Review | 160000 | 4 | y | 3 | 3 | n |
Northwind Analytics Inc. | Amazon Web Services | cloud_hosting | Amazon EC2 | Northwind Insight Platform | 240000 | 4 | y | 3 | 4 | y |
Ridgeline Avionics Corp. | Amazon Web Services | cloud_hosting | Amazon EC2 | Ridgeline Flight Software | 130000 | 3 | n | 3 | 3 | y |
Copperhead Optics Corp. | Amazon Web Services | cloud_hosting | Amazon EC2 | | 90000 | 3 | n | 3 | 2 | y |
Copperhead Optics Corp. | Amazon Web Services | cloud_hosting | Amazon S3 | | 40000 | 2 | n | 4 | 1 | y |
Sablewood Engineering Inc. | Amazon Web Services | cloud_hosting | Amazon EC2 | Sablewood structural analysis | 210000 | 4 | y | 3 | 3 | y |
Brightwater Sensors Inc. | AWS | cloud_hosting | Amazon S3 | Brightwater sonobuoy sensors | 60000 | 2 | n | 4 | 1 | y |
Halberd Test & Evaluation LLC | Amazon Web Services | cloud_hosting | Amazon EC2 | Halberd flight test services | 175000 | 4 | y | 3 | 3 | y |
Stonecrop Radar Inc. | Amazon Web Services | cloud_hosting | Amazon EC2 | Stonecrop AESA tiles | 120000 | 3 | n | 3 | 2 | y |
Foxglove Simulation Co. | Amazon Web Services | cloud_hosting | Amazon EC2 | Foxglove mission simulator | 330000 | 4 | y | 2 | 4 | y |
Cartwright ERP Systems, Inc. | Amazon Web Services | cloud_hosting | Amazon EC2 | Cartwright ERP | 450000 | 5 | y | 2 | 6.5 | n | would be late if it were exposed
Granite Peak Logistics LLC | Amazon Web Services | cloud_hosting | Amazon S3 | Granite Peak depot logistics | 55000 | 2 | n | 4 | 1 | y |
Fallowfield Robotics Inc. | Amazon Web Services | cloud_hosting | Amazon S3 | | 70000 | 2 | n | 4 | 1 | y |
Halcyon Defense Systems, Inc. | Amazon Web Services | cloud_hosting | AWS GovCloud (US) | Sea Lance Combat System | 1900000 | 5 | y | 2 | 9 | y |
Northgate Mission Systems, LLC | Amazon Web Services | cloud_hosting | AWS GovCloud (US) | Blue Heron ISR | 2300000 | 5 | y | 2 | 9 | y |
Sentinel Gov Cloud, Inc. | Amazon Web Services | cloud_hosting | Amazon EC2 | Sentinel IL5 Compute | 3300000 | 5 | y | 2 | 9 | y | Sentinel runs on leased AWS capacity
Mossgiel Translation Systems Ltd. | Google LLC | model_api | Vertex AI Model Garden | Mossgiel Translate | 150000 | 4 | y | 2 | 3 | n |
Silverleaf Human Factors LLC | Google LLC | model_api | Vertex AI Model Garden | Silverleaf Workload Analyzer | 85000 | 3 | n | 3 | 2 | y |
Kittiwake Digital Services LLC | Google LLC | other | | Kittiwake Cloud Migration | 140000 | 3 | n | 2 | 4 | y | purchase order line does not name the Google service
Foxtail Open Models, Inc. | Google LLC | cloud_hosting | Compute Engine | Foxtail Open Weights | 780000 | 5 | y | 2 | 5 | n |
Corvane Reasoning Labs, Inc. | Google LLC | cloud_hosting | Compute Engine | Corvane Tactical Reasoner | 520000 | 5 | y | 2 | 5 | y |
Quirewell Contract Intelligence, Inc. | Microsoft Corporation | model_api | Azure AI Foundry | Quirewell Clause Review | 200000 | 4 | y | 2 | 3 | n |
Larkspur Cyber LLC | Microsoft | model_api | Azure AI Foundry | Larkspur Threat Triage | 110000 | 3 | n | 3 | 2 | y |
Stratos Aircraft Company | Microsoft Corporation | saas | Microsoft 365 Copilot | Stratos 790 | 650000 | 2 | n | 3 | 2 | n | commercial airliner engineering only
Amberline Training Systems LLC | Microsoft Corporation | saas | Microsoft 365 Copilot | | 48000 | 2 | n | 3 | 1 | y |
Ironbridge Dynamics Corp. | Sentinel Gov Cloud, Inc. | cloud_hosting | Sentinel IL5 Compute | Granite Shield C2 | 2600000 | 5 | y | 1 | 9 | y |
Wrenfield Logic Inc. | Sentinel Gov Cloud, Inc. | cloud_hosting | Sentinel IL5 Compute | Wrenfield Fusion Engine | 380000 | 5 | y | 1 | 7 | y |
Bayline Naval Industries, Inc. | Sentinel Gov Cloud, Inc. | cloud_hosting | Sentinel IL5 Compute | Harbor Guardian Frigate | 1200000 | 5 | y | 1 | 8 | y |
Fallowfield Robotics Inc. | Sentinel GovCloud | cloud_hosting | Sentinel Object Storage | | 65000 | 2 | n | 3 | 1 | y |
Orison Mission Analytics, Inc. | Sentinel Gov Cloud, Inc. | model_api | Sentinel AI Gateway | Orison Intel Summarizer | 140000 | 4 | y | 1 | 5 | y |
Sentinel Gov Cloud, Inc. | Foxtail Open Models, Inc. | resells | Foxtail Open Weights | Sentinel AI Gateway | 300000 | 3 | n | 3 | 2 | y |
Meridian Aerospace Corporation | Northwind Analytics Inc. | saas | Northwind Insight Platform | Skyward Tanker Sustainment | 1800000 | 4 | y | 1 | 8 | y | fleet availability forecasts
Stratos Aircraft Company | Northwind Analytic | saas | Northwind Insight Platform | Longbow Trainer Jet | 920000 | 4 | y | 1 | 7 | y |
Pinecrest Data Systems, LLC | Ferrous DevSecOps, Inc. | saas | Ferrous Code Review | Pinecrest Maintenance Predictor | 75000 | 3 | n | 3 | 2 | y |
Ridgeline Avionics Corp. | Ferrous DevSecOps, Inc. | saas | Ferrous Code Review | Ridgeline Flight Software | 82000 | 3 | n | 3 | 2 | y | DO-178C review evidence generated by the tool
Halcyon Defense Systems, Inc. | Pinecrest Data Systems, LLC | saas | Pinecrest Maintenance Predictor | Sea Lance Combat System | 460000 | 4 | y | 1 | 7 | y |
Bayline Naval Industries, Inc. | Pinecrest Data Systems, LLC | saas | Pinecrest Maintenance Predictor | harbor guardian  frigate | 310000 | 3 | n | 2 | 4 | y | used_in typed in lower case with a double space
Halcyon Defense Systems, Inc. | Ridgeline Avionics Corp. | component | Ridgeline Flight Software | Sea Lance Combat System | 1300000 | 5 | y | 0 | 14 | y | flight software certified only with Ridgeline
Northgate Mission Systems, LLC | Tessellate Geospatial LLC | saas | Tessellate Imagery Tagger | Blue Heron ISR | 520000 | 4 | y | 1 | 6.5 | y |
Cobalt Ridge Technologies, Inc. | Tesselate Geospatial | component | Tessellate Imagery Tagger | Polar Drift Satellite Ground | 270000 | 3 | n | 2 | 3 | y |
Northgate Mission Systems, LLC | Orison Mission Analytics, Inc. | saas | Orison Intel Summarizer | Blue Heron ISR | 880000 | 5 | y | 0 | 12 | y |
Northgate Mission Systems, LLC | Quillon Software Group, Inc. | saas | Quillon Proposal Writer | Business development | 140000 | 2 | n | 4 | 1 | n |
Halcyon Defense Systems, Inc. | Quillon Software Group, Inc. | saas | Quillon Proposal Writer | Business development | 120000 | 2 | n | 4 | 1 | n |
Keystone Federal Solutions Corp. | Lanternfish Document Automation, Inc. | saas | Lanternfish Extract | Iron Quill Logistics Analytics | 330000 | 4 | y | 2 | 3 | y |
Bayline Naval Industries, Inc. | Lanternfish Document Automation, Inc. | saas | Lanternfish Extract | Contracts office | 90000 | 2 | n | 3 | 1 | n |
Keystone Federal Solutions Corp. | Mossgiel Translation Systems Ltd. | saas | Mossgiel Translate | Fleet Readiness Dashboards | 60000 | 2 | n | 4 | 1 | y |
Bayline Naval Industries, Inc. | Silverleaf Human Factors LLC | subcontract | Silverleaf Workload Analyzer | Harbor Guardian Frigate | 240000 | 3 | n | 2 | 3 | y |
Stratos Aircraft Company | Quirewell Contract Intelligence, Inc. | saas | Quirewell Clause Review | Contracts office | 150000 | 2 | n | 3 | 1 | n |
Halcyon Defense Systems, Inc. | Quirewell Contract Intelligence, Inc. | saas | Quirewell Clause Review | Contracts office | 130000 | 2 | n | 3 | 1 | n |
Keystone Federal Solutions Corp. | Larkspur Cyber LLC | professional_services | Larkspur Threat Triage | Fleet Readiness Dashboards | 410000 | 3 | n | 2 | 3 | y |
Meridian Aerospace Corporation | Amberline Training Systems LLC | subcontract | Amberline Maintainer Courseware | Tempest Radar Upgrade | 570000 | 3 | n | 2 | 4 | y |
Meridian Aerospace Corporation | Skyforge Space Systems LLC | subcontract | Skyforge payload integration | Tempest Radar Upgrade | 6400000 | 5 | y | 0 | 10 | y | wholly owned subsidiary
Skyforge Space Systems LLC | Halden Requirements Tools LLC | license | Halden Trace | Skyforge payload integration | 45000 | 3 | n | 3 | 2 | y |
Ironbridge Dynamics Corp. | Wrenfield Logic Inc. | subcontract | Wrenfield Fusion Engine | Granite Shield C2 | 2100000 | 5 | y | 0 | 11 | y |
Bayline Naval Industries, Inc. | Fallowfield Robotics Inc. | component | Fallowfield Deck Crawler | Harbor Guardian Frigate | 740000 | 4 | y | 1 | 5 | y |
Thornbury Federal Integrators LLC | Bramblegate Systems Integration, Inc. | integrates | Bramblegate Agent Factory | Thornbury Case Manager | 390000 | 4 | y | 1 | 5 | y |
Bramblegate Systems Integration, Inc. | Thornbury Federal Integrators LLC | integrates | Thornbury Case Manager | Bramblegate Agent Factory | 210000 | 3 | n | 2 | 3 | y | each integrator embeds the other's product
Keystone Federal Solutions Corp. | Thornbury Federal Integrators LLC | integrates | Thornbury Case Manager | Fleet Readiness Dashboards | 880000 | 4 | y | 1 | 6.5 | y |
Bayline Naval Industries, Inc. | Thornbury Federal Integrators LLC | integrates | Thornbury Case Manager | Harbor Guardian Frigate | 520000 | 3 | n | 2 | 4 | y |
Northgate Mission Systems, LLC | Kestrel Signal Labs, Inc. | subcontract | Kestrel Signals Triage | Blue Heron ISR | 1150000 | 4 | y | 1 | 7 | y | Kestrel's own inputs come from its attestation
Cobalt Ridge Technologies, Inc. | Kestrel Signal Labs, Inc. | subcontract | Kestrel Signals Triage | Polar Drift Satellite Ground | 640000 | 4 | y | 1 | 5 | y |
Halcyon Defense Systems, Inc. | Marlowe Secure Comms LLC | component | Marlowe Crypto Gateway | Sea Lance Combat System | 980000 | 5 | y | 1 | 9 | y |
Bayline Naval Industries, Inc. | Marlowe Secure Comms LLC | component | Marlowe Crypto Gateway | Harbor Guardian Frigate | 760000 | 5 | y | 1 | 9 | y |
Granite Peak Logistics LLC | Hikvision | component | IP cameras | Warehouse security | 38000 | 2 | n | 5 | 1 | n | cameras at a commercial warehouse
Microsoft Corporation | OpenAI | resells | GPT models | Azure OpenAI Service | 9000000 | 4 | y | 3 | 3 | n |
OpenAI | Microsoft Corporation | cloud_hosting | Azure compute | | 11000000 | 5 | y | 2 | 12 | n |
Amazon Web Services | Meta Platforms, Inc. | resells | Llama models | Amazon Bedrock | 1500000 | 3 | n | 4 | 2 | n |
Microsoft Corporation | Meta Platforms, Inc. | resells | Llama models | Azure AI Foundry | 1100000 | 3 | n | 4 | 2 | n |
Google LLC | Meta Platforms, Inc. | resells | Llama models | Vertex AI Model Garden | 900000 | 3 | n | 4 | 2 | n |
Oracle Corporation | Meta Platforms, Inc. | resells | Llama models | OCI Generative AI | 700000 | 3 | n | 4 | 2 | n |
Amazon Web Services | Mistral AI | resells | Mistral models | Amazon Bedrock | 800000 | 3 | n | 4 | 2 | n |
Microsoft Corporation | Mistral AI | resells | Mistral models | Azure AI Foundry | 650000 | 3 | n | 4 | 2 | n |
Google LLC | Mistral AI | resells | Mistral models | Vertex AI Model Garden | 600000 | 3 | n | 4 | 2 | n |
Oracle Corporation | Cohere Inc. | resells | Cohere models | OCI Generative AI | 750000 | 3 | n | 4 | 2 | n |
Amazon Web Services | Cohere Inc. | resells | Cohere models | Amazon Bedrock | 500000 | 3 | n | 4 | 2 | n |
Corvane Reasoning Labs, Inc. | Meta Platforms, Inc. | license | Llama models | Corvane Tactical Reasoner | 0 | 4 | y | 3 | 2 | y | community licence, no fee
Foxtail Open Models, Inc. | Cedar Key Research Institute | other | Training data curation | Foxtail Open Weights | 210000 | 2 | n | 2 | 3 | n |
Wrenfield Logic Inc. | Foxtail Open Models, Inc. | license | Foxtail Open Weights | Wrenfield Fusion Engine | 60000 | 3 | n | 3 | 2 | y |
Acme Widgets, LLC | Larch Valley Machining | component | machined blanks | | 85000 | 3 | n | 3 | 2 | y |
Quenby Seals Inc. | Pemberton Gasket Co. | component | gasket stock | | 52000 | 2 | n | 4 | 1 | y |
Redfern Cable Assemblies Inc. | Orrin Label Printing LLC | component | wire marker labels | | 14000 | 1 | n | 5 | 0.5 | y |
Cinderhill Manufacturing Co. | ACME Widgets | component | machined brackets | Cinderhill airframe assemblies | 230000 | 3 | n | 2 | 3 | y |
Stonecrop Radar Inc. | ACME Widgets | component | machined brackets | Stonecrop AESA tiles | 120000 | 3 | n | 2 | 3 | y |
"""

# supplier | relation | product | how many buyers | buyer pool | value low | value high
FILLERS = """
Acme Widgets, LLC | component | machined brackets | 4 | defense | 60000 | 900000
Harlow Precision Castings Inc. | component | precision castings | 5 | defense | 150000 | 2000000
Tamsin Electronics Ltd. | component | RF front-end modules | 5 | defense | 120000 | 1800000
Oakmere Fasteners Co. | component | aerospace fasteners | 6 | defense | 50000 | 400000
Pellucid Glass Works LLC | component | optical windows | 3 | defense | 80000 | 700000
Redfern Cable Assemblies Inc. | component | wire harnesses | 6 | defense | 90000 | 1200000
Birchmoor Composites LLC | component | composite panels | 4 | defense | 200000 | 2000000
Verrin Power Supplies Inc. | component | power supplies | 4 | defense | 100000 | 1100000
Whitcombe Bearings Corp. | component | bearings | 4 | defense | 50000 | 500000
Calder Thermal Solutions Inc. | component | thermal management units | 3 | defense | 90000 | 800000
Dunmore Circuit Boards LLC | component | printed circuit boards | 6 | defense | 70000 | 1500000
Elmstead Battery Works Inc. | component | battery packs | 4 | defense | 60000 | 900000
Quenby Seals Inc. | component | seals and O-rings | 4 | defense | 50000 | 300000
Copperhead Optics Corp. | subcontract | Copperhead EO/IR turret | 2 | primes | 800000 | 9000000
Sablewood Engineering Inc. | subcontract | Sablewood structural analysis | 2 | primes | 300000 | 2000000
Brightwater Sensors Inc. | subcontract | Brightwater sonobuoy sensors | 2 | primes | 500000 | 6000000
Stonecrop Radar Inc. | subcontract | Stonecrop AESA tiles | 2 | primes | 1000000 | 12000000
Foxglove Simulation Co. | subcontract | Foxglove mission simulator | 2 | primes | 400000 | 3000000
Cinderhill Manufacturing Co. | subcontract | Cinderhill airframe assemblies | 2 | primes | 900000 | 15000000
Quarry Hill Propulsion Inc. | subcontract | Quarry Hill rocket motors | 2 | primes | 1500000 | 22000000
Mariner Gate Acoustics LLC | subcontract | Mariner Gate hydrophone arrays | 2 | primes | 600000 | 5000000
Oxbow Power Electronics Corp. | subcontract | Oxbow power converters | 2 | primes | 300000 | 2500000
Pewter Lane Cryogenics Inc. | subcontract | Pewter Lane cryocoolers | 2 | primes | 200000 | 1500000
Granite Peak Logistics LLC | subcontract | Granite Peak depot logistics | 2 | primes | 400000 | 3000000
Halberd Test & Evaluation LLC | subcontract | Halberd flight test services | 2 | primes | 500000 | 4000000
Cartwright ERP Systems, Inc. | license | Cartwright ERP | 5 | any | 120000 | 1500000
Brightline PLM Software Corp. | license | Brightline PLM | 5 | any | 90000 | 1200000
Glasshouse Observability, Inc. | saas | Glasshouse APM | 4 | any | 30000 | 250000
Saltmarsh Identity, Inc. | saas | Saltmarsh SSO | 5 | any | 25000 | 200000
Emberly Code Scanning LLC | license | Emberly SAST | 4 | any | 40000 | 300000
Tallowmere Scheduling Software Inc. | saas | Tallowmere Shop Floor Scheduler | 3 | defense | 50000 | 400000
Nightjar Mapping Software Inc. | license | Nightjar Map Engine | 3 | any | 60000 | 500000
Ouseburn Solutions Group, Inc. | professional_services | program management support | 4 | primes | 200000 | 1500000
Ouseburn Solutions Group, Inc. | integrates | Ouseburn mission data bus | 3 | primes | 300000 | 2500000
Salterns Consulting Group LLC | professional_services | CMMC readiness assessment | 4 | defense | 50000 | 300000
Rookwood Integration Partners LLC | resells | Cartwright ERP licences | 3 | defense | 60000 | 600000
Rookwood Integration Partners LLC | professional_services | ERP integration services | 2 | primes | 150000 | 900000
Harbor Point Staffing Inc. | other | contract engineers | 5 | defense | 100000 | 1400000
Cedar Key Research Institute | other | sponsored research agreement | 3 | primes | 150000 | 1000000
Microsoft Corporation | saas | Microsoft 365 | 10 | any | 40000 | 900000
Microsoft Corporation | cloud_hosting | Azure Government | 4 | primes | 500000 | 3000000
Microsoft Corporation | model_api | Azure OpenAI Service | 4 | any | 60000 | 600000
Google LLC | saas | Google Workspace | 5 | any | 20000 | 200000
Google LLC | model_api | Gemini API | 3 | any | 40000 | 300000
Oracle Corporation | cloud_hosting | Oracle Cloud Infrastructure | 3 | any | 80000 | 900000
Oracle Corporation | model_api | OCI Generative AI | 3 | any | 40000 | 300000
OpenAI | model_api | OpenAI API | 3 | any | 30000 | 400000
Corvane Reasoning Labs, Inc. | model_api | Corvane Tactical Reasoner | 4 | primes | 150000 | 1200000
Amazon Web Services | cloud_hosting | Amazon EC2 | 3 | clearsubs | 50000 | 500000
"""

# Meridian's own vendor master (loaded with --buyer "Meridian Aerospace Corporation").
VENDOR_LIST_BUYER = "Meridian Aerospace Corporation"
VENDOR_HEADERS = ["Vendor Name", "Category", "Item / Service", "Used For", "Contract #", "Program",
                  "Annual Spend", "Criticality", "Essential", "Qualified Alternatives",
                  "Months to Replace", "DoD Use", "Comments"]
VENDORS = """
Anthropic | saas | Claude for Enterprise | Engineering knowledge assistant | MAC-SA-25-3301 | | $1,250,000 | 3 | No | 2 | 3 | N | enterprise chat for engineers; not used on deliverables
AWS | model_api | Amazon Bedrock | Tempest Radar Upgrade | MAC-SA-25-3307 | Tempest Radar Upgrade | 640000 | 4 | Yes | 1 | 8 | Y | Bedrock agents triage radar test data
AWS | cloud_hosting | Amazon EC2 | Skyward Tanker Sustainment | MAC-SA-24-2210 | Skyward Tanker Sustainment | $2,100,000 | 5 | Yes | 2 | 9 | Y |
AWS | cloud_hosting | Amazon S3 | | MAC-SA-24-2211 | | 380000 | 3 | No | 3 | 2 | Y |
Microsoft | saas | Microsoft 365 | | MAC-SA-23-1002 | | $1,900,000 | 4 | Yes | 2 | 6.5 | N |
Microsoft | saas | Microsoft 365 Copilot | Proposal center | MAC-SA-25-3120 | | 310000 | 2 | No | 3 | 1 | N |
Quillon Software Group | saas | Quillon Proposal Writer | Proposal center | MAC-SA-25-3122 | | $185,000 | 2 | No | 4 | 1 | N |
Halden Requirements Tools LLC | license | Halden Trace | Skyward Tanker Sustainment | MAC-LA-24-0912 | Skyward Tanker Sustainment | 260000 | 4 | Yes | 1 | 7 | Y | requirements baseline lives in Halden Trace
Lanternfish Document Automation, Inc. | saas | Lanternfish Extract | Contracts office | MAC-SA-25-3140 | | 95000 | 2 | No | 3 | 1 | N |
Cartwright ERP Systems, Inc. | license | Cartwright ERP | | MAC-LA-21-0100 | | $3,400,000 | 5 | Yes | 1 | 18 | Y |
Brightline PLM Software Corp. | license | Brightline PLM | | MAC-LA-22-0230 | | 1150000 | 5 | Yes | 1 | 14 | Y |
Acme Widgets, LLC | component | machined brackets | Skyward Tanker Sustainment | MAC-PO-25-7711 | Skyward Tanker Sustainment | 420000 | 3 | No | 3 | 2 | Y |
Harlow Precision Castings Inc. | component | turbine housing castings | Skyward Tanker Sustainment | MAC-PO-24-7102 | Skyward Tanker Sustainment | $1,640,000 | 4 | Yes | 1 | 10 | Y |
Tamsin Electronics Ltd. | component | RF front-end modules | Tempest Radar Upgrade | MAC-PO-25-7420 | Tempest Radar Upgrade | 2750000 | 5 | Yes | 1 | 12 | Y |
Redfern Cable Assemblies Inc. | component | wire harnesses | Tempest Radar Upgrade | MAC-PO-25-7433 | Tempest Radar Upgrade | 530000 | 3 | No | 2 | 3 | Y |
Dunmore Circuit Boards LLC | component | printed circuit boards | Tempest Radar Upgrade | MAC-PO-25-7440 | Tempest Radar Upgrade | $880,000 | 4 | Yes | 2 | 4 | Y |
Whitcombe Bearings Corp. | component | bearings | Skyward Tanker Sustainment | MAC-PO-24-7150 | Skyward Tanker Sustainment | 140000 | 2 | No | 4 | 1 | Y |
Ouseburn Solutions Group, Inc. | professional_services | program management support | Skyward Tanker Sustainment | MAC-PS-25-0501 | Skyward Tanker Sustainment | 760000 | 2 | No | 5 | 1 | Y |
Rookwood Integration Partners LLC | resells | Glasshouse APM licences | | MAC-RA-25-0077 | | 72000 | 2 | No | 3 | 1 | N |
Salterns Consulting Group LLC | professional_services | CMMC readiness assessment | | MAC-PS-25-0520 | | $96,000 | 2 | No | 6 | 0.5 | Y |
Harbor Point Staffing Inc. | other | contract engineers | Tempest Radar Upgrade | MAC-PO-25-0900 | Tempest Radar Upgrade | 1350000 | 3 | No | 4 | 2 | Y |
Saltmarsh Identity, Inc. | saas | Saltmarsh SSO | | MAC-SA-23-1040 | | 210000 | 4 | Yes | 2 | 5 | Y |
Emberly Code Scanning LLC | license | Emberly SAST | Tempest Radar Upgrade | MAC-LA-25-0933 | Tempest Radar Upgrade | 88000 | 3 | No | 3 | 2 | Y |
Corvane Reasoning Labs, Inc. | model_api | Corvane Tactical Reasoner | Tempest Radar Upgrade | MAC-SA-26-0012 | Tempest Radar Upgrade | $150,000 | 3 | No | 2 | 2 | Y | qualified alternative to the Bedrock agents
OpenAI | model_api | OpenAI API | Proposal center | | | 60000 | 2 | No | 4 | 1 | N |
Kestrel Signal Labs, Inc. | subcontract | Kestrel Signals Triage | Tempest Radar Upgrade | MAC-SC-25-4410 | Tempest Radar Upgrade | $2,300,000 | 4 | Yes | 1 | 7 | Y |
Marlowe Secure Comms LLC | component | Marlowe Crypto Gateway | Skyward Tanker Sustainment | MAC-PO-24-7300 | Skyward Tanker Sustainment | 1020000 | 5 | Yes | 1 | 9 | Y |
Sentinel GovCloud | cloud_hosting | Sentinel Object Storage | Skyward Tanker Sustainment | MAC-SA-25-3350 | Skyward Tanker Sustainment | 230000 | 3 | No | 2 | 3 | Y | mission data archive
Pemberton Gasket Co. | component | gasket stock | Skyward Tanker Sustainment | MAC-PO-25-7790 | Skyward Tanker Sustainment | 57000 | 2 | No | 4 | 1 | Y |
Cedar Key Research Institute | other | sponsored research agreement | Tempest Radar Upgrade | MAC-PO-25-0950 | Tempest Radar Upgrade | 310000 | 2 | No | 2 | 3 | Y |
"""

# Supplier attestations: buyer = the attesting supplier; same columns as STORY.
ATTESTATIONS = {
    "Kestrel Signal Labs, Inc.": """
Kestrel Signal Labs, Inc. | Amazon Web Services | model_api | Amazon Bedrock | Kestrel Signals Triage | 260000 | 5 | y | 1 | 7 | y | Anthropic Claude models called through Amazon Bedrock
Kestrel Signal Labs, Inc. | Amazon Web Services | cloud_hosting | Amazon EC2 | Kestrel Signals Triage | 190000 | 4 | y | 3 | 3 | y |
Kestrel Signal Labs, Inc. | Amazon Web Services | cloud_hosting | Amazon S3 | | 35000 | 2 | n | 4 | 1 | y |
Kestrel Signal Labs, Inc. | Microsoft Corporation | saas | Microsoft 365 | | 42000 | 3 | n | 2 | 2 | n |
Kestrel Signal Labs, Inc. | Saltmarsh Identity, Inc. | saas | Saltmarsh SSO | | 18000 | 3 | n | 3 | 1 | y |
Kestrel Signal Labs, Inc. | Dunmore Circuit Boards LLC | component | SDR carrier boards | Kestrel RF Sensor Kit | 310000 | 4 | y | 1 | 5 | y |
Kestrel Signal Labs, Inc. | Larch Valley Machining | component | sensor enclosures | Kestrel RF Sensor Kit | 74000 | 3 | n | 2 | 2 | y |
Kestrel Signal Labs, Inc. | Harbor Point Staffing Inc. | other | contract RF engineers | | 220000 | 2 | n | 3 | 1 | y |
Kestrel Signal Labs, Inc. | Foxtail Open Models, Inc. | license | Foxtail Open Weights | Kestrel Signals Triage | 50000 | 3 | n | 2 | 2 | y | under evaluation as the replacement for Claude
""",
    "Marlowe Secure Comms LLC": """
Marlowe Secure Comms LLC | Amazon Web Services | cloud_hosting | Amazon EC2 | Marlowe Crypto Gateway | 280000 | 4 | y | 2 | 4 | y | compute only; no Amazon Bedrock or other model service
Marlowe Secure Comms LLC | Amazon Web Services | cloud_hosting | Amazon S3 | Marlowe Key Escrow Service | 65000 | 3 | n | 3 | 2 | y |
Marlowe Secure Comms LLC | Amazon Web Services | cloud_hosting | AWS GovCloud (US) | Marlowe Key Escrow Service | 410000 | 5 | y | 2 | 5 | y |
Marlowe Secure Comms LLC | Microsoft Corporation | saas | Microsoft 365 | | 38000 | 3 | n | 2 | 2 | n | no Copilot licences
Marlowe Secure Comms LLC | Tamsin Electronics Ltd. | component | FPGA modules | Marlowe Crypto Gateway | 520000 | 5 | y | 1 | 9 | y |
Marlowe Secure Comms LLC | Oakmere Fasteners Co. | component | aerospace fasteners | Marlowe Crypto Gateway | 22000 | 1 | n | 5 | 0.5 | y |
Marlowe Secure Comms LLC | Salterns Consulting Group LLC | professional_services | FIPS 140-3 validation support | Marlowe Crypto Gateway | 160000 | 3 | n | 2 | 3 | y |
Marlowe Secure Comms LLC | Emberly Code Scanning LLC | license | Emberly SAST | Marlowe Crypto Gateway | 30000 | 2 | n | 3 | 1 | y | no Anthropic products or services in use (attested)
""",
}
# Where and how each story dependency runs (blank = unknown, as most rows are): the facts behind
# the "cloud-only compromise" and "classified environments only" what-ifs (README, The story).
# buyer | supplier (as spelled above) | product | deployment | environment | operator | use
FACTS = """
Amazon Web Services | Anthropic, PBC | Claude models | cloud | fedramp_high | host |
Google LLC | Anthropic, PBC | Claude models | cloud | fedramp_high | host |
Microsoft Corporation | Anthropic, PBC | Claude models | cloud | commercial | host |
Sentinel Gov Cloud, Inc. | Anthropic, PBC | Claude models | cloud | il5 | host |
Anthropic, PBC | Amazon Web Services | Amazon EC2 | cloud | commercial | vendor |
Anthropic, PBC | Google LLC | Cloud TPU | cloud | commercial | vendor |
Anthropic, PBC | Microsoft Corporation | Azure compute | cloud | commercial | vendor |
Northwind Analytics Inc. | Anthropic, PBC | Claude API | cloud | commercial | vendor | analysis
Lanternfish Document Automation, Inc. | Anthropic, PBC | Claude API | cloud | commercial | vendor | back_office
Orison Mission Analytics, Inc. | Anthropic, PBC | Claude API | cloud | secret | vendor | intelligence
Bramblegate Systems Integration, Inc. | Anthropic, PBC | Claude API | edge | secret | vendor | targeting
Bramblegate Systems Integration, Inc. | Anthropic, PBC | Applied AI engineering support | on_premises | il5 | vendor | software_development
Keystone Federal Solutions Corp. | Anthropic, PBC | Claude Gov models | cloud | top_secret | vendor | analysis
Halden Requirements Tools LLC | Anthropic, PBC | Claude Code seats | cloud | commercial | vendor | software_development
Ferrous DevSecOps, Inc. | AWS | Amazon Bedrock | cloud | commercial | host | software_development
Tessellate Geospatial LLC | Amazon Web Services | Amazon Bedrock | cloud | fedramp_high | host | intelligence
Quillon Software Group, Inc. | Amazon Web Services | Amazon Bedrock | cloud | commercial | host | back_office
Bluefin Autonomy Inc. | AWS | Amazon Bedrock | cloud | il5 | host | decision_support
Halcyon Defense Systems, Inc. | Amazon Web Services | AWS GovCloud (US) | cloud | fedramp_high | vendor |
Northgate Mission Systems, LLC | Amazon Web Services | AWS GovCloud (US) | cloud | fedramp_high | vendor |
Mossgiel Translation Systems Ltd. | Google LLC | Vertex AI Model Garden | cloud | commercial | host | analysis
Silverleaf Human Factors LLC | Google LLC | Vertex AI Model Garden | cloud | fedramp_moderate | host | analysis
Quirewell Contract Intelligence, Inc. | Microsoft Corporation | Azure AI Foundry | cloud | commercial | host | back_office
Larkspur Cyber LLC | Microsoft | Azure AI Foundry | cloud | il4 | host | analysis
Stratos Aircraft Company | Microsoft Corporation | Microsoft 365 Copilot | cloud | commercial | host | back_office
Amberline Training Systems LLC | Microsoft Corporation | Microsoft 365 Copilot | cloud | commercial | host | back_office
Ironbridge Dynamics Corp. | Sentinel Gov Cloud, Inc. | Sentinel IL5 Compute | cloud | il5 | vendor |
Wrenfield Logic Inc. | Sentinel Gov Cloud, Inc. | Sentinel IL5 Compute | cloud | il5 | vendor |
Bayline Naval Industries, Inc. | Sentinel Gov Cloud, Inc. | Sentinel IL5 Compute | cloud | il5 | vendor |
Fallowfield Robotics Inc. | Sentinel GovCloud | Sentinel Object Storage | cloud | il5 | vendor |
Orison Mission Analytics, Inc. | Sentinel Gov Cloud, Inc. | Sentinel AI Gateway | cloud | il6 | vendor | intelligence
Sentinel Gov Cloud, Inc. | Foxtail Open Models, Inc. | Foxtail Open Weights | cloud | il6 | host |
Halcyon Defense Systems, Inc. | Ridgeline Avionics Corp. | Ridgeline Flight Software | embedded | secret | vendor | decision_support
Bayline Naval Industries, Inc. | Fallowfield Robotics Inc. | Fallowfield Deck Crawler | embedded | secret | vendor |
Thornbury Federal Integrators LLC | Bramblegate Systems Integration, Inc. | Bramblegate Agent Factory | edge | secret | vendor | targeting
Keystone Federal Solutions Corp. | Thornbury Federal Integrators LLC | Thornbury Case Manager | cloud | il5 | vendor | analysis
Bayline Naval Industries, Inc. | Thornbury Federal Integrators LLC | Thornbury Case Manager | embedded | secret | vendor | targeting
Northgate Mission Systems, LLC | Orison Mission Analytics, Inc. | Orison Intel Summarizer | cloud | secret | vendor | intelligence
Microsoft Corporation | OpenAI | GPT models | cloud | fedramp_high | host |
Amazon Web Services | Meta Platforms, Inc. | Llama models | cloud | fedramp_high | host |
Google LLC | Mistral AI | Mistral models | cloud | fedramp_high | host |
Corvane Reasoning Labs, Inc. | Google LLC | Compute Engine | cloud | il5 | vendor |
Kestrel Signal Labs, Inc. | Amazon Web Services | Amazon Bedrock | cloud | fedramp_high | host | intelligence
Kestrel Signal Labs, Inc. | Foxtail Open Models, Inc. | Foxtail Open Weights | on_premises | il6 | vendor | intelligence
Marlowe Secure Comms LLC | Amazon Web Services | AWS GovCloud (US) | cloud | fedramp_high | vendor |
"""
FACT_OF = {(row[0], row[1], row[2]): row[3:] for row in
           [[cell.strip() for cell in line.split("|")] for line in FACTS.strip().splitlines()]}
ORG_HEADERS = ["name", "kind", "uei", "cage", "country", "parent", "aliases"]
REL_HEADERS = ["buyer", "supplier", "relation", "product", "used_in", "contract_id", "program",
               "annual_value_usd", "criticality", "essential", "alternatives",
               "replacement_months", "dod_use", "notes", "deployment", "environment", "operator",
               "use"]
ID_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"  # no O or I, as in SAM identifiers
NO_VALUE = {"Nightjar Mapping Software Inc.", "Quenby Seals Inc.", "Harbor Point Staffing Inc."}
KIND_ORDER = ["agency", "prime", "subcontractor", "supplier", "cloud_host", "model_provider",
              "software_vendor", "integrator", "other"]


def table(text: str) -> list[list[str]]:
    """Split a pipe table into rows of cells trimmed at both ends (inner spacing kept)."""
    rows = [[cell.strip(" ") for cell in line.split("|")] for line in text.strip("\n").splitlines()]
    assert len({len(row) for row in rows}) == 1, "ragged table"
    return rows


def number(text: str) -> int | float:
    return float(text) if "." in text else int(text)


def ident(length: int) -> str:
    """An invented identifier of `length` chars from ID_CHARS, the first not 0."""
    first = rng.choice(ID_CHARS.replace("0", ""))
    return first + "".join(rng.choice(ID_CHARS) for _ in range(length - 1))


def new_ids(name: str) -> tuple[str, str]:
    """An invented (UEI, CAGE) pair; CAGE as for US entities: digit, three characters, digit."""
    cage = f"{rng.randint(1, 9)}{ident(3)}{rng.randint(0, 9)}"
    return ident(12), "" if name in NO_CAGE else cage


def money(low: float, high: float) -> int:
    """A log-uniform amount in [low, high], rounded to three significant digits."""
    value = math.exp(rng.uniform(math.log(low), math.log(high)))
    return int(round(value, 2 - int(math.floor(math.log10(value)))))


def abbrev(name: str) -> str:
    return "".join(word[0] for word in re.findall(r"[A-Za-z]+", name)[:3]).upper()


def org_table() -> list[list[str]]:
    """ORGS and PLAIN_ORGS as one table, ordered by kind."""
    plain = [[name.strip(), kind, "US", "", ""]
             for kind, names in PLAIN_ORGS.items() for name in names.split(";")]
    return sorted(table(ORGS) + plain, key=lambda row: KIND_ORDER.index(row[1]))


KINDS = {row[0]: row[1] for row in org_table()}
PRODUCTS.update({row[0]: [row[2]] for row in table(FILLERS) if row[1] == "subcontract"})
PROGRAMS = {row[2].lower(): row[2] for row in table(PRIME_CONTRACTS)}  # what agencies buy
CIVIL = {"software_vendor", "model_provider", "cloud_host", "other"}  # dod_use false by default
EXCLUDED = {"Meridian Aerospace Corporation", "Kestrel Signal Labs, Inc.",
            "Marlowe Secure Comms LLC"}
POOLS = {  # filler buyers; Meridian and the two attesting suppliers get their inputs elsewhere
    "primes": [n for n, k in KINDS.items() if k == "prime" and n not in EXCLUDED],
    "defense": [n for n, k in KINDS.items()
                if k in {"prime", "subcontractor", "integrator"} and n not in EXCLUDED],
    "any": [n for n, k in KINDS.items()
            if k in {"prime", "subcontractor", "integrator", "software_vendor"}
            and n not in EXCLUDED],
    "clearsubs": ["Mariner Gate Acoustics LLC", "Oxbow Power Electronics Corp.",
                  "Quarry Hill Propulsion Inc.", "Pewter Lane Cryogenics Inc."],
}


def edge(buyer, supplier, relation, product, used_in, value="", crit="", essential="", alts="",
         months="", dod="", notes="", low=50_000.0, high=2_000_000.0) -> list:
    """One relationships row in REL_HEADERS order; blank fields are drawn from rng."""
    drawn = DEFAULT_CRIT[relation] + rng.choice([-1, 0, 0, 1])
    criticality = int(crit) if crit else min(5, max(1, drawn))
    used = " ".join(used_in.split())
    contract = f"{abbrev(buyer)}-{TAG[relation]}-{rng.randint(23, 26)}-{rng.randint(100, 9999):04d}"
    return [
        buyer, supplier, relation, product, used_in,
        "" if rng.random() < 0.2 else contract,
        PROGRAMS.get(used.lower(), ""),
        int(value) if value else money(low, high),
        criticality,
        essential == "y" if essential else criticality >= 4 and rng.random() < 0.7,
        int(alts) if alts else rng.choice([0, 1, 1, 2, 2, 3, 4]),
        number(months) if months else rng.choice([0.5, 1, 2, 3, 3, 4, 5, 7, 9, 12]),
        dod == "y" if dod else KINDS.get(buyer) not in CIVIL and used not in COMMERCIAL
        and rng.random() < 0.9,
        notes,
        *FACT_OF.get((buyer, supplier, product), ["", "", "", ""]),  # no draw: figures unchanged
    ]


def organizations() -> tuple[list[list], dict[str, tuple[str, str]]]:
    rows, ids = [], {}
    for name, kind, country, parent, aliases in org_table():
        if name not in REAL:
            ids[name] = new_ids(name)
        rows.append([name, kind, *ids.get(name, ("", "")), country, parent, aliases])
    for row in rows:  # a parent written "@name" is given by its UEI
        if row[5].startswith("@"):
            row[5] = ids[row[5][1:]][0]
    return rows, ids


def relationships() -> list[list]:
    rows = []
    for agency, prime, program, contract_id, value in table(PRIME_CONTRACTS):
        rows.append(edge(agency, prime, "prime_contract", program, program, value, "5", "y", "0",
                         "24", "y"))
        rows[-1][5] = contract_id
    rows += [edge(*cells) for cells in table(STORY)]
    seen = {(row[0], row[1], row[3]) for row in rows}
    for supplier, relation, product, count, pool, low, high in table(FILLERS):
        buyers = [b for b in POOLS[pool] if b != supplier and (b, supplier, product) not in seen]
        for buyer in rng.sample(buyers, int(count)):
            scoped = buyer in PRODUCTS and rng.random() < 0.7
            used_in = rng.choice(PRODUCTS[buyer]) if scoped else ""
            rows.append(edge(buyer, supplier, relation, product, used_in, low=float(low),
                             high=float(high)))
            seen.add((buyer, supplier, product))
        if supplier in NO_VALUE:  # a row without a value: the model counts it instead
            rows[-1][7] = None
    return rows


def write_xlsx(path: Path, sheets: dict[str, tuple[list[str], list[list]]], title: str) -> None:
    """Write the sheets (values, no formulas); pin timestamps so the bytes are reproducible."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, (headers, rows) in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in [headers, *rows]:
            assert not any(isinstance(c, str) and c[:1] in tuple("=+-@") for c in row), row
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            width = max(len(str(cell.value or "")) for cell in column)
            sheet.column_dimensions[column[0].column_letter].width = min(48, max(10, width + 2))
    props = workbook.properties
    props.title, props.subject, props.description = title, "exposure sample data", LABEL
    props.creator = props.lastModifiedBy = "sample_data/make_sample_data.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2026-03-01T00:00:00Z", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 3, 1, 0, 0, 0))
            target.writestr(fixed, data, compress_type=zipfile.ZIP_DEFLATED)
    path.write_bytes(buffer.getvalue())


SAM_HEADERS = [
    "Classification", "Name", "Prefix", "First", "Middle", "Last", "Suffix", "Address 1",
    "Address 2", "Address 3", "Address 4", "City", "State / Province", "Country", "Zip Code",
    "D&B Open Data Flag", "Unique Entity Identifier (DUNS)", "Unique Entity Identifier (SAM)",
    "Exclusion Program", "Excluding Agency", "CT Code", "Exclusion Type", "Additional Comments",
    "Active Date", "Termination Date", "Record Status", "Cross-Reference", "SAM Number", "CAGE",
    "NPI", "Creation_Date",
]

# A small SAM.gov exclusions extract (invented records in the public extract's layout): one
# record matches a sample organization by UEI (Tamsin Electronics Ltd.), one is a near-miss
# listed for review and never confirmed (a "Harlow Precision Casting Company" without a UEI,
# against the sample's Harlow Precision Castings Inc.), one names no one in the network.
EXCLUSIONS = [
    ["Firm", "Tamsin Electronics Ltd.", "GBR", "E8V6F89W7WXZ", "DOD", "Ineligible (Proceedings Completed)",
     "01/15/2026", "Indefinite", "S4MRTAMS1"],
    ["Firm", "Harlow Precision Casting Company", "USA", "", "GSA", "Ineligible (Proceedings Pending)",
     "02/02/2026", "Indefinite", "S4MRHARL2"],
    ["Firm", "Quillfeather Munitions Trading", "USA", "QFMT00000001", "DOD",
     "Prohibition/Restriction", "11/20/2025", "Indefinite", "S4MRQFMT3"],
]


def write_exclusions(path: Path) -> None:
    """The SAM.gov-layout exclusions sample (31 columns, every cell quoted, CRLF lines)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(SAM_HEADERS)
    for kind, name, country, uei, agency, exclusion, active, until, sam in EXCLUSIONS:
        row = dict.fromkeys(SAM_HEADERS, "")
        row.update({
            "Classification": kind, "Name": name, "Country": country, "D&B Open Data Flag": "N",
            "Unique Entity Identifier (SAM)": uei, "Exclusion Program": "Reciprocal",
            "Excluding Agency": agency, "Exclusion Type": exclusion,
            "Additional Comments": "Invented record for the exposure sample data",
            "Active Date": active, "Termination Date": until, "SAM Number": sam,
            "Creation_Date": "2026-02-27",
        })
        writer.writerow([row[h] for h in SAM_HEADERS])
    path.write_bytes(buffer.getvalue().encode("utf-8"))

# A USAspending.gov contract subaward download (the 2026 header's key columns, in its order):
# subcontracts under the agency prime contracts that network.xlsx does not list, the gaps public
# data fills (Halcyon's Sea Lance buys Northwind's analytics, which run on Claude).
# prime | PIID | agency code | agency | subawardee | subaward number | amount | action date | description
SUBAWARDS = """
Halcyon Defense Systems, Inc. | N00024-24-C-5310 | 017 | Department of the Navy | Northwind Analytics Inc. | HDS-SUB-5310-04 | 390000.00 | 2025-04-18 | combat system analytics dashboards, base year
Halcyon Defense Systems, Inc. | N00024-24-C-5310 | 017 | Department of the Navy | Northwind Analytics Inc. | HDS-SUB-5310-09 | 390000.00 | 2026-01-09 | combat system analytics dashboards, option year 1
Stratos Aircraft Company | FA8617-23-C-6220 | 057 | Department of the Air Force | Cinderhill Manufacturing Co. | SAC-SUB-6220-12 | 1450000.00 | 2025-02-27 | trainer airframe sub-assemblies
Keystone Federal Solutions Corp. | SP4701-25-C-0031 | 097 | Department of Defense | Pinecrest Data Systems, LLC | KFS-SUB-0031-02 | 310000.00 | 2025-08-04 | logistics data engineering
Meridian Aerospace Corporation | FA8625-24-C-6012 | 057 | Department of the Air Force | Oxbow Power Electronics Corp. | MAC-SUB-6012-21 | 420000.00 | 2025-11-17 | tanker boom power converters
Bayline Naval Industries, Inc. | N00024-23-C-2301 | 017 | Department of the Navy | Mariner Gate Acoustics LLC | BNI-SUB-2301-33 | 960000.00 | 2025-06-30 | hull-mounted hydrophone arrays
"""
SUBAWARD_HEADERS = [
    "prime_award_unique_key", "prime_award_piid", "prime_award_parent_piid",
    "prime_award_amount", "prime_award_awarding_agency_code", "prime_award_awarding_agency_name",
    "prime_award_funding_agency_code", "prime_award_funding_agency_name", "prime_awardee_uei",
    "prime_awardee_name", "prime_awardee_dba_name", "prime_awardee_parent_uei",
    "prime_awardee_parent_name", "prime_awardee_country_code", "subaward_type",
    "subaward_sam_report_id", "subaward_sam_report_year", "subaward_sam_report_month",
    "subaward_number", "subaward_amount", "subaward_action_date", "subawardee_uei",
    "subawardee_name", "subawardee_dba_name", "subawardee_parent_uei", "subawardee_parent_name",
    "subawardee_country_code", "subaward_description", "subaward_sam_report_last_modified_date",
]


def write_subawards(path: Path, ids: dict[str, tuple[str, str]]) -> None:
    """The USAspending-layout subaward download for the story's subcontracts (invented rows)."""
    contracts = {row[3]: row for row in table(PRIME_CONTRACTS)}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SUBAWARD_HEADERS)
    for number_, (prime, piid, code, agency, sub, sub_number, amount, day, what) in enumerate(
        table(SUBAWARDS), start=1
    ):
        row = dict.fromkeys(SUBAWARD_HEADERS, "")
        parent = next((r[3] for r in table(ORGS) if r[0] == sub and r[3]), "")
        row.update({
            "prime_award_unique_key": f"CONT_AWD_{piid.replace('-', '')}_{code.zfill(4)}_-NONE-_-NONE-",
            "prime_award_piid": piid, "prime_award_amount": f"{number(contracts[piid][4]):.2f}",
            "prime_award_awarding_agency_code": code, "prime_award_awarding_agency_name": agency,
            "prime_award_funding_agency_code": "097", "prime_award_funding_agency_name":
            "Department of Defense", "prime_awardee_uei": ids[prime][0], "prime_awardee_name":
            prime.upper(), "prime_awardee_country_code": "USA", "subaward_type": "sub-contract",
            "subaward_sam_report_id": f"SR-2025-{number_:05d}", "subaward_sam_report_year": day[:4],
            "subaward_sam_report_month": str(int(day[5:7])), "subaward_number": sub_number,
            "subaward_amount": amount, "subaward_action_date": day, "subawardee_uei": ids[sub][0],
            "subawardee_name": sub.upper(), "subawardee_parent_uei": ids[parent][0] if parent else "",
            "subawardee_parent_name": parent.upper(), "subawardee_country_code": "USA",
            "subaward_description": what, "subaward_sam_report_last_modified_date": f"{day} 10:00:00",
        })
        writer.writerow([row[h] for h in SUBAWARD_HEADERS])
    path.write_bytes(buffer.getvalue().encode("utf-8"))


def cyclonedx(serial: int, buyer: str, product: str, version: str, components: list[dict],
              services: list[dict]) -> dict:
    """A CycloneDX 1.6 document for one product of `buyer` (fixed serial number and timestamp)."""
    return {
        "bomFormat": "CycloneDX", "specVersion": "1.6",
        "serialNumber": f"urn:uuid:2026b0b0-0000-4000-8000-{serial:012d}", "version": 1,
        "metadata": {
            "timestamp": "2026-03-02T09:00:00Z",
            "component": {"type": "application", "bom-ref": "product", "name": product,
                          "version": version, "supplier": {"name": buyer}},
            "supplier": {"name": buyer},
        },
        "components": components, "services": services,
        "dependencies": [{"ref": "product", "dependsOn": [
            entry["bom-ref"] for entry in components + services]}],
    }


def write_sboms(folder: Path) -> list[str]:
    """Northwind Insight Platform's SBOM (services) and Orison Intel Summarizer's AI-BOM (models)."""
    folder.mkdir(exist_ok=True)
    northwind = cyclonedx(1, "Northwind Analytics Inc.", "Northwind Insight Platform", "4.2.0", [
        {"type": "library", "bom-ref": "pkg:pypi/anthropic@0.40.0", "name": "anthropic",
         "version": "0.40.0", "purl": "pkg:pypi/anthropic@0.40.0",
         "licenses": [{"license": {"id": "MIT"}}]},
        {"type": "library", "bom-ref": "pkg:pypi/boto3@1.35.0", "name": "boto3",
         "version": "1.35.0", "purl": "pkg:pypi/boto3@1.35.0",
         "licenses": [{"license": {"id": "Apache-2.0"}}]},
    ], [
        {"bom-ref": "svc-claude", "provider": {"name": "Anthropic, PBC",
                                               "url": ["https://www.anthropic.com"]},
         "name": "Claude API", "version": "2023-06-01",
         "description": "Claude models for the platform's prompt pipelines",
         "endpoints": ["https://api.anthropic.com/v1/messages"], "authenticated": True,
         "x-trust-boundary": True, "data": [{"flow": "bi-directional", "classification": "CUI"}]},
        {"bom-ref": "svc-ec2", "provider": {"name": "Amazon Web Services"},
         "name": "Amazon EC2", "description": "compute the platform runs on",
         "endpoints": ["https://ec2.us-gov-west-1.amazonaws.com"], "authenticated": True,
         "x-trust-boundary": True},
    ])
    orison = cyclonedx(2, "Orison Mission Analytics, Inc.", "Orison Intel Summarizer", "2.0.3", [
        {"type": "machine-learning-model", "bom-ref": "model-claude",
         "supplier": {"name": "Anthropic, PBC"}, "name": "Claude Sonnet", "version": "4",
         "description": "summarization model, accredited at SECRET"},
        {"type": "machine-learning-model", "bom-ref": "model-foxtail",
         "supplier": {"name": "Foxtail Open Models, Inc."}, "name": "Foxtail Open Weights",
         "version": "3.1", "description": "open-weights fallback under evaluation"},
    ], [])
    files = {"northwind-insight.cdx.json": northwind, "orison-summarizer-aibom.cdx.json": orison}
    for name, document in files.items():
        (folder / name).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return list(files)



def main() -> None:
    org_rows, ids = organizations()
    rel_rows = relationships()
    write_xlsx(OUT / "network.xlsx",
               {"organizations": (ORG_HEADERS, org_rows), "relationships": (REL_HEADERS, rel_rows)},
               "exposure sample network (invented)")
    vendors = [[*row[:6], row[6] if row[6].startswith("$") else int(row[6]), int(row[7]), row[8],
                int(row[9]), number(row[10]), row[11], row[12]] for row in table(VENDORS)]
    write_xlsx(OUT / "prime_vendor_list.xlsx", {"Vendors": (VENDOR_HEADERS, vendors)},
               f"{VENDOR_LIST_BUYER} vendor master (invented)")
    known = {row[0]: row for row in org_rows}
    known["Larch Valley Machining"] = ["Larch Valley Machining", "supplier",
                                       *new_ids("Larch Valley Machining"), "US", "", ""]
    attestation_files = []
    for supplier, text in ATTESTATIONS.items():
        rows = [edge(*cells) for cells in table(text)]
        for row in rows:
            row[5] = f"{abbrev(supplier)}-{TAG[row[2]]}-25-{rng.randint(100, 9999):04d}"
        orgs = [known[name] for name in [supplier, *sorted({row[1] for row in rows})]]
        slug = re.sub(r"[^a-z0-9]+", "_", re.sub(r",? (Inc|LLC)\.?$", "", supplier).lower())
        attestation_files.append(f"{slug.strip('_')}_attestation.xlsx")
        write_xlsx(OUT / "attestations" / attestation_files[-1],
                   {"organizations": (ORG_HEADERS, orgs), "relationships": (REL_HEADERS, rows)},
                   f"{supplier} supplier attestation (invented)")
    manifest = ["file,buyer,note", f'network.xlsx,,"{LABEL}"',
                f"prime_vendor_list.xlsx,{VENDOR_LIST_BUYER},",
                *(f"attestations/{name},," for name in attestation_files)]
    (OUT / "manifest.csv").write_text("\n".join(manifest) + "\n", encoding="utf-8")
    write_exclusions(OUT / "exclusions.csv")
    write_subawards(OUT / "public" / "usaspending_contract_subawards.csv", ids)
    write_sboms(OUT / "public")
    print(f"wrote {len(org_rows)} organizations, {len(rel_rows)} relationships, "
          f"{len(vendors)} vendor rows and {len(ATTESTATIONS)} attestations to {OUT}")


if __name__ == "__main__":
    main()
