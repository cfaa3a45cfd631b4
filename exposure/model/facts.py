"""Where and how a dependency runs: the deployment facts an edge may carry, as plain vocabularies.

Four optional facts per dependency (blank = unknown):

* ``deployment``: where the model or service runs (:data:`DEPLOYMENTS`);
* ``environment``: the highest accreditation level it runs at, in the order of
  ``seeds/environments.csv`` (:data:`ENVIRONMENTS`, lowest first);
* ``operator``: who runs it, the vendor itself or a host running the vendor's model
  (:data:`OPERATORS`);
* ``use``: what it is used for, the taxonomy of ``seeds/uses.csv`` (:data:`USES`).

The tuples are what validation accepts and what the graph codes (the position in the tuple;
-1 unknown); tests check that they agree with the seeds. Kept free of NumPy so that the
command line can offer them cheaply.

>>> canonical_value("environment", "IL-6")
'il6'
>>> canonical_value("deployment", "On-Prem")
'on_premises'
"""

from __future__ import annotations

import re
from typing import Literal

__all__ = [
    "DEPLOYMENTS",
    "ENVIRONMENTS",
    "FACT_FIELDS",
    "FACT_SYNONYMS",
    "OPERATORS",
    "USES",
    "FactField",
    "canonical_value",
    "fact_token",
    "value_label",
    "vocabulary",
]

FactField = Literal["deployment", "environment", "operator", "use"]
FACT_FIELDS: tuple[FactField, ...] = ("deployment", "environment", "operator", "use")

DEPLOYMENTS: tuple[str, ...] = ("cloud", "on_premises", "edge", "embedded")
# Lowest first: a dependency authorized at one level may serve every level below it.
ENVIRONMENTS: tuple[str, ...] = (
    "commercial",
    "fedramp_moderate",
    "fedramp_high",
    "il2",
    "il4",
    "il5",
    "il6",
    "secret",
    "top_secret",
)
OPERATORS: tuple[str, ...] = ("vendor", "host")
USES: tuple[str, ...] = (
    "back_office",
    "software_development",
    "analysis",
    "intelligence",
    "decision_support",
    "targeting",
    "surveillance",
    "autonomous_weapons",
)

_VOCABULARIES: dict[FactField, tuple[str, ...]] = {
    "deployment": DEPLOYMENTS,
    "environment": ENVIRONMENTS,
    "operator": OPERATORS,
    "use": USES,
}

# Spellings seen in vendor lists and attestations, after :func:`fact_token`.
FACT_SYNONYMS: dict[FactField, dict[str, str]] = {
    "deployment": {
        "on_prem": "on_premises",
        "onprem": "on_premises",
        "on_premise": "on_premises",
        "on_premises_data_center": "on_premises",
        "self_hosted": "on_premises",
        "tactical_edge": "edge",
        "field": "edge",
        "edge_device": "edge",
        "on_device": "embedded",
        "device": "embedded",
        "firmware": "embedded",
        "cloud_hosted": "cloud",
        "public_cloud": "cloud",
        "private_cloud": "cloud",
    },
    "environment": {
        "commercial_cloud": "commercial",
        "public": "commercial",
        "moderate": "fedramp_moderate",
        "fedramp_mod": "fedramp_moderate",
        "high": "fedramp_high",
        "govcloud": "fedramp_high",
        "il_2": "il2",
        "il_4": "il4",
        "il_5": "il5",
        "il_6": "il6",
        "impact_level_2": "il2",
        "impact_level_4": "il4",
        "impact_level_5": "il5",
        "impact_level_6": "il6",
        "s": "secret",
        "siprnet": "secret",
        "ts": "top_secret",
        "ts_sci": "top_secret",
        "jwics": "top_secret",
    },
    "operator": {
        "provider": "vendor",
        "first_party": "vendor",
        "self": "vendor",
        "vendor_operated": "vendor",
        "cloud_host": "host",
        "hosted": "host",
        "marketplace": "host",
        "third_party": "host",
        "host_operated": "host",
    },
    "use": {
        "admin": "back_office",
        "administrative": "back_office",
        "business": "back_office",
        "coding": "software_development",
        "software_engineering": "software_development",
        "analytics": "analysis",
        "intel": "intelligence",
        "decision_making": "decision_support",
        "c2": "decision_support",
        "targeting_support": "targeting",
        "mass_surveillance": "surveillance",
        "lethal_autonomous_weapons": "autonomous_weapons",
        "laws": "autonomous_weapons",
        "autonomous_weapon": "autonomous_weapons",
    },
}

_LABELS = {
    "on_premises": "on-premises",
    "fedramp_moderate": "FedRAMP Moderate",
    "fedramp_high": "FedRAMP High",
    "il2": "IL2",
    "il4": "IL4",
    "il5": "IL5",
    "il6": "IL6",
    "secret": "SECRET",
    "top_secret": "TOP SECRET",
}


def vocabulary(field: FactField) -> tuple[str, ...]:
    """The values a fact may take, in code order (for ``environment``, lowest level first)."""
    return _VOCABULARIES[field]


def fact_token(text: str) -> str:
    """Lower case, runs of anything but letters and digits as one underscore, trimmed.

    >>> fact_token(" Top Secret ")
    'top_secret'
    """
    return re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_")


def canonical_value(field: FactField, text: str) -> str | None:
    """The canonical value a spelling means for a fact, or None when it means none."""
    token = fact_token(text)
    allowed = _VOCABULARIES[field]
    if token in allowed:
        return token
    return FACT_SYNONYMS[field].get(token)


def value_label(value: str) -> str:
    """A value as people write it in a sentence: ``il6`` -> ``IL6``, ``back_office`` -> ``back office``."""
    return _LABELS.get(value, value.replace("_", " "))
